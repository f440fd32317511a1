"""Creating and changing companies, their OKVED codes, capability offers and contacts.

Web forms, the JSON API and spreadsheet import all come through here, so a company is
validated the same way whichever door it enters by.
"""

import re
from types import SimpleNamespace

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel.speaklater import LazyString
from sqlalchemy import func, insert, or_, select

from registry.extensions import db
from registry.links import external_url
from registry.models import CapabilityOffer, Company, CompanyOkved, Contact, OkvedCode, Region
from registry.models.base import utcnow
from registry.models.company import VERIFICATION_STATES
from registry.policy import (
    authorize,
    can_create_company,
    can_edit_company,
    can_move_company,
    can_verify_company,
)
from registry.services import Conflict, ServiceError, alerts, audit, notifications, search, taken_is_conflict
from registry.services import matching as matching_service
from registry.translation import lazy_gettext as _l
from registry.validators import IdentifierError, validate_inn, validate_ogrn

TEXT_FIELDS = ("name", "legal_form", "city", "description", "website")
IDENTITY_FIELDS = {"inn": _l("INN"), "ogrn": _l("OGRN"), "region": _l("Region")}  # what a verification vouches for
COMPANY_COLUMNS = ("inn", "ogrn", "name", "legal_form", "city", "description", "website", "employees")
OKVED_SPLIT = re.compile(r"[;,\s]+")


def find_region(value: str | None) -> Region | None:
    """A region by ISO 3166-2 code (RU-ULY), two-digit INN code (73) or name (Ульяновская область)."""
    value = (value or "").strip()
    if not value:
        return None
    lowered = value.lower().replace("ё", "е")
    return db.session.scalar(
        select(Region).where(
            or_(
                func.upper(Region.iso_code) == value.upper(),
                Region.inn_code == value.zfill(2) if value.isdigit() else False,
                func.lower(func.replace(Region.name_ru, "ё", "е")) == lowered,
                func.lower(Region.name_en) == lowered,
            )
        )
    )


def split_okved(value) -> list[str]:
    if isinstance(value, str):
        return [code for code in OKVED_SPLIT.split(value) if code]
    return [str(code).strip() for code in value or [] if str(code).strip()]


def check_okved(codes: list[str]) -> tuple[list[OkvedCode], list[str]]:
    """The OKVED rows for `codes` (in order, no repeats) and the codes that do not exist."""
    unique = list(dict.fromkeys(codes))
    known = {row.code: row for row in db.session.scalars(select(OkvedCode).where(OkvedCode.code.in_(unique)))}
    return [known[c] for c in unique if c in known], [c for c in unique if c not in known]


class DatabaseLookups:
    """Reference data one query at a time: right for a single form or API call."""

    def region(self, value) -> Region | None:
        return find_region(value)

    def okved(self, codes: list[str]) -> tuple[list[OkvedCode], list[str]]:
        return check_okved(codes)

    def inn_owner(self, inn: str) -> int | None:
        return db.session.scalar(select(Company.id).where(Company.inn == inn))


class PreloadedLookups(DatabaseLookups):
    """The same answers from dictionaries loaded once: imports check thousands of rows without a query each."""

    def __init__(self):
        self.regions: dict[str, Region] = {}
        for region in db.session.scalars(select(Region)):
            for key in (region.iso_code, region.inn_code, region.name_ru, region.name_en):
                if key:
                    self.regions[_region_key(key)] = region
        self.okved_rows = {row.code: row for row in db.session.scalars(select(OkvedCode))}
        self.inns: dict[str, int] = dict(db.session.execute(select(Company.inn, Company.id).where(Company.inn.is_not(None))).all())

    def region(self, value) -> Region | None:
        value = str(value or "").strip()
        return self.regions.get(_region_key(value.zfill(2) if value.isdigit() else value))

    def okved(self, codes: list[str]) -> tuple[list[OkvedCode], list[str]]:
        unique = list(dict.fromkeys(codes))
        return [self.okved_rows[c] for c in unique if c in self.okved_rows], [c for c in unique if c not in self.okved_rows]

    def inn_owner(self, inn: str) -> int | None:
        return self.inns.get(inn)


def _region_key(value: str) -> str:
    return value.strip().lower().replace("ё", "е")


def _check_length(model, field: str, value, errors: dict) -> None:
    """Text longer than its column holds is refused here (PostgreSQL would refuse it at the insert)."""
    limit = model.__table__.c[field].type.length
    if value and limit and len(value) > limit:
        errors.setdefault(field, []).append(_l("Too long: at most %(limit)d characters.", limit=limit))


def validate_company_data(data: dict, *, company: Company | None = None, partial: bool = False,
                          lookups: DatabaseLookups | None = None) -> dict:
    """Checks the input and returns clean values; raises ServiceError with every field's problem at once."""
    lookups = lookups or DatabaseLookups()
    errors: dict[str, list] = {}
    clean: dict = {}

    def given(key):
        return key in data and data[key] is not None

    if given("inn") or not partial:
        try:
            clean["inn"] = validate_inn(str(data.get("inn") or ""))
        except IdentifierError as error:
            errors.setdefault("inn", []).append(error.message)
    if given("ogrn") and str(data["ogrn"]).strip():
        try:
            clean["ogrn"] = validate_ogrn(str(data["ogrn"]))
        except IdentifierError as error:
            errors.setdefault("ogrn", []).append(error.message)
    if given("name") or not partial:
        clean["name"] = str(data.get("name") or "").strip()
        if not clean["name"]:
            errors.setdefault("name", []).append(_l("The name is required."))
    if given("region") or not partial:
        region = data["region"] if isinstance(data.get("region"), Region) else lookups.region(data.get("region"))
        if region is None:
            errors.setdefault("region", []).append(
                _l("Unknown region %(value)s: give an ISO code such as RU-ULY, a two-digit code or the name.",
                   value=data.get("region") or "—"))
        clean["region"] = region
    for key in ("legal_form", "city", "description", "website"):
        if given(key):
            clean[key] = str(data[key]).strip()
    for key in ("name", "legal_form", "city", "website"):
        _check_length(Company, key, clean.get(key), errors)
    if clean.get("website") and not re.match(r"^(https?://)?[\w.-]+\.[a-zа-я]{2,}(/\S*)?$", clean["website"], re.I):
        errors.setdefault("website", []).append(_l("Give the site address, e.g. https://example.ru"))
    if given("employees"):
        try:
            clean["employees"] = int(data["employees"]) if str(data["employees"]).strip() else None
            if clean["employees"] is not None and clean["employees"] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.setdefault("employees", []).append(_l("Give a whole number."))
    if given("okved"):
        rows, unknown = lookups.okved(split_okved(data["okved"]))
        if unknown:
            errors.setdefault("okved", []).append(_l("Unknown OKVED2 codes: %(codes)s.", codes=", ".join(unknown)))
        clean["okved"] = rows
    if given("capabilities"):
        statements = data["capabilities"]
        if isinstance(statements, str):
            statements = statements.split(";")
        clean["capabilities"] = [str(s).strip() for s in statements if str(s).strip()]
    if given("contacts"):
        clean["contacts"] = []
        for contact in data["contacts"]:
            email = (contact.get("email") or "").strip()
            if email:
                try:
                    email = validate_email(email, check_deliverability=False).normalized
                except EmailNotValidError:
                    errors.setdefault("email", []).append(_l("Not an e-mail address: %(value)s", value=email))
            phone = (contact.get("phone") or "").strip()
            if phone:
                try:
                    phone = normalise_phone(phone)
                except ValueError:
                    errors.setdefault("phone", []).append(_l(
                        "Not a phone number: %(value)s. Write it as +7 8422 41-23-45 or 8 (8422) 41-23-45.", value=phone))
            person = {"name": (contact.get("name") or "").strip(), "position": (contact.get("position") or "").strip(),
                      "phone": phone, "email": email}
            # A phone or an e-mail without a person's name is still a way to reach the firm.
            if person["name"] or person["phone"] or person["email"]:
                clean["contacts"].append(person)
                for key, value in person.items():
                    _check_length(Contact, key, value, errors)
    if errors:
        raise ServiceError(_l("Please correct the marked fields."), errors=errors)
    if clean.get("inn"):
        other = lookups.inn_owner(clean["inn"])
        if other is not None and (company is None or other != company.id):
            raise Conflict(inn_taken(clean["inn"]), "inn")
    return clean


def inn_region(company: Company) -> Region | None:
    """The region whose tax office issued the company's INN (its first two digits), when that is not the
    company's own region: a firm that moved, or a typo worth checking. None when they agree or are unknown."""
    if not company.inn or company.region is None or company.inn[:2] == company.region.inn_code:
        return None
    return db.session.scalar(select(Region).where(Region.inn_code == company.inn[:2]))


def normalise_phone(text: str) -> str:
    """A phone number in one international form (+7 842 241-23-45), however it was typed; Russian numbers
    may be written without the country code. ValueError when it cannot be a phone number."""
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        raise ValueError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def create_company(data: dict, *, actor=None) -> Company:
    clean = validate_company_data(data)
    authorize_new(clean, actor)
    with inn_taken_is_conflict(clean):
        company = _new_company(clean)
        db.session.flush()
    audit.record(actor, "company.create", company, **_summary(clean))
    alerts.new_in_region(company_ids=[company.id])
    return company


def add_companies(cleans: list[dict], *, actor=None, classify=None, batch_size: int = 1000) -> list[int]:
    """Creates companies from values `validate_company_data` already cleaned; returns their ids.

    The fast path of spreadsheet imports: the same rows, links, search text and audit entries that
    `create_company` makes for one company, written with a few bulk INSERTs per batch instead of the
    unit of work's statements per object. `classify` maps a statement to its capability node."""
    classify = classify or _classify_one
    for clean in cleans:
        authorize_new(clean, actor)
    ids: list[int] = []
    for start in range(0, len(cleans), batch_size):
        batch = cleans[start:start + batch_size]
        now = utcnow()
        offers = [[(text, classify(text)) for text in dict.fromkeys(clean.get("capabilities", []))] for clean in batch]
        rows = [{**{key: clean.get(key) for key in COMPANY_COLUMNS}, "description": clean.get("description") or "",
                 "region_id": clean["region"].id, "search_text": _search_text(clean, offered),
                 "created_at": now, "updated_at": now} for clean, offered in zip(batch, offers, strict=True)]
        new_ids = list(db.session.scalars(insert(Company).returning(Company.id, sort_by_parameter_order=True), rows))
        links, offer_rows, people = [], [], []
        for company_id, clean, offered in zip(new_ids, batch, offers, strict=True):
            links += [{"company_id": company_id, "okved_code": row.code, "is_main": index == 0}
                      for index, row in enumerate(clean.get("okved", []))]
            offer_rows += [{"company_id": company_id, "text": text, "capability_id": node.id if node else None,
                            "created_at": now, "updated_at": now} for text, node in offered]
            people += [{"company_id": company_id, **person} for person in clean.get("contacts", [])]
        for model, values in ((CompanyOkved, links), (CapabilityOffer, offer_rows), (Contact, people)):
            if values:
                db.session.execute(insert(model), values)
        audit.record_many(actor, "company.create", "company",
                          {company_id: _summary(clean) for company_id, clean in zip(new_ids, batch, strict=True)})
        ids += new_ids
    alerts.new_in_region(company_ids=ids)
    return ids


def _search_text(clean: dict, offered: list[tuple]) -> str:
    """The company's search text as `search.refresh_company` writes it, before the company exists."""
    draft = SimpleNamespace(inn=clean.get("inn"), name=clean["name"], city=clean.get("city"), description=clean.get("description"),
                            offers=[SimpleNamespace(text=text, capability=node) for text, node in offered])
    search.refresh_company(draft)
    return draft.search_text


def authorize_new(clean: dict, actor) -> None:
    authorize(can_create_company(actor, clean["region"]), region_refusal(clean["region"]))


def region_refusal(region):
    from registry.i18n import localized

    return _l("You may not register or change companies of %(region)s.", region=localized(region))


def authorize_changes(company: Company, clean: dict, actor) -> None:
    """The policy's word on changing `company` to `clean` (a move to another region is asked separately)."""
    authorize(can_edit_company(actor, company), region_refusal(company.region))
    if clean.get("region") is not None and clean["region"].id != company.region_id:
        authorize(can_move_company(actor, company, clean["region"]), region_refusal(clean["region"]))


def update_company(company: Company, data: dict, *, actor=None) -> Company:
    authorize(can_edit_company(actor, company))
    clean = validate_company_data(data, company=company, partial=True)
    with inn_taken_is_conflict(clean):
        apply_changes(company, clean, actor=actor)
    return company


def inn_taken_is_conflict(clean: dict):
    """The INN check above cannot see a concurrent request's uncommitted company: its unique key can."""
    return taken_is_conflict("inn", inn_taken(clean.get("inn")))


def inn_taken(inn: str | None):
    return _l("A company with INN %(inn)s is already registered.", inn=inn)


def apply_changes(company: Company, clean: dict, *, actor=None, classify=None) -> dict:
    """Applies clean values; audits and returns only the fields that really changed."""
    authorize_changes(company, clean, actor)
    previous_name = company.name
    changed = _apply(company, clean, classify)
    db.session.flush()
    if changed:
        audit.record(actor, "company.update", company, **changed)
        _check_identity(company, changed, previous_name=previous_name, actor=actor)
    return changed


def _check_identity(company: Company, changed: dict, *, previous_name: str, actor) -> None:
    """A verified badge vouches for who the firm is. A new INN, OGRN or region sends it back to verification
    and the region's officials are told; a new name is recorded with the old one, for the officials' desk."""
    if "name" in changed:
        audit.record(actor, "company.rename", company, previous_name=previous_name, name=company.name)
    identity = [field for field in IDENTITY_FIELDS if field in changed]
    if not identity or company.verification != "verified":
        return
    company.verification = "pending"
    audit.record(actor, "company.verification", company, verification="pending", because=identity)
    db.session.flush()
    fields = LazyString(lambda: ", ".join(str(IDENTITY_FIELDS[field]) for field in identity))
    notifications.notify_region_officials(
        company.region_id, _l("%(company)s awaits verification again", company=company.name),
        _l("%(company)s was verified, but its %(fields)s changed: it awaits verification again.",
           company=company.name, fields=fields),
        link=external_url("catalog.detail", company_id=company.id), leave_out=actor)


def _new_company(clean: dict, classify=None) -> Company:
    company = Company(inn=clean.get("inn"), name=clean["name"], region=clean["region"])
    db.session.add(company)
    _apply(company, clean, classify)
    return company


def _classify_one(statement: str):
    nodes = matching_service.classify(statement, limit=1)
    return nodes[0] if nodes else None


def _summary(clean: dict) -> dict:
    return {key: value for key, value in _describe(clean).items() if value not in (None, "", [])}


def _describe(clean: dict) -> dict:
    described = {}
    for key, value in clean.items():
        if key == "region":
            described[key] = value.iso_code or value.inn_code
        elif key == "okved":
            described[key] = [row.code for row in value]
        elif key == "contacts":
            described[key] = [contact["name"] for contact in value]
        else:
            described[key] = value
    return described


def _apply(company: Company, clean: dict, classify=None) -> dict:
    """Applies clean values; returns the fields that really changed (for the audit entry)."""
    classify = classify or _classify_one
    changed = {}
    for key in ("inn", "ogrn", "name", "legal_form", "city", "description", "website", "employees", "region"):
        if key in clean and audit.differs(getattr(company, key), clean[key]):
            setattr(company, key, clean[key])
            changed[key] = _describe({key: clean[key]})[key]
    if "okved" in clean:
        wanted = [row.code for row in clean["okved"]]
        # The main code is the first one; the order of the others carries no meaning.
        have_main = [link.okved_code for link in company.okveds if link.is_main]
        have_rest = sorted(link.okved_code for link in company.okveds if not link.is_main)
        if (have_main, have_rest) != (wanted[:1], sorted(wanted[1:])):
            company.okveds = [CompanyOkved(okved_code=code, is_main=index == 0) for index, code in enumerate(wanted)]
            changed["okved"] = wanted
    if "capabilities" in clean:
        have = {offer.text for offer in company.offers}
        for statement in clean["capabilities"]:
            if statement not in have:
                have.add(statement)
                company.offers.append(CapabilityOffer(text=statement, capability=classify(statement)))
                changed.setdefault("capabilities", []).append(statement)
    if "contacts" in clean:
        names = [c.name for c in company.contacts]
        if [c["name"] for c in clean["contacts"]] != names or any(
            (c.position or "", c.phone or "", c.email or "") != (n["position"], n["phone"], n["email"])
            for c, n in zip(company.contacts, clean["contacts"], strict=False)
        ):
            company.contacts = [Contact(**contact) for contact in clean["contacts"]]
            changed["contacts"] = [c["name"] for c in clean["contacts"]]
    if changed:
        search.refresh_company(company)
    return changed


def save_offer(company: Company, *, actor=None, offer: CapabilityOffer | None = None, capability=None,
               text: str = "", equipment: str = "", capacity: str = "", certifications: str = "") -> CapabilityOffer:
    """Adds an offer, or changes `offer`; a missing capability node is found from the text."""
    authorize(can_edit_company(actor, company))
    text = (text or "").strip()
    if not text and capability is None:
        raise ServiceError(_l("Describe the capability or choose a node."), "text")
    if capability is None:
        nodes = matching_service.classify(text, limit=1)
        capability = nodes[0] if nodes else None
    if offer is None:
        offer = CapabilityOffer(company=company)
        db.session.add(offer)
        action = "offer.create"
    else:
        action = "offer.update"
    offer.capability, offer.text = capability, text
    offer.equipment, offer.capacity, offer.certifications = equipment or "", capacity or "", certifications or ""
    db.session.flush()
    db.session.refresh(company, ["offers"])
    search.refresh_company(company)
    audit.record(actor, action, company, offer_id=offer.id, capability=capability.code if capability else None, text=text)
    touch(company)
    return offer


def delete_offer(offer: CapabilityOffer, *, actor=None) -> None:
    company = offer.company
    authorize(can_edit_company(actor, company))
    db.session.delete(offer)
    db.session.flush()
    db.session.refresh(company, ["offers"])
    search.refresh_company(company)
    audit.record(actor, "offer.delete", company, offer_id=offer.id, text=offer.text)
    touch(company)


def set_verification(company: Company, state: str, *, actor=None) -> None:
    authorize(can_verify_company(actor, company))
    if state not in VERIFICATION_STATES:
        raise ServiceError(_l("Unknown verification state."), "verification")
    if company.verification != state:
        audit.record(actor, "company.verification", company, verification=state)
        company.verification = state
        db.session.flush()


def touch(company: Company) -> None:
    """Marks a company changed so that matching caches in every process pick it up."""
    company.updated_at = utcnow()
    db.session.flush()

"""Creating and changing companies, their OKVED codes, capability offers and contacts.

Web forms, the JSON API and spreadsheet import all come through here, so a company is
validated the same way whichever door it enters by.
"""

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from registry.extensions import db
from registry.models import CapabilityOffer, Company, CompanyOkved, Contact, OkvedCode, Region
from registry.models.base import utcnow
from registry.models.company import VERIFICATION_STATES
from registry.services import Conflict, ServiceError, audit, search
from registry.services import matching as matching_service
from registry.validators import IdentifierError, validate_inn, validate_ogrn

TEXT_FIELDS = ("name", "legal_form", "city", "description", "website")
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


def validate_company_data(data: dict, *, company: Company | None = None, partial: bool = False) -> dict:
    """Checks the input and returns clean values; raises ServiceError with every field's problem at once."""
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
        region = data["region"] if isinstance(data.get("region"), Region) else find_region(data.get("region"))
        if region is None:
            errors.setdefault("region", []).append(
                _l("Unknown region %(value)s: give an ISO code such as RU-ULY, a two-digit code or the name.",
                   value=data.get("region") or "—"))
        clean["region"] = region
    for key in ("legal_form", "city", "description", "website"):
        if given(key):
            clean[key] = str(data[key]).strip()
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
        rows, unknown = check_okved(split_okved(data["okved"]))
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
            clean["contacts"].append({"name": (contact.get("name") or "").strip(),
                                      "position": (contact.get("position") or "").strip(),
                                      "phone": (contact.get("phone") or "").strip(), "email": email})
    if errors:
        raise ServiceError(_l("Please correct the marked fields."), errors=errors)
    if clean.get("inn"):
        other = db.session.scalar(select(Company.id).where(Company.inn == clean["inn"]))
        if other is not None and (company is None or other != company.id):
            raise Conflict(_l("A company with INN %(inn)s is already registered.", inn=clean["inn"]), "inn")
    return clean


def create_company(data: dict, *, actor=None) -> Company:
    clean = validate_company_data(data)
    company = Company(inn=clean["inn"], name=clean["name"], region=clean["region"])
    db.session.add(company)
    _apply(company, clean)
    db.session.flush()
    audit.record(actor, "company.create", company, **_summary(clean))
    return company


def update_company(company: Company, data: dict, *, actor=None) -> Company:
    clean = validate_company_data(data, company=company, partial=True)
    changed = _apply(company, clean)
    db.session.flush()
    if changed:
        audit.record(actor, "company.update", company, **changed)
    return company


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


def _apply(company: Company, clean: dict) -> dict:
    """Applies clean values; returns the fields that really changed (for the audit entry)."""
    changed = {}
    for key in ("inn", "ogrn", "name", "legal_form", "city", "description", "website", "employees", "region"):
        if key in clean and getattr(company, key) != clean[key]:
            setattr(company, key, clean[key])
            changed[key] = _describe({key: clean[key]})[key]
    if "okved" in clean:
        wanted = [row.code for row in clean["okved"]]
        if [link.okved_code for link in company.okveds] != wanted or (
            company.okveds and not company.okveds[0].is_main
        ):
            company.okveds = [CompanyOkved(okved_code=code, is_main=index == 0) for index, code in enumerate(wanted)]
            changed["okved"] = wanted
    if "capabilities" in clean:
        have = {offer.text for offer in company.offers}
        for statement in clean["capabilities"]:
            if statement not in have:
                nodes = matching_service.classify(statement, limit=1)
                company.offers.append(CapabilityOffer(text=statement, capability=nodes[0] if nodes else None))
                changed.setdefault("capabilities", []).append(statement)
    if "contacts" in clean:
        names = [c.name for c in company.contacts]
        if [c["name"] for c in clean["contacts"]] != names or any(
            (c.position or "", c.phone or "", c.email or "") != (n["position"], n["phone"], n["email"])
            for c, n in zip(company.contacts, clean["contacts"], strict=False)
        ):
            company.contacts = [Contact(**contact) for contact in clean["contacts"] if contact["name"]]
            changed["contacts"] = [c["name"] for c in clean["contacts"]]
    if changed:
        search.refresh_company(company)
    return changed


def save_offer(company: Company, *, actor=None, offer: CapabilityOffer | None = None, capability=None,
               text: str = "", equipment: str = "", capacity: str = "", certifications: str = "") -> CapabilityOffer:
    """Adds an offer, or changes `offer`; a missing capability node is found from the text."""
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
    db.session.delete(offer)
    db.session.flush()
    db.session.refresh(company, ["offers"])
    search.refresh_company(company)
    audit.record(actor, "offer.delete", company, offer_id=offer.id, text=offer.text)
    touch(company)


def set_verification(company: Company, state: str, *, actor=None) -> None:
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

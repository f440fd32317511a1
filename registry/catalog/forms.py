"""Forms of the catalogue: the list's filters, the company profile, offers, contacts and verification."""

from flask_babel import get_locale
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from registry.catalog.queries import (
    COMPANY_SORTS,
    OKVED_PATTERN,
    CatalogFilters,
    federal_districts,
    okved_exists,
)
from registry.extensions import db
from registry.i18n import localized
from registry.labels import VERIFICATION_LABELS
from registry.models import Capability, Region
from registry.services.companies import normalise_phone
from registry.translation import lazy_gettext as _l

SORT_LABELS = {
    "name": _l("By name"),
    "region": _l("By region"),
    "updated": _l("Recently updated"),
    "relevance": _l("By relevance"),
    "deadline": _l("By deadline"),
    "title": _l("By title"),
}


def region_rows() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name_ru)))


def region_value(region: Region) -> str:
    """What the forms and URLs call a region: its ISO code, or its two-digit code where ISO gives none."""
    return region.iso_code or region.inn_code


def capability_choices(empty_label) -> list[tuple[str, str]]:
    """The capability tree in order, children indented under their parent, keyed by node code."""
    rows = db.session.scalars(select(Capability).order_by(Capability.position, Capability.id)).all()
    children: dict = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    choices = [("", str(empty_label))]

    def walk(parent_id, depth):
        for node in children.get(parent_id, []):
            choices.append((node.code, "\u2003" * depth + localized(node)))
            walk(node.id, depth + 1)

    walk(None, 0)
    return choices


def validate_okved_code(form, field):
    if field.data and not okved_exists(field.data):
        raise ValidationError(_l("Unknown OKVED2 code: give a code such as 25.62, or a group such as 25."))


class CatalogFilterForm(FlaskForm):
    """The list filters, read from the query string (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    region = SelectField(_l("Region"), validate_choice=True, default="")
    district = SelectField(_l("Federal district"), default="")
    capability = SelectField(_l("Capability"), default="")
    okved = StringField(_l("OKVED2 code"), validators=[Optional(), validate_okved_code],
                        description=_l("A group finds its subgroups: 25 finds 25.62."))
    verified = BooleanField(_l("Verified companies only"))
    sort = SelectField(_l("Sort"), default="")

    def fill_choices(self, sorts=COMPANY_SORTS) -> None:
        regions = region_rows()
        self.region.choices = [("", str(_l("Any region")))] + [(region_value(r), localized(r)) for r in regions]
        english = str(get_locale()) == "en"
        self.district.choices = [("", str(_l("Any district")))] + [
            (ru, en if english else ru) for ru, en in federal_districts(regions)
        ]
        self.capability.choices = capability_choices(_l("Any capability"))
        self.sort.choices = [("", str(_l("Default order")))] + [(key, str(SORT_LABELS[key])) for key in sorts]

    def filters(self, language: str) -> CatalogFilters:
        return CatalogFilters(
            q=(self.q.data or "").strip(), region=self.region.data or "", district=self.district.data or "",
            capability=self.capability.data or "", okved=(self.okved.data or "").strip(),
            verified_only=bool(self.verified.data), sort=self.sort.data or "", language=language,
        )

    def is_filtered(self) -> bool:
        return any((self.q.data, self.region.data, self.district.data, self.capability.data, self.okved.data,
                    self.verified.data))


def validate_okved_list(form, field):
    codes = [code for code in (field.data or "").replace(";", ",").replace(" ", ",").split(",") if code]
    bad = [code for code in codes if not OKVED_PATTERN.match(code)]
    if bad:
        raise ValidationError(_l("Not an OKVED2 code: %(codes)s. Separate codes with commas.", codes=", ".join(bad)))


class CompanyProfileForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[InputRequired(), Length(max=300)])
    legal_form = StringField(_l("Legal form"), validators=[Optional(), Length(max=40)])
    inn = StringField(_l("INN"), validators=[Optional(), Length(max=12)])
    ogrn = StringField(_l("OGRN"), validators=[Optional(), Length(max=15)])
    region = SelectField(_l("Region"), validators=[InputRequired()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0)])
    okved = StringField(_l("OKVED2 codes"), validators=[Optional(), validate_okved_list],
                        description=_l("The main code first, separated by commas: 25.62, 28.41"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def fill_choices(self) -> None:
        self.region.choices = [(region_value(r), localized(r)) for r in region_rows()]

    def load(self, company) -> None:
        """Fills the form from `company` on the first GET."""
        for key in ("name", "legal_form", "inn", "ogrn", "city", "website", "employees", "description"):
            getattr(self, key).data = getattr(company, key)
        self.region.data = region_value(company.region)
        self.okved.data = ", ".join(link.okved_code for link in company.okveds)

    def service_data(self) -> dict:
        data = {key: getattr(self, key).data or "" for key in ("name", "legal_form", "city", "website", "description")}
        data["region"] = self.region.data
        data["employees"] = "" if self.employees.data is None else self.employees.data
        data["okved"] = self.okved.data or ""
        # An INN is changed only when one is given: firms known only from a source may have none.
        if (self.inn.data or "").strip():
            data["inn"] = self.inn.data.strip()
        data["ogrn"] = (self.ogrn.data or "").strip()
        return data


class OfferForm(FlaskForm):
    capability = SelectField(_l("Capability"), default="",
                             description=_l("Leave empty to have it found from the description."))
    text = TextAreaField(_l("What you make or do"), validators=[Optional(), Length(max=5000)])
    equipment = TextAreaField(_l("Equipment"), validators=[Optional(), Length(max=5000)])
    capacity = StringField(_l("Capacity"), validators=[Optional(), Length(max=300)])
    certifications = StringField(_l("Certifications"), validators=[Optional(), Length(max=300)])

    def fill_choices(self) -> None:
        self.capability.choices = capability_choices(_l("Find from the description"))

    def validate_text(self, field):
        if not (field.data or "").strip() and not self.capability.data:
            raise ValidationError(_l("Describe the capability or choose a node."))


class ContactForm(FlaskForm):
    class Meta:
        csrf = False  # one row of ContactsForm, which carries the token
    name = StringField(_l("Full name"), validators=[Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Not an e-mail address.")),
                                                   Length(max=200)])

    def validate_name(self, field):
        if not (field.data or "").strip() and any((self.position.data, self.phone.data, self.email.data)):
            raise ValidationError(_l("Give the person's name."))

    def validate_phone(self, field):
        if (field.data or "").strip():
            try:
                normalise_phone(field.data)
            except ValueError:
                raise ValidationError(_l("Not a phone number: write it as +7 8422 41-23-45 or 8 (8422) 41-23-45.")) \
                    from None


class ContactsForm(FlaskForm):
    contacts = FieldList(FormField(ContactForm), min_entries=1, max_entries=30)

    def load(self, company, spare_rows: int = 2) -> None:
        while len(self.contacts):
            self.contacts.pop_entry()
        for contact in company.contacts:
            self.contacts.append_entry({"name": contact.name, "position": contact.position or "",
                                        "phone": contact.phone or "", "email": contact.email or ""})
        for _ in range(spare_rows):
            self.contacts.append_entry()

    def service_data(self) -> dict:
        return {"contacts": [entry.data for entry in self.contacts if (entry.data.get("name") or "").strip()]}


class ModerationForm(FlaskForm):
    """An official publishes a self-registered firm or refuses it; the buttons carry the decision."""

    note = TextAreaField(_l("Note to the applicant"), validators=[Optional(), Length(max=2000)],
                         description=_l("Required when refusing: the company's representative reads it."))
    decision = StringField(validators=[InputRequired(), AnyOf(("published", "rejected"))])


def moderation_form(company, **kwargs) -> ModerationForm:
    """One per firm: a page may list several firms' forms, each with its own field ids."""
    return ModerationForm(prefix=f"moderate-{company.id}", **kwargs)


class VerificationForm(FlaskForm):
    state = SelectField(_l("Verification"), choices=[(key, value) for key, value in VERIFICATION_LABELS.items()])


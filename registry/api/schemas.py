"""Marshmallow schemas: what the API accepts and returns (and what the OpenAPI document says)."""

from flask_login import current_user
from marshmallow import Schema, fields, post_dump, validate

from registry.auth.permissions import is_staff
from registry.models.need import NEED_STATUSES
from registry.models.project import PARTICIPANT_ROLES, STAGES

MAX_ID = 2**31 - 1  # an integer id column's range: a larger number can name nothing


def id_field(**kwargs) -> fields.Int:
    return fields.Int(validate=validate.Range(1, MAX_ID), **kwargs)


class RegionSchema(Schema):
    id = fields.Int()
    iso_code = fields.Str(allow_none=True)
    inn_code = fields.Str()
    name_ru = fields.Str()
    name_en = fields.Str()
    federal_district_ru = fields.Str()
    federal_district_en = fields.Str()
    timezone = fields.Str()


class CapabilitySchema(Schema):
    code = fields.Str()
    name_ru = fields.Str()
    name_en = fields.Str()
    synonyms = fields.List(fields.Str())
    abbreviations = fields.List(fields.Str())
    okved = fields.List(fields.Str())
    children = fields.List(fields.Nested(lambda: CapabilitySchema()))


class OkvedSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    section = fields.Str()
    parent_code = fields.Str(allow_none=True)


class OkvedQuery(Schema):
    q = fields.Str(load_default="", metadata={"description": "Code prefix or words of the name"})
    limit = fields.Int(load_default=50, validate=validate.Range(1, 500))


class PageQuery(Schema):
    page = fields.Int(load_default=1, validate=validate.Range(1, 100000))
    per_page = fields.Int(load_default=20, validate=validate.Range(1, 100))


class CompanyQuery(PageQuery):
    q = fields.Str(load_default="")
    region = fields.Str(load_default="", metadata={"description": "ISO 3166-2 code, e.g. RU-ULY"})
    capability = fields.Str(load_default="", metadata={"description": "Capability node code (its subtree counts)"})
    okved = fields.Str(load_default="", metadata={"description": "OKVED2 code (its subtree counts)"})
    verified = fields.Bool(load_default=False)


class CompanyRefSchema(Schema):
    id = fields.Int()
    inn = fields.Str(allow_none=True)
    name = fields.Str()
    region = fields.Function(lambda c: c.region.iso_code or c.region.inn_code)


class OfferSchema(Schema):
    id = fields.Int()
    capability = fields.Function(lambda o: o.capability.code if o.capability else None, allow_none=True)
    text = fields.Str()
    equipment = fields.Str()
    capacity = fields.Str()
    certifications = fields.Str()


class ContactSchema(Schema):
    name = fields.Str()
    position = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)


class CompanySchema(CompanyRefSchema):
    ogrn = fields.Str(allow_none=True)
    legal_form = fields.Str(allow_none=True)
    region_name = fields.Function(lambda c: c.region.name_ru)
    city = fields.Str(allow_none=True)
    website = fields.Str(allow_none=True)
    description = fields.Str()
    employees = fields.Int(allow_none=True)
    verification = fields.Str()
    active = fields.Bool()
    okved = fields.Function(lambda c: [link.okved_code for link in c.okveds])
    capabilities = fields.List(fields.Nested(OfferSchema), attribute="offers")
    contacts = fields.List(fields.Nested(ContactSchema))
    source = fields.Str(allow_none=True)
    updated_at = fields.DateTime()


class SearchHitSchema(CompanySchema):
    """A company in a list: contacts without e-mail and phone unless a token asks (harvesting them in bulk
    takes an account; one company's own answer, like its web page, still shows them)."""

    found_by = fields.List(fields.Str(), metadata={
        "description": "Why a text search found the company: matched capabilities, then matched words"})

    @post_dump
    def contacts_for_token_holders(self, data: dict, **kwargs) -> dict:
        if not current_user.is_authenticated:
            data["contacts"] = [{key: value for key, value in contact.items() if key not in ("email", "phone")}
                                for contact in data.get("contacts", [])]
        return data


class CompanyPage(Schema):
    items = fields.List(fields.Nested(SearchHitSchema))
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()


class CompanyPatch(Schema):
    inn = fields.Str(validate=validate.Length(max=20))
    ogrn = fields.Str(allow_none=True, validate=validate.Length(max=20))
    name = fields.Str(validate=validate.Length(max=300))
    legal_form = fields.Str(allow_none=True, validate=validate.Length(max=40))
    region = fields.Str(validate=validate.Length(max=120))
    city = fields.Str(allow_none=True, validate=validate.Length(max=120))
    okved = fields.List(fields.Str(validate=validate.Length(max=10)))
    capabilities = fields.List(fields.Str(validate=validate.Length(max=2000)))
    description = fields.Str(allow_none=True, validate=validate.Length(max=10000))
    website = fields.Str(allow_none=True, validate=validate.Length(max=300))
    employees = fields.Int(allow_none=True, validate=validate.Range(0, 10_000_000))


class CompanyIn(CompanyPatch):
    inn = fields.Str(required=True, validate=validate.Length(max=20))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    region = fields.Str(required=True, validate=validate.Length(max=120))


class NeedSchema(Schema):
    id = fields.Int()
    company = fields.Nested(CompanyRefSchema)
    title = fields.Str()
    description = fields.Str(attribute="text")
    volume = fields.Str()
    deadline = fields.Date(allow_none=True)
    status = fields.Str()
    capabilities = fields.Function(lambda n: [cap.code for cap in n.capabilities])
    okved = fields.Function(lambda n: [code.code for code in n.okved_codes])
    created_at = fields.DateTime()


class NeedPage(Schema):
    items = fields.List(fields.Nested(NeedSchema))
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()


class NeedQuery(PageQuery):
    q = fields.Str(load_default="")
    region = fields.Str(load_default="")
    capability = fields.Str(load_default="")
    status = fields.Str(load_default="open", validate=validate.OneOf(NEED_STATUSES))
    company_id = id_field(load_default=None, allow_none=True)


class NeedIn(Schema):
    company_inn = fields.Str(validate=validate.Length(max=20))
    company_id = id_field()
    title = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    description = fields.Str(load_default="", validate=validate.Length(max=10000))
    volume = fields.Str(load_default="", validate=validate.Length(max=200))
    deadline = fields.Date(allow_none=True)
    okved = fields.List(fields.Str(validate=validate.Length(max=10)))
    capabilities = fields.List(fields.Str(validate=validate.Length(max=2000)))


class MatchQuery(Schema):
    limit = fields.Int(load_default=10, validate=validate.Range(1, 50))
    other_regions_only = fields.Bool(load_default=False)
    region = fields.Str(load_default="", metadata={"description": "Only suppliers of this region (ISO code)"})
    verified_only = fields.Bool(load_default=False)


class LimitQuery(Schema):
    limit = fields.Int(load_default=10, validate=validate.Range(1, 50))


class ReasonSchema(Schema):
    kind = fields.Str()
    text = fields.Str()
    weight = fields.Float()


class SupplierMatchSchema(Schema):
    company = fields.Nested(CompanyRefSchema)
    score = fields.Float(validate=validate.Range(0, 1))
    reasons = fields.List(fields.Nested(ReasonSchema))


class NeedRefSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    company = fields.Nested(CompanyRefSchema)


class NeedMatchSchema(Schema):
    need = fields.Nested(NeedRefSchema)
    score = fields.Float(validate=validate.Range(0, 1))
    reasons = fields.List(fields.Nested(ReasonSchema))


class MatchesSchema(Schema):
    need_id = fields.Int()
    matches = fields.List(fields.Nested(SupplierMatchSchema))


class OpportunitiesSchema(Schema):
    company_id = fields.Int()
    matches = fields.List(fields.Nested(NeedMatchSchema))


class ParticipantSchema(Schema):
    company = fields.Nested(CompanyRefSchema)
    role = fields.Str()


class StageChangeSchema(Schema):
    from_stage = fields.Str(allow_none=True)
    to_stage = fields.Str()
    note = fields.Str()
    changed_at = fields.DateTime()
    actor = fields.Function(lambda change: change.actor.email if change.actor else None, allow_none=True)


class ProjectSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    stage = fields.Str()
    direction = fields.Function(lambda p: p.direction.code if p.direction else None, allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema))
    # Below: for officials and administrators only (visitors see the public summary above).
    description = fields.Str()
    # A decimal string ("1500000.00"), as dumped: a float would round roubles.
    value_rub = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string", "format": "decimal"})
    next_step = fields.Str()
    next_step_due = fields.Date(allow_none=True)
    source_event_id = fields.Int(allow_none=True)
    responsible = fields.Function(lambda p: p.responsible.email if p.responsible else None, allow_none=True)
    stage_changes = fields.List(fields.Nested(StageChangeSchema))
    source = fields.Str(allow_none=True)
    updated_at = fields.DateTime()

    @post_dump
    def public_summary(self, data: dict, **kwargs) -> dict:
        """Visitors and company representatives see what the public web pages show, nothing more."""
        if is_staff(current_user):
            return data
        return {key: value for key, value in data.items() if key in PUBLIC_PROJECT_FIELDS}


PUBLIC_PROJECT_FIELDS = ("id", "title", "stage", "direction", "participants")


class ProjectPage(Schema):
    items = fields.List(fields.Nested(ProjectSchema))
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()


class ProjectQuery(PageQuery):
    stage = fields.Str(load_default="", validate=validate.OneOf(("", *STAGES)))


class ParticipantIn(Schema):
    company_id = id_field()
    company_inn = fields.Str(validate=validate.Length(max=20))
    role = fields.Str(required=True, validate=validate.OneOf(PARTICIPANT_ROLES))


class ProjectIn(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    participants = fields.List(fields.Nested(ParticipantIn), required=True, validate=validate.Length(min=1, max=50))
    stage = fields.Str(load_default="proposal", validate=validate.OneOf(STAGES))
    description = fields.Str(load_default="", validate=validate.Length(max=10000))
    direction = fields.Str(load_default=None, allow_none=True)
    # The range is checked by services.projects.parse_value (apispec would document a Decimal bound as a string).
    value_rub = fields.Decimal(load_default=None, allow_none=True, places=2, allow_nan=False)
    next_step = fields.Str(load_default="", validate=validate.Length(max=2000))
    next_step_due = fields.Date(load_default=None, allow_none=True)
    source_event_id = id_field(load_default=None, allow_none=True)


class StageIn(Schema):
    stage = fields.Str(required=True, validate=validate.OneOf(STAGES))
    note = fields.Str(load_default="", validate=validate.Length(max=2000))


class JsonBool(fields.Boolean):
    """A JSON body's boolean is true or false; marshmallow's Boolean would also take 0, 1 or "yes"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class ExportFilters(Schema):
    """The catalogue's filters for companies; status and region for needs; stage for projects."""

    q = fields.Str(validate=validate.Length(max=200))
    region = fields.Str(validate=validate.Length(max=10), metadata={"description": "ISO 3166-2 code, e.g. RU-ULY"})
    district = fields.Str(validate=validate.Length(max=100))
    capability = fields.Str(validate=validate.Length(max=100))
    okved = fields.Str(validate=validate.Length(max=20))
    verified = JsonBool()
    status = fields.Str(validate=validate.OneOf(NEED_STATUSES))
    stage = fields.Str(validate=validate.OneOf(STAGES))


class ExportIn(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(("companies", "needs", "projects")))
    format = fields.Str(required=True, validate=validate.OneOf(("xlsx", "csv")))
    filters = fields.Nested(ExportFilters, load_default=dict)


class JobCreated(Schema):
    id = fields.Int()
    status_url = fields.Str()


class JobStatus(Schema):
    state = fields.Str(validate=validate.OneOf(("queued", "running", "done", "failed")))
    progress = fields.Int(metadata={"description": "0–100"})
    download_url = fields.Str(metadata={"description": "once the file is ready; kept for a day"})
    error = fields.Str()

"""Forms for projects: filters of the pipeline, create/edit, stage change; and a company-list field that
events use too (one company a line, by INN or exact name: usable with hundreds of companies)."""

from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from registry.extensions import db
from registry.i18n import localized
from registry.labels import STAGE_LABELS
from registry.models import Capability, Company, Event, Region, User
from registry.models.project import NOTE_REQUIRED_STAGES, STAGES
from registry.translation import lazy_gettext as _l


def optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class CompanyListField(TextAreaField):
    """A textarea of companies, one a line: its INN, or its exact name (firms known without an INN).
    After validation `companies` holds the companies in the order given."""

    companies: list

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("description", _l("One company a line: its INN or its exact name."))
        kwargs.setdefault("render_kw", {"data-picker": "lines"})  # static/picker.js adds a chosen company as a line
        super().__init__(*args, **kwargs)
        self.companies = []

    def lines(self) -> list[str]:
        return list(dict.fromkeys(line.strip() for line in (self.data or "").splitlines() if line.strip()))

    def pre_validate(self, form):
        lines = self.lines()
        self.companies = []
        if not lines:
            return
        found = db.session.scalars(select(Company).where(or_(Company.inn.in_(lines), Company.name.in_(lines)))).all()
        by_key = {}
        for company in found:
            by_key.setdefault(company.name, company)
            if company.inn:
                by_key[company.inn] = company
        unknown = [line for line in lines if line not in by_key]
        if unknown:
            raise ValidationError(_l("No company with this INN or name: %(items)s", items="; ".join(unknown)))
        self.companies = list(dict.fromkeys(by_key[line] for line in lines))


def company_lines(companies) -> str:
    return "\n".join(company.inn or company.name for company in companies)


def capability_choices(blank) -> list[tuple]:
    """The taxonomy as an indented list, parents before children (one query)."""
    nodes = db.session.scalars(select(Capability).order_by(Capability.position, Capability.id)).all()
    children: dict = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    choices = [("", blank)]

    def walk(parent_id, depth):
        for node in children.get(parent_id, ()):
            choices.append((node.id, "\u2003" * depth + localized(node)))
            walk(node.id, depth + 1)

    walk(None, 0)
    return choices


def staff_choices(blank) -> list[tuple]:
    users = db.session.scalars(
        select(User).where(User.role.in_(("official", "admin")), User.active.is_(True)).order_by(User.email)
    ).all()
    return [("", blank)] + [(user.id, user.email) for user in users]


def region_choices(blank) -> list[tuple]:
    """Regions that have companies (the only ones a region pair can name)."""
    regions = db.session.scalars(
        select(Region).where(select(Company.id).where(Company.region_id == Region.id).exists()).order_by(Region.name_ru)
    ).all()
    return [("", blank)] + [(region.id, localized(region)) for region in regions]


def event_choices(blank) -> list[tuple]:
    events = db.session.scalars(select(Event).order_by(Event.held_on.desc().nulls_last(), Event.id.desc())).all()
    return [("", blank)] + [(event.id, event.title) for event in events]


def stage_choices() -> list[tuple]:
    return [(stage, STAGE_LABELS[stage]) for stage in STAGES]


class PipelineFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes

    supplier_region = SelectField(_l("Supplier region"), coerce=optional_int, validate_choice=False)
    customer_region = SelectField(_l("Customer region"), coerce=optional_int, validate_choice=False)
    direction = SelectField(_l("Direction"), coerce=optional_int, validate_choice=False)
    responsible = SelectField(_l("Responsible official"), coerce=optional_int, validate_choice=False)
    stage = SelectField(_l("Stage"), validate_choice=False)
    stalled = BooleanField(_l("Stalled only"))

    def fill_choices(self):
        self.supplier_region.choices = region_choices(_l("Any region"))
        self.customer_region.choices = region_choices(_l("Any region"))
        self.direction.choices = capability_choices(_l("Any direction"))
        self.responsible.choices = staff_choices(_l("Anyone"))
        self.stage.choices = [("", _l("Any stage"))] + stage_choices()
        return self


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    direction = SelectField(_l("Direction"), coerce=optional_int)
    value_rub = StringField(_l("Value, roubles"), validators=[Optional(), Length(max=30)],
                            description=_l("For example: 1 500 000 or 250000,50"))
    stage = SelectField(_l("Stage"), choices=stage_choices)  # on creation only; later through the stage form
    next_step = TextAreaField(_l("Next step"), validators=[Optional()])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])
    responsible = SelectField(_l("Responsible official"), coerce=optional_int)
    source_event = SelectField(_l("Source event"), coerce=optional_int)
    suppliers = CompanyListField(_l("Suppliers"))
    customers = CompanyListField(_l("Customers"))
    partners = CompanyListField(_l("Partners"))

    def fill_choices(self):
        self.direction.choices = capability_choices(_l("No direction"))
        self.responsible.choices = staff_choices(_l("Nobody yet"))
        self.source_event.choices = event_choices(_l("No event"))
        return self

    def participants(self) -> list[tuple]:
        return ([(company, "supplier") for company in self.suppliers.companies]
                + [(company, "customer") for company in self.customers.companies]
                + [(company, "partner") for company in self.partners.companies])

    def validate_partners(self, field):
        if not (self.suppliers.lines() or self.customers.lines() or field.lines()):
            raise ValidationError(_l("A project needs at least one participant."))


class StageForm(FlaskForm):
    stage = SelectField(_l("New stage"), choices=stage_choices)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("Required for «on hold» and «cancelled»."))

    def validate_note(self, field):
        if self.stage.data in NOTE_REQUIRED_STAGES and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason for this stage."))


class TaskForm(FlaskForm):
    title = StringField(_l("What is to be done"), validators=[DataRequired(), Length(max=2000)])
    owner = SelectField(_l("Owner"), coerce=optional_int, validate_choice=False,
                        description=_l("The responsible official unless you name another."))
    due_on = DateField(_l("Due date"), validators=[Optional()])

    def fill_choices(self):
        self.owner.choices = staff_choices(_l("The responsible official"))
        return self

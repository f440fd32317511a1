"""The event form: participants are chosen by INN or exact name, one a line (works for hundreds of firms)."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from registry.extensions import db
from registry.i18n import localized
from registry.labels import EVENT_KIND_LABELS
from registry.models import Region
from registry.models.event import EVENT_KINDS
from registry.projects.forms import CompanyListField, optional_int
from registry.translation import lazy_gettext as _l


class EventForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=lambda: [(kind, EVENT_KIND_LABELS[kind]) for kind in EVENT_KINDS])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    held_on = DateField(_l("Date"), validators=[Optional()])
    date_note = TextAreaField(_l("Note on the date"), validators=[Optional()],
                              description=_l("For example, how the year was inferred when the source gives none."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    region = SelectField(_l("Region"), coerce=optional_int)
    description = TextAreaField(_l("Description"), validators=[Optional()])
    companies = CompanyListField(_l("Participating companies"))

    def fill_choices(self):
        regions = db.session.scalars(select(Region).order_by(Region.name_ru)).all()
        self.region.choices = [("", _l("No region"))] + [(region.id, localized(region)) for region in regions]
        return self

"""Forms of the needs area: post or edit a need, change its status."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from registry.catalog.forms import capability_choices, validate_okved_list
from registry.labels import NEED_STATUS_LABELS
from registry.translation import lazy_gettext as _l


class NeedForm(FlaskForm):
    title = StringField(_l("What is needed"), validators=[InputRequired(), Length(max=300)])
    text = TextAreaField(_l("Details"), validators=[Optional(), Length(max=10000)],
                         description=_l("Parts, materials, drawings, requirements: suppliers are found by these words."))
    volume = StringField(_l("Volume"), validators=[Optional(), Length(max=200)])
    deadline = DateField(_l("Needed by"), validators=[Optional()])
    okved = StringField(_l("OKVED2 codes"), validators=[Optional(), validate_okved_list],
                        description=_l("Separated by commas: 25.62, 28.41"))
    # Checked by validate_capabilities: WTForms' own message for a bad choice has no Russian translation.
    capabilities = SelectMultipleField(_l("Capabilities"), validators=[Optional()], validate_choice=False,
                                       description=_l("Leave empty to have them found from the text."))

    def validate_capabilities(self, field):
        known = {value for value, _label in field.choices}
        unknown = [code for code in field.data or [] if code not in known]
        if unknown:
            raise ValidationError(_l("Unknown capability: %(codes)s.", codes=", ".join(unknown)))

    def fill_choices(self) -> None:
        self.capabilities.choices = capability_choices(_l("Any capability"))[1:]

    def load(self, need) -> None:
        for key in ("title", "text", "volume", "deadline"):
            getattr(self, key).data = getattr(need, key)
        self.okved.data = ", ".join(row.code for row in need.okved_codes)
        self.capabilities.data = [node.code for node in need.capabilities]

    def service_data(self, capability_rows) -> dict:
        return {
            "title": self.title.data, "text": self.text.data or "", "volume": self.volume.data or "",
            "deadline": self.deadline.data, "okved": self.okved.data or "", "capabilities": capability_rows,
        }


class NeedStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(NEED_STATUS_LABELS.items()))


class MatchFilterForm(FlaskForm):
    """Narrows the ranked suppliers on a need's page (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    other_regions_only = BooleanField(_l("Other regions only"))
    verified_only = BooleanField(_l("Verified suppliers only"))

    def options(self) -> dict:
        return {"other_regions_only": bool(self.other_regions_only.data), "verified_only": bool(self.verified_only.data)}

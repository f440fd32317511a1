from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from registry.translation import lazy_gettext as _l


class LoginForm(FlaskForm):
    # No format check here: whatever address an account has must be able to log in.
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


class RegistrationForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(_l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))])
    inn = StringField(_l("Company INN"), validators=[DataRequired(), Length(max=20)])
    company_name = StringField(_l("Company name (if it is not in the registry yet)"), validators=[Optional(), Length(max=300)])
    region = StringField(_l("Region (if the company is new), e.g. RU-ULY"), validators=[Optional(), Length(max=120)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[EqualTo("password", _l("The passwords differ."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[EqualTo("password", _l("The passwords differ."))])


class UserForm(FlaskForm):
    role = SelectField(_l("Role"))
    region = SelectField(_l("Region"), coerce=lambda value: int(value) if value else None)
    active = BooleanField(_l("Access allowed"))

    def fill_choices(self, regions) -> "UserForm":
        from registry.i18n import localized
        from registry.labels import ROLE_LABELS

        self.role.choices = [(code, label) for code, label in ROLE_LABELS.items()]
        self.region.choices = [("", _l("Any region"))] + [(region.id, localized(region)) for region in regions]
        return self


class InviteForm(FlaskForm):
    """An administrator invites an official (with a region) or a company representative (with a company)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"))
    region = SelectField(_l("Region (officials)"), validators=[Optional()])
    company_inn = StringField(_l("Company INN (representatives)"), validators=[Optional(), Length(max=20)])
    locale = SelectField(_l("Language of the invitation"), choices=[("ru", "Русский"), ("en", "English")])

    def fill_choices(self, regions) -> "InviteForm":
        from registry.i18n import localized
        from registry.labels import ROLE_LABELS

        self.role.choices = [(code, label) for code, label in ROLE_LABELS.items()]
        self.region.choices = [("", _l("Any region"))] + [(region.iso_code or region.inn_code, localized(region))
                                                           for region in regions]
        return self


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what will use the token)"), validators=[DataRequired(), Length(max=100)])
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()])


class AuditFilterForm(FlaskForm):
    """The audit log's filters (a GET form: nothing is changed, so no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField(_l("Who (e-mail or part of it)"), validators=[Optional(), Length(max=254)])
    entity_type = SelectField(_l("Record type"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def fill_choices(self, entities: dict) -> "AuditFilterForm":
        self.entity_type.choices = [("", _l("Any"))] + [(code, label) for code, label in entities.items()]
        return self


ALERT_CHOICES = [
    ("immediate", _l("At once: a mail for each")),
    ("daily", _l("Once a day: one digest mail (09:00 Moscow time)")),
    ("off", _l("No mails")),
]


class NotificationsForm(FlaskForm):
    """What a user is mailed; each role sees only the choices that concern it."""

    need_alerts = RadioField(_l("New needs that match my company"), choices=ALERT_CHOICES)
    region_alerts = RadioField(_l("New companies and needs in my region"), choices=ALERT_CHOICES)
    weekly_digest = BooleanField(_l("On Mondays, a digest of my stalled projects and next steps past due"))

    FIELDS_BY_ROLE = {"company": ("need_alerts",), "official": ("region_alerts", "weekly_digest")}

    def for_role(self, role: str) -> "NotificationsForm":
        for name in ("need_alerts", "region_alerts", "weekly_digest"):
            if name not in self.FIELDS_BY_ROLE.get(role, ()):
                delattr(self, name)
        return self

    def preferences(self) -> dict:
        return {name: self[name].data for name in ("need_alerts", "region_alerts", "weekly_digest") if name in self}

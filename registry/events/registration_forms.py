"""Forms of event matchmaking: the official's settings, a firm's registration, a participants spreadsheet."""

import re
from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from registry.services.event_registration import MAX_ATTENDEES, MAX_TABLES, parse_time
from registry.translation import lazy_gettext as _l

SLOT_LINE = re.compile(r"^\s*(\S+)\s*[-–—]\s*(\S+)\s*$")


def time_pairs(text: str, field_label) -> list[tuple]:
    """«10:00-10:15» pairs, one a line or separated by commas; a line that is no such pair is named."""
    pairs = []
    for number, line in enumerate((part for part in re.split(r"[\n,;]+", text or "") if part.strip()), start=1):
        match = SLOT_LINE.match(line)
        try:
            pairs.append((parse_time(match[1]), parse_time(match[2])))
        except (TypeError, ValueError):
            raise ValidationError(_l("%(label)s %(number)s: write it as 10:00-10:15.", label=field_label,
                                     number=number)) from None
    return pairs


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MatchmakingForm(FlaskForm):
    slots = TextAreaField(_l("Time slots"), description=_l("One slot a line, e.g. 10:00-10:15. Gaps between "
                                                           "slots are breaks."))
    tables = IntegerField(_l("Tables"), validators=[InputRequired(), NumberRange(1, MAX_TABLES)])
    registration_open = BooleanField(_l("Firms may register themselves"))
    registration_closes_on = DateField(_l("Registration closes on"), validators=[Optional()],
                                       description=_l("The last day to register (inclusive)."))
    requests_expire_at = DateTimeLocalField(_l("Unanswered meeting requests expire at"), validators=[Optional()],
                                            format="%Y-%m-%dT%H:%M", description=_l("Moscow time."))
    cross_region_first = BooleanField(_l("Suggest firms of other regions first"))
    follow_up_on = DateField(_l("Ask about outcomes again on"), validators=[Optional()])
    # The generator fills the slots field; nothing is saved until the form is saved.
    generate_from = StringField(_l("First slot starts at"), validators=[Optional(), Length(max=5)], default="10:00")
    generate_to = StringField(_l("Last slot ends by"), validators=[Optional(), Length(max=5)], default="13:00")
    generate_minutes = IntegerField(_l("Minutes each"), validators=[Optional(), NumberRange(5, 240)], default=15)
    generate_breaks = StringField(_l("Breaks"), validators=[Optional(), Length(max=200)],
                                  description=_l("For example: 11:30-11:45"))

    slot_pairs: list

    def validate_slots(self, field):
        self.slot_pairs = time_pairs(field.data, _l("Line"))

    def generator_input(self):
        """(start, end, minutes, breaks) of the generator, or None with errors on its fields."""
        try:
            start, end = parse_time(self.generate_from.data), parse_time(self.generate_to.data)
        except ValueError:
            self.generate_from.errors = [_l("Write the times as 10:00.")]
            return None
        if end <= start:
            self.generate_to.errors = [_l("The end must come after the start.")]
            return None
        try:
            breaks = time_pairs(self.generate_breaks.data, _l("Break"))
        except ValidationError as error:
            self.generate_breaks.errors = [str(error)]
            return None
        return start, end, self.generate_minutes.data or 15, breaks


class RegistrationForm(FlaskForm):
    attendees = TextAreaField(_l("Who comes"), validators=[Optional(), Length(max=MAX_ATTENDEES)],
                              description=_l("Names and positions of the firm's people at the event."))
    offers = MultiCheckboxField(_l("Capabilities the firm brings"), coerce=int)
    needs = MultiCheckboxField(_l("Needs the firm brings"), coerce=int)
    unavailable = MultiCheckboxField(_l("Slots when the firm is NOT available"), coerce=int)


class UnregisterForm(FlaskForm):
    """Only the CSRF token: the firm is named in the address."""


class ParticipantsImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (XLSX or CSV)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx", "csv"], _l("Upload an Excel file (.xlsx) or a CSV file (.csv)."))])


def local_naive(moment: datetime | None, zone) -> datetime | None:
    """An aware time as the form shows it: the wall-clock time in `zone`."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None

"""Forms beside an introduction: the receiving firm's answer and a message to the other firm."""

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from registry.services.introductions import ANSWER_NOTE_MAX_LENGTH, MESSAGE_MAX_LENGTH
from registry.translation import lazy_gettext as _l


class AnswerForm(FlaskForm):
    # Two buttons named "decision" carry the value: one click answers.
    decision = SelectField(_l("Answer"), choices=[("accepted", _l("Accept")), ("declined", _l("Decline"))],
                           validators=[DataRequired(_l("Choose to accept or to decline."))])
    note = TextAreaField(_l("Note for the other firm (optional)"), validators=[
        Optional(), Length(max=ANSWER_NOTE_MAX_LENGTH,
                           message=_l("The note is too long (at most %(max)d characters)."))])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write a message.")),
        Length(max=MESSAGE_MAX_LENGTH, message=_l("The message is too long (at most %(max)d characters)."))])

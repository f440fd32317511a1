"""Forms of the import and export page."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional, ValidationError

from registry.translation import lazy_gettext as _l

KIND_CHOICES = (("companies", _l("Companies")), ("needs", _l("Needs")), ("projects", _l("Projects")))


class UploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet (XLSX or CSV)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx", "csv"], _l("Upload an Excel file (.xlsx) or a CSV file (.csv)."))])
    kind = SelectField(_l("What the file holds"), choices=[("", _l("Recognise from the headers")), *KIND_CHOICES],
                       default="")


class ExportForm(FlaskForm):
    """Only the CSRF token: the filters are the catalogue's query-string names, read by the export service."""


class ConfirmForm(FlaskForm):
    update_existing = BooleanField(_l("Update records already registered with the file's values"))


class ReportForm(FlaskForm):
    """The period of the project report, which the job worker writes."""

    start = DateField(_l("Stage changes from"), validators=[Optional()])
    end = DateField(_l("to"), validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period is before its start."))

"""Import and export: upload → preview → confirm, exports, templates and the governor's project report.

Officials and administrators only. The uploaded file stays on the server between the steps
(`registry.transfer.uploads`); the preview is a dry run of the same service the confirmation runs. The
confirmed import, exports and the report are jobs (`registry.jobs`): the page shows their progress.
"""

import io

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registry.auth.permissions import roles_required
from registry.extensions import db
from registry.jobs.views import status_of as job_status
from registry.models import Capability, Job, Region
from registry.services import exports, imports, jobs
from registry.transfer import bp, uploads
from registry.transfer.forms import ConfirmForm, ExportForm, ReportForm, UploadForm

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}


def max_upload_bytes() -> int:
    return int(current_app.config["TRANSFER_MAX_UPLOAD_MB"]) * 1024 * 1024


@bp.get("/")
@roles_required("official", "admin")
def index():
    return render_page(UploadForm())


def render_page(form, status=200, report_form=None):
    regions = db.session.scalars(select(Region).order_by(Region.name_ru)).all()
    capabilities = db.session.scalars(select(Capability).order_by(Capability.position, Capability.id)).all()
    return render_template("transfer/index.html", form=form, report_form=report_form or ReportForm(), export_form=ExportForm(),
                           regions=regions, capabilities=capabilities, kinds=imports.KINDS,
                           max_upload_mb=max_upload_bytes() // (1024 * 1024)), status


@bp.post("/import")
@roles_required("official", "admin")
def upload():
    request.max_content_length = max_upload_bytes() + 1024 * 1024  # a larger body is cut off with 413
    form = UploadForm()
    if not form.validate_on_submit():
        return render_page(form, 400)
    content = form.file.data.read()
    if len(content) > max_upload_bytes():
        form.file.errors.append(_("The file is larger than %(size)s MB.", size=max_upload_bytes() // (1024 * 1024)))
        return render_page(form, 400)
    filename = form.file.data.filename or "upload"
    token = uploads.save(content, filename, form.kind.data, current_user)
    check = jobs.submit("check_import", {"token": token, "filename": filename}, user=current_user)
    db.session.commit()
    return redirect(url_for("transfer.preview", token=token, check=check.id))


def load_upload(token):
    upload = uploads.load(token, current_user)
    if upload is None:
        abort(404)
    return upload


@bp.get("/import/<token>")
@roles_required("official", "admin")
def preview(token):
    """The check of every row, run by the job worker; the page waits for it, then shows the report."""
    check = db.session.get(Job, request.args.get("check", type=int) or 0)
    own_check = check is not None and check.user_id == current_user.id and check.params.get("token") == token
    upload = uploads.load(token, current_user)
    if upload is None:
        if own_check and check.state == "failed":  # a refused file is deleted at once: its check says why
            return render_template("transfer/checking.html", filename=check.params.get("filename", ""), job=check,
                                   status=job_status(check))
        abort(404)
    if not own_check:  # e.g. a bookmarked page
        check = jobs.submit("check_import", {"token": token, "filename": upload.filename}, user=current_user)
        db.session.commit()
        return redirect(url_for("transfer.preview", token=token, check=check.id))
    if check.state != "done":
        return render_template("transfer/checking.html", filename=upload.filename, job=check, status=job_status(check))
    return render_template("transfer/preview.html", report=check.result, upload=upload, form=ConfirmForm())


@bp.post("/import/<token>")
@roles_required("official", "admin")
def confirm(token):
    """The checked file is imported by the job worker, in one transaction: all rows or none."""
    upload = load_upload(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("transfer.preview", token=token))
    job = jobs.submit("import", {"token": upload.token, "update_existing": bool(form.update_existing.data)},
                      user=current_user)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.get("/template/<kind>.<fmt>")
@roles_required("official", "admin")
def template(kind, fmt):
    if kind not in imports.KINDS or fmt not in imports.FORMATS:
        abort(404)
    stream = io.BytesIO()
    exports.write_template(stream, kind, fmt)
    stream.seek(0)
    return send_file(stream, mimetype=MIME[fmt], as_attachment=True, download_name=f"template-{kind}.{fmt}")


EXPORT_FILTERS = ("q", "region", "district", "capability", "okved", "verified", "status", "stage")


@bp.post("/export/<kind>.<fmt>")
@roles_required("official", "admin")
def export(kind, fmt):
    if kind not in imports.KINDS or fmt not in imports.FORMATS:
        abort(404)
    if not ExportForm().validate_on_submit():
        abort(400)
    filters = {name: request.form[name].strip() for name in EXPORT_FILTERS if request.form.get(name, "").strip()}
    job = jobs.submit("export", {"kind": kind, "format": fmt, "filters": filters}, user=current_user)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.post("/report/projects.xlsx")
@roles_required("official", "admin")
def project_report():
    form = ReportForm()
    if not form.validate_on_submit():
        return render_page(UploadForm(), 400, report_form=form)
    period = {key: field.data.isoformat() for key, field in (("start", form.start), ("end", form.end)) if field.data}
    job = jobs.submit("report", period, user=current_user)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job.id))

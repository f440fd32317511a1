"""Import and export: upload → preview → confirm, exports, templates and the governor's project report.

Officials and administrators only. The uploaded file stays on the server between the steps
(`registry.transfer.uploads`); the preview is a dry run of the same service the confirmation runs.
"""

import io
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registry.auth.permissions import roles_required
from registry.extensions import db
from registry.models import Capability, Region
from registry.services import ServiceError, exports, imports, reports
from registry.transfer import bp, uploads
from registry.transfer.forms import ConfirmForm, ReportForm, UploadForm

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
DEFAULT_MAX_UPLOAD_MB = 10


def max_upload_bytes() -> int:
    return int(current_app.config.get("TRANSFER_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * 1024 * 1024


@bp.get("/")
@roles_required("official", "admin")
def index():
    return render_page(UploadForm())


def render_page(form, status=200, report_form=None):
    regions = db.session.scalars(select(Region).order_by(Region.name_ru)).all()
    capabilities = db.session.scalars(select(Capability).order_by(Capability.position, Capability.id)).all()
    return render_template("transfer/index.html", form=form, report_form=report_form or ReportForm(request.args),
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
    token = uploads.save(content, form.file.data.filename or "upload", form.kind.data, current_user)
    db.session.commit()
    return redirect(url_for("transfer.preview", token=token))


def load_upload(token):
    upload = uploads.load(token, current_user)
    if upload is None:
        abort(404)
    return upload


@bp.get("/import/<token>")
@roles_required("official", "admin")
def preview(token):
    upload = load_upload(token)
    try:
        # A dry run that counts existing records as updates: the checkbox below decides.
        report = imports.import_file(upload.content, upload.filename, kind=upload.kind or None,
                                     update_existing=True, dry_run=True)
    except ServiceError as error:
        db.session.rollback()
        uploads.discard(token)
        db.session.commit()
        flash(error.message, "danger")
        return redirect(url_for("transfer.index"))
    db.session.rollback()
    return render_template("transfer/preview.html", report=report, upload=upload, form=ConfirmForm())


@bp.post("/import/<token>")
@roles_required("official", "admin")
def confirm(token):
    upload = load_upload(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("transfer.preview", token=token))
    try:
        report = imports.import_file(upload.content, upload.filename, kind=upload.kind or None,
                                     update_existing=form.update_existing.data, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("transfer.index"))
    except BaseException:
        db.session.rollback()  # an interrupted import keeps nothing
        raise
    if not report.ok:
        db.session.rollback()
        return render_template("transfer/preview.html", report=report, upload=upload, form=form, refused=True), 422
    uploads.discard(token)
    db.session.commit()
    flash(_("Imported from %(file)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            file=upload.filename, created=report.created, updated=report.updated, unchanged=report.unchanged), "success")
    return redirect(url_for("transfer.index"))


@bp.get("/template/<kind>.<fmt>")
@roles_required("official", "admin")
def template(kind, fmt):
    if kind not in imports.KINDS or fmt not in imports.FORMATS:
        abort(404)
    stream = io.BytesIO()
    exports.write_template(stream, kind, fmt)
    stream.seek(0)
    return send_file(stream, mimetype=MIME[fmt], as_attachment=True, download_name=f"template-{kind}.{fmt}")


@bp.get("/export/<kind>.<fmt>")
@roles_required("official", "admin")
def export(kind, fmt):
    if kind not in imports.KINDS or fmt not in imports.FORMATS:
        abort(404)
    download_name = f"{kind}-{date.today():%Y-%m-%d}.{fmt}"
    stream = io.BytesIO()
    exports.export(stream, kind, fmt, args=request.args, actor=current_user, filename=download_name)
    db.session.commit()
    stream.seek(0)
    return send_file(stream, mimetype=MIME[fmt], as_attachment=True, download_name=download_name)


@bp.get("/report/projects.xlsx")
@roles_required("official", "admin")
def project_report():
    form = ReportForm(request.args)
    if not form.validate():
        return render_page(UploadForm(), 400, report_form=form)
    stream = io.BytesIO()
    period = reports.build_report(stream, start=form.start.data, end=form.end.data, actor=current_user)
    db.session.commit()
    stream.seek(0)
    return send_file(stream, mimetype=MIME["xlsx"], as_attachment=True,
                     download_name=f"projects-report-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.xlsx")

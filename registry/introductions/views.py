from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registry.auth.permissions import can_express_interest, require, roles_required
from registry.extensions import db
from registry.introductions import bp
from registry.models import Company, Introduction, Need
from registry.services import ServiceError, introductions
from registry.services import matching as matching_service
from registry.url_safety import safe_next


@bp.post("/")
@login_required
def create():
    """Interest on a match, from the need's page (its company or an official) or from a supplier's
    opportunities (the supplier or an official)."""
    need = db.get_or_404(Need, request.form.get("need_id", type=int))
    supplier = db.get_or_404(Company, request.form.get("supplier_id", type=int))
    require(can_express_interest(current_user, need, supplier))
    match = matching_service.explain_supplier(need, supplier)
    try:
        introductions.express_interest(need, supplier, actor=current_user, score=match.score if match else None)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("Interest is recorded; the other side has been notified."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("needs.detail", need_id=need.id))


@bp.get("/")
@roles_required("official", "admin")
def index():
    items = db.session.scalars(
        select(Introduction)
        .options(joinedload(Introduction.need).joinedload(Need.company).joinedload(Company.region),
                 joinedload(Introduction.supplier).joinedload(Company.region),
                 joinedload(Introduction.requested_by), joinedload(Introduction.project))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc())
        .limit(200)
    ).all()
    return render_template("introductions/index.html", introductions=items)


@bp.post("/<int:introduction_id>/project")
@roles_required("official", "admin")
def start_project(introduction_id: int):
    introduction = db.get_or_404(Introduction, introduction_id)
    try:
        project = introductions.start_project(introduction, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("introductions.index"))
    db.session.commit()
    flash(_("The project is created at the proposal stage."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))

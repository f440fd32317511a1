"""Introductions: interest on a match, its page (answer, messages) and the lists of those one may see."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.auth.permissions import (
    can_answer_introduction,
    can_express_interest,
    can_view_introduction,
    is_staff,
    represents,
    require,
    roles_required,
)
from registry.extensions import db
from registry.introductions import bp
from registry.introductions.forms import AnswerForm, MessageForm
from registry.introductions.queries import LIST_LOAD, newest_first, visible_introductions
from registry.models import Company, Introduction, IntroductionMessage, Need
from registry.services import ServiceError, introductions
from registry.services import matching as matching_service
from registry.services.notifications import describe_all
from registry.url_safety import safe_next

LIST_LIMIT = 200


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
        introduction, notified = introductions.express_interest(
            need, supplier, actor=current_user, score=match.score if match else None)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        if notified:
            flash(_("Interest is recorded.") + " " + describe_all(notified), "success")
        else:
            flash(_("Interest in this supplier was already recorded; nobody was notified again."), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("needs.detail", need_id=need.id))


@bp.get("/")
@login_required
def index():
    require(is_staff(current_user) or (current_user.role == "company" and current_user.company_approved))
    items = db.session.scalars(newest_first(visible_introductions(current_user), LIST_LIMIT)).all()
    return render_template("introductions/index.html", introductions=items, staff=is_staff(current_user))


def load_introduction(introduction_id: int) -> Introduction:
    introduction = db.session.scalar(
        select(Introduction).where(Introduction.id == introduction_id).options(
            *LIST_LOAD,
            joinedload(Introduction.answered_by),
            joinedload(Introduction.need).selectinload(Need.capabilities),
            joinedload(Introduction.need).selectinload(Need.okved_codes),
            selectinload(Introduction.messages).joinedload(IntroductionMessage.author),
        ))
    if introduction is None:
        abort(404)
    require(can_view_introduction(current_user, introduction))
    return introduction


def render_detail(introduction: Introduction, *, answer_form=None, message_form=None, status: int = 200):
    may_answer = introduction.status == "new" and can_answer_introduction(current_user, introduction)
    return render_template(
        "introductions/detail.html", introduction=introduction,
        match=matching_service.explain_supplier(introduction.need, introduction.supplier),
        explain=matching_service.explain, staff=is_staff(current_user),
        answer_form=(answer_form or AnswerForm()) if may_answer else None,
        message_form=message_form or MessageForm(),
        own_firm_id=current_user.company_id if represents(current_user, introduction.supplier)
        or represents(current_user, introduction.need.company) else None,
    ), status


@bp.get("/<int:introduction_id>")
@login_required
def detail(introduction_id: int):
    return render_detail(load_introduction(introduction_id))


@bp.post("/<int:introduction_id>/answer")
@login_required
def answer(introduction_id: int):
    introduction = load_introduction(introduction_id)
    require(can_answer_introduction(current_user, introduction))
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_detail(introduction, answer_form=form, status=400)
    try:
        notified = introductions.answer(introduction, form.decision.data, note=form.note.data or "",
                                        actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
    else:
        db.session.commit()
        flash(_("Your answer is saved.") + " " + describe_all(notified), "success")
    return redirect(url_for("introductions.detail", introduction_id=introduction_id))


@bp.post("/<int:introduction_id>/messages")
@login_required
def post_message(introduction_id: int):
    introduction = load_introduction(introduction_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return render_detail(introduction, message_form=form, status=400)
    try:
        _message, notified = introductions.post_message(introduction, form.body.data, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        form.body.errors = [*form.body.errors, str(error.message)]
        return render_detail(introduction, message_form=form, status=400)
    db.session.commit()
    flash(_("Your message is sent.") + " " + describe_all(notified), "success")
    return redirect(url_for("introductions.detail", introduction_id=introduction_id, _anchor="messages"))


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

"""Needs: the public list of open needs, a need's page, and posting, editing and closing needs."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from registry.auth.permissions import (
    can_express_interest,
    can_manage_need,
    can_post_need,
    can_see_company,
    require,
)
from registry.catalog.forms import CatalogFilterForm
from registry.catalog.queries import NEED_SORTS, need_query
from registry.catalog.views import show_service_errors, submitted_and_valid, typed_company
from registry.extensions import db
from registry.models import Capability, Company, Need
from registry.needs import bp
from registry.needs.forms import MatchFilterForm, NeedForm, NeedStatusForm
from registry.pagination import paginate
from registry.services import ServiceError, matching, needs

MATCHES_SHOWN = 10


@bp.get("/")
def index():
    form = CatalogFilterForm(request.args)
    form.fill_choices(sorts=NEED_SORTS)
    if not form.validate():
        return render_template("needs/index.html", form=form, pagination=None), 400
    stmt = need_query(form.filters(str(get_locale()))).options(
        contains_eager(Need.company).contains_eager(Company.region),
        selectinload(Need.capabilities),
    )
    return render_template("needs/index.html", form=form, pagination=paginate(stmt))


def load_need(need_id: int) -> Need:
    need = db.session.scalar(
        select(Need).where(Need.id == need_id).options(
            joinedload(Need.company).joinedload(Company.region),
            selectinload(Need.capabilities),
            selectinload(Need.okved_codes),
        )
    )
    if need is None or not can_see_company(current_user, need.company):
        abort(404)
    return need


@bp.get("/<int:need_id>")
def detail(need_id: int):
    need = load_need(need_id)
    may_manage = can_manage_need(current_user, need)
    match_filters = MatchFilterForm(request.args)
    matches = []
    if need.status != "closed" and match_filters.validate():
        matches = matching.suppliers_for(need, limit=MATCHES_SHOWN, min_score=matching.MIN_SCORE_SHOWN,
                                         **match_filters.options())
    inferred_capabilities, inferred_okved = matching.inferred_for(need)
    return render_template(
        "needs/detail.html", need=need, can_manage=may_manage, matches=matches, match_filters=match_filters,
        inferred_capabilities=inferred_capabilities, inferred_okved=inferred_okved,
        introduced=matching.introduced_suppliers(need), explain=matching.explain, min_score=matching.MIN_SCORE_SHOWN,
        may_introduce=lambda supplier: can_express_interest(current_user, need, supplier),
        status_form=NeedStatusForm(status=need.status) if may_manage else None,
    )


def chosen_capabilities(form: NeedForm) -> list[Capability]:
    codes = form.capabilities.data or []
    if not codes:
        return []
    rows = {row.code: row for row in db.session.scalars(select(Capability).where(Capability.code.in_(codes)))}
    return [rows[code] for code in codes if code in rows]


def company_for_new_need() -> Company:
    """The company a need is posted for: ?company_id=, the representative's own company, or for others the
    firm chosen on a small page first (?firm=: an INN or exact name, which the picker fills in)."""
    company_id = request.args.get("company_id", type=int)
    if company_id is None and current_user.is_authenticated and current_user.role == "company":
        company_id = current_user.company_id
    if company_id is None:
        require(current_user.is_authenticated)
        typed = request.args.get("firm", "").strip()
        if typed and (company := typed_company(typed)):
            return company
        abort(make_response(render_template("needs/choose_company.html", typed=typed)))
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404)
    return company


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(current_user.is_authenticated)
    company = company_for_new_need()
    require(can_post_need(current_user, company))
    form = NeedForm()
    form.fill_choices()
    if submitted_and_valid(form, lambda: needs.validate_need_data(form.service_data(None))):
        # No node chosen: None lets the service find the nodes from the text.
        data = form.service_data(chosen_capabilities(form) or None)
        try:
            need = needs.create_need(company, data, actor=current_user)
        except ServiceError as error:
            show_service_errors(form, error)
        else:
            db.session.commit()
            flash(_("Need posted."), "success")
            return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/form.html", form=form, company=company, need=None), 400 if form.errors else 200


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
def edit(need_id: int):
    need = load_need(need_id)
    require(can_manage_need(current_user, need))
    form = NeedForm()
    form.fill_choices()
    if request.method == "GET":
        form.load(need)
    elif submitted_and_valid(form, lambda: needs.validate_need_data(form.service_data(None), partial=True,
                                                                    current_deadline=need.deadline)):
        # No node chosen: the service classifies the need's own words into nodes again.
        capabilities = chosen_capabilities(form) or [f"{form.title.data}. {form.text.data or ''}"]
        try:
            needs.update_need(need, form.service_data(capabilities), actor=current_user)
        except ServiceError as error:
            show_service_errors(form, error)
        else:
            db.session.commit()
            flash(_("Need saved."), "success")
            return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/form.html", form=form, company=need.company, need=need), 400 if form.errors else 200


@bp.post("/<int:need_id>/status")
def change_status(need_id: int):
    need = load_need(need_id)
    require(can_manage_need(current_user, need))
    form = NeedStatusForm()
    if not form.validate_on_submit():
        flash(_("Choose a status."), "danger")
        return redirect(url_for("needs.detail", need_id=need.id))
    needs.set_status(need, form.status.data, actor=current_user)
    db.session.commit()
    flash(_("Need status changed."), "success")
    return redirect(url_for("needs.detail", need_id=need.id))



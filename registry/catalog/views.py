"""The catalogue: the public company list and company pages, and the edit forms behind permissions."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from registry.auth.permissions import (
    can_edit_company,
    can_express_interest,
    can_moderate_company,
    can_post_need,
    can_see_company,
    can_verify_company,
    is_staff,
    require,
)
from registry.catalog import bp
from registry.catalog.forms import (
    CatalogFilterForm,
    CompanyProfileForm,
    ContactsForm,
    OfferForm,
    VerificationForm,
    moderation_form,
)
from registry.catalog.history import describer
from registry.catalog.queries import companies_by_inn_or_name, company_query, suggest_companies, text_search
from registry.extensions import db
from registry.i18n import localized
from registry.models import (
    AuditEntry,
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Need,
    Project,
    ProjectParticipant,
)
from registry.models.company import PUBLISHED
from registry.pagination import paginate
from registry.services import ServiceError, companies, matching, moderation
from registry.services.notifications import describe_all

OPPORTUNITIES_SHOWN = 10

HISTORY_LIMIT = 100


def submitted_and_valid(form, check) -> bool:
    """Validates a submitted form and, even when the form has errors, runs the service's own `check` of the
    same data: every problem shows at once, not the form's first and the service's once those are fixed."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    try:
        check()
    except ServiceError as error:
        show_service_errors(form, error)
        return False
    except (TypeError, ValueError, AttributeError):
        pass  # data the form already refused, which the check cannot even read
    return valid


def show_service_errors(form, error: ServiceError) -> None:
    """Puts a service's field errors next to the form's fields (or above the form when no field fits)."""
    db.session.rollback()
    placed = False
    for field_name, messages in (error.errors or {}).items():
        field = getattr(form, field_name, None)
        if field is not None:
            field.errors = list(field.errors) + [str(message) for message in messages]
            placed = True
    if not placed:
        form.form_errors.append(str(error.message))


@bp.get("/")
def index():
    form = CatalogFilterForm(request.args)
    form.fill_choices()
    if not form.validate():
        return render_template("catalog/index.html", form=form, pagination=None), 400
    filters = form.filters(str(get_locale()))
    search = text_search(filters.q)
    stmt = company_query(filters, search=search).options(
        contains_eager(Company.region),
        selectinload(Company.offers).joinedload(CapabilityOffer.capability),
        selectinload(Company.okveds),
    )
    found_by = {company_id: matching.found_by(match) for company_id, match in search.matches.items()} if search else {}
    return render_template("catalog/index.html", form=form, pagination=paginate(stmt), found_by=found_by)


def typed_company(typed: str) -> Company | None:
    """The one company typed by INN or exact name (the picker fills these in); None with a warning otherwise."""
    found = companies_by_inn_or_name(typed)
    if len(found) != 1:
        flash(_("No company with this INN or name: %(items)s", items=typed) if not found
              else _("Several companies have this name: give the INN."), "warning")
    return found[0] if len(found) == 1 else None


@bp.get("/suggest")
def suggest():
    """Companies for the participant picker (static/picker.js): [{id, name, inn, region}], active ones only,
    what the public catalogue shows anyway."""
    companies = suggest_companies(request.args.get("q", "")[:200])
    return jsonify([{"id": company.id, "name": company.name, "inn": company.inn,
                     "region": localized(company.region) if company.region else None} for company in companies])


def load_company(company_id: int) -> Company:
    company = db.session.scalar(
        select(Company).where(Company.id == company_id).options(
            joinedload(Company.region),
            selectinload(Company.okveds).joinedload(CompanyOkved.okved),
            selectinload(Company.offers).joinedload(CapabilityOffer.capability),
            selectinload(Company.contacts),
        )
    )
    if company is None or not can_see_company(current_user, company):
        abort(404)
    return company


@bp.get("/<int:company_id>")
def detail(company_id: int):
    company = load_company(company_id)
    open_needs = db.session.scalars(
        select(Need).where(Need.company_id == company.id, Need.status == "open").order_by(Need.updated_at.desc())
    ).all()
    staff = is_staff(current_user)
    project_options = [joinedload(Project.direction)]
    if staff:
        project_options.append(
            selectinload(Project.participants).joinedload(ProjectParticipant.company).joinedload(Company.region)
        )
    projects = db.session.scalars(
        select(Project)
        .where(Project.id.in_(select(ProjectParticipant.project_id).where(ProjectParticipant.company_id == company.id)))
        .options(*project_options)
        .order_by(Project.updated_at.desc(), Project.id.desc())
    ).all()
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "company", AuditEntry.entity_id == company.id)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return render_template(
        "catalog/detail.html", company=company, open_needs=open_needs, projects=projects, history=history,
        staff=staff, can_edit=can_edit_company(current_user, company), describe_entry=describer(history),
        can_post_need=can_post_need(current_user, company),
        verification_form=VerificationForm(state=company.verification) if can_verify_company(current_user, company) else None,
        moderation_form=moderation_form(company) if company.publication != PUBLISHED
        and can_moderate_company(current_user, company) else None,
        project_pages="projects.detail" in current_app.view_functions,
        opportunities=matching.opportunities_for(company, limit=OPPORTUNITIES_SHOWN, min_score=matching.MIN_SCORE_SHOWN)
        if company.active else [],
        explain=matching.explain,
        may_introduce=lambda need: can_express_interest(current_user, need, company),
        inn_region=companies.inn_region(company),
    )


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id: int):
    company = load_company(company_id)
    require(can_edit_company(current_user, company))
    form = CompanyProfileForm()
    form.fill_choices()
    if request.method == "GET":
        form.load(company)
    elif submitted_and_valid(form, lambda: companies.validate_company_data(form.service_data(), company=company,
                                                                           partial=True)):
        try:
            companies.update_company(company, form.service_data(), actor=current_user)
        except ServiceError as error:
            show_service_errors(form, error)
        else:
            db.session.commit()
            flash(_("Company profile saved."), "success")
            return redirect(url_for("catalog.detail", company_id=company.id))
    return render_template("catalog/edit.html", company=company, form=form), 400 if form.errors else 200


def load_offer(company: Company, offer_id: int) -> CapabilityOffer:
    offer = next((offer for offer in company.offers if offer.id == offer_id), None)
    if offer is None:
        abort(404)
    return offer


def capability_by_code(code: str) -> Capability | None:
    return db.session.scalar(select(Capability).where(Capability.code == code)) if code else None


@bp.route("/<int:company_id>/offers/new", methods=["GET", "POST"], defaults={"offer_id": None})
@bp.route("/<int:company_id>/offers/<int:offer_id>/edit", methods=["GET", "POST"])
def edit_offer(company_id: int, offer_id: int | None):
    company = load_company(company_id)
    require(can_edit_company(current_user, company))
    offer = load_offer(company, offer_id) if offer_id else None
    form = OfferForm(obj=offer) if request.method == "GET" else OfferForm()
    form.fill_choices()
    if request.method == "GET" and offer is not None:
        form.capability.data = offer.capability.code if offer.capability else ""
    elif form.validate_on_submit():
        try:
            companies.save_offer(
                company, actor=current_user, offer=offer, capability=capability_by_code(form.capability.data),
                text=form.text.data, equipment=form.equipment.data, capacity=form.capacity.data,
                certifications=form.certifications.data,
            )
        except ServiceError as error:
            show_service_errors(form, error)
        else:
            db.session.commit()
            flash(_("Capability saved."), "success")
            return redirect(url_for("catalog.detail", company_id=company.id, _anchor="offers"))
    return render_template("catalog/offer.html", company=company, offer=offer, form=form), 400 if form.errors else 200


@bp.post("/<int:company_id>/offers/<int:offer_id>/delete")
def delete_offer(company_id: int, offer_id: int):
    company = load_company(company_id)
    require(can_edit_company(current_user, company))
    companies.delete_offer(load_offer(company, offer_id), actor=current_user)
    db.session.commit()
    flash(_("Capability deleted."), "success")
    return redirect(url_for("catalog.detail", company_id=company.id, _anchor="offers"))


@bp.route("/<int:company_id>/contacts", methods=["GET", "POST"])
def edit_contacts(company_id: int):
    company = load_company(company_id)
    require(can_edit_company(current_user, company))
    form = ContactsForm()
    if request.method == "GET":
        form.load(company)
    elif form.validate_on_submit():
        try:
            companies.update_company(company, form.service_data(), actor=current_user)
        except ServiceError as error:
            show_service_errors(form, error)
        else:
            db.session.commit()
            flash(_("Contacts saved."), "success")
            return redirect(url_for("catalog.detail", company_id=company.id, _anchor="contacts"))
    return render_template("catalog/contacts.html", company=company, form=form), 400 if form.errors else 200


@bp.post("/<int:company_id>/publication")
def moderate(company_id: int):
    """An official publishes a self-registered firm or refuses it, from the desk or the firm's page."""
    company = load_company(company_id)
    require(can_moderate_company(current_user, company))
    form = moderation_form(company)
    back = request.form.get("next") == "cabinet" and "cabinet.index" in current_app.view_functions
    target = url_for("cabinet.index", _anchor="publication") if back else url_for("catalog.detail", company_id=company.id)
    if not form.validate_on_submit():
        flash(_("Choose whether to publish the company or to refuse it."), "danger")
        return redirect(target)
    try:
        notified = moderation.decide(company, form.decision.data, note=form.note.data, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(target)
    db.session.commit()
    done = _("%(company)s is published.", company=company.name) if company.publication == "published" \
        else _("%(company)s is refused publication.", company=company.name)
    flash(done + " " + describe_all([notified]), "success")
    return redirect(target)


@bp.post("/<int:company_id>/verification")
def verify(company_id: int):
    company = load_company(company_id)
    require(can_verify_company(current_user, company))
    form = VerificationForm()
    if not form.validate_on_submit():
        flash(_("Choose a verification state."), "danger")
        return redirect(url_for("catalog.detail", company_id=company.id))
    companies.set_verification(company, form.state.data, actor=current_user)
    db.session.commit()
    flash(_("Verification state saved."), "success")
    return redirect(url_for("catalog.detail", company_id=company.id))

"""API endpoints: thin, like the web views: parse, check permission, call a service, commit, dump."""

import math
from functools import wraps

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from registry.api import bp
from registry.api.errors import ErrorSchema
from registry.api.schemas import (
    CapabilitySchema,
    CompanyIn,
    CompanyPage,
    CompanyPatch,
    CompanyQuery,
    CompanySchema,
    ExportIn,
    JobCreated,
    JobStatus,
    LimitQuery,
    MatchesSchema,
    MatchQuery,
    NeedIn,
    NeedPage,
    NeedQuery,
    NeedSchema,
    OkvedQuery,
    OkvedSchema,
    OpportunitiesSchema,
    ProjectIn,
    ProjectPage,
    ProjectQuery,
    ProjectSchema,
    RegionSchema,
    StageIn,
)
from registry.catalog import queries
from registry.extensions import db
from registry.jobs import views as job_views
from registry.models import (
    Capability,
    Company,
    Event,
    Job,
    Need,
    OkvedCode,
    Project,
    ProjectParticipant,
    Region,
)
from registry.policy import can_see_company
from registry.services import ServiceError, companies, jobs, needs, projects
from registry.services import matching as matching_service


def refuse(error: ServiceError):
    db.session.rollback()
    abort(error.status, message=str(error.message),
          errors={field: [str(m) for m in messages] for field, messages in error.errors.items()})


BEARER = [{"bearerAuth": []}]  # the OpenAPI security requirement (the scheme is declared in registry/__init__.py)


def token_required(*roles: str):
    """Checks the bearer token (401) and the role (403) before the body is even parsed; the OpenAPI
    document says the operation needs one."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401, message=_("Give an API token: Authorization: Bearer <token>."))
            if roles and current_user.role not in roles:
                abort(403, message=_("You may not do this"))
            return view(*args, **kwargs)

        return bp.doc(security=BEARER)(wrapped)

    return decorator


def paginate(query, page: int, per_page: int, count_query=None) -> dict:
    total = db.session.scalar(count_query if count_query is not None else
                              select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "total": total, "page": page, "pages": max(1, math.ceil(total / per_page))}


def find_company(data: dict) -> Company | None:
    """The company named by `company_id` or, failing that, `company_inn`."""
    if data.get("company_id") is not None:
        return db.session.get(Company, data["company_id"])
    if data.get("company_inn"):
        return db.session.scalar(select(Company).where(Company.inn == data["company_inn"].strip()))
    return None


def region_or_422(code: str, field: str = "region"):
    if not code:
        return None
    region = companies.find_region(code)
    if region is None:
        abort(422, message=str(_("Please correct the marked fields.")),
              errors={field: [str(_("Unknown region %(code)s.", code=code))]})
    return region


# --- Reference data ----------------------------------------------------------------------------

@bp.route("/regions")
@bp.response(200, RegionSchema(many=True))
def list_regions():
    """Every federal subject of Russia."""
    return db.session.scalars(select(Region).order_by(Region.inn_code)).all()


@bp.route("/capabilities")
@bp.response(200, CapabilitySchema(many=True))
def capability_tree():
    """The capability taxonomy as a tree (roots with nested children)."""
    nodes = db.session.scalars(select(Capability).options(selectinload(Capability.okved_codes))
                               .order_by(Capability.position)).all()
    children: dict = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def as_tree(node):
        return {"code": node.code, "name_ru": node.name_ru, "name_en": node.name_en,
                "synonyms": node.synonyms, "abbreviations": node.abbreviations,
                "okved": [code.code for code in node.okved_codes],
                "children": [as_tree(child) for child in children.get(node.id, [])]}

    return [as_tree(root) for root in children.get(None, [])]


@bp.route("/okved")
@bp.arguments(OkvedQuery, location="query")
@bp.response(200, OkvedSchema(many=True))
def search_okved(args):
    """OKVED2 codes by code prefix or by words of the name."""
    q = args["q"].strip()
    query = select(OkvedCode).order_by(OkvedCode.code).limit(args["limit"])
    if q and (q[0].isdigit() or len(q) == 1):
        query = query.where(OkvedCode.code.startswith(q.upper(), autoescape=True))
    elif q:
        for word in q.lower().split():
            query = query.where(func.lower(OkvedCode.name).contains(word, autoescape=True))
    return db.session.scalars(query).all()


# --- Companies ---------------------------------------------------------------------------------

@bp.route("/companies")
@bp.arguments(CompanyQuery, location="query")
@bp.response(200, CompanyPage)
@bp.alt_response(422, schema=ErrorSchema)
def list_companies(args):
    """The public catalogue, with the same filters as its web page."""
    region_or_422(args["region"])
    search = queries.text_search(args["q"])
    query = queries.company_query(queries.CatalogFilters(
        q=args["q"], region=args["region"], capability=args["capability"], okved=args["okved"],
        verified_only=args["verified"]), search=search)
    page = paginate(query.options(*matching_service.COMPANY_LOAD, selectinload(Company.contacts)),
                    args["page"], args["per_page"])
    if search is not None:
        for company in page["items"]:  # read by SearchHitSchema; direct hits (INN, name) carry none
            company.found_by = matching_service.found_by(search.matches[company.id]) \
                if company.id in search.matches else []
    return page


@bp.route("/companies/<int:company_id>")
@bp.response(200, CompanySchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_company(company_id):
    return visible_company_or_404(company_id)


def visible_company_or_404(company_id: int) -> Company:
    """A company the caller may see: one awaiting moderation is as good as absent to others."""
    company = db.session.get(Company, company_id)
    if company is None or not can_see_company(current_user, company):
        abort(404)
    return company


def visible_need_or_404(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not can_see_company(current_user, need.company):
        abort(404)
    return need


@bp.route("/companies", methods=["POST"])
@token_required("admin", "official")
@bp.arguments(CompanyIn)
@bp.response(201, CompanySchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(409, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def create_company(data):
    """Registers a company; each capability statement is classified into capability nodes."""
    region_or_422(data["region"])
    try:
        company = companies.create_company(data, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return company


@bp.route("/companies/<int:company_id>", methods=["PATCH"])
@token_required()
@bp.arguments(CompanyPatch)
@bp.response(200, CompanySchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(404, schema=ErrorSchema)
@bp.alt_response(409, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def update_company(data, company_id):
    company = db.get_or_404(Company, company_id)
    try:
        companies.update_company(company, data, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return company


@bp.route("/companies/<int:company_id>/opportunities")
@bp.arguments(LimitQuery, location="query")
@bp.response(200, OpportunitiesSchema)
@bp.alt_response(404, schema=ErrorSchema)
def company_opportunities(args, company_id):
    """Open needs of other companies that this company could serve, best first, with reasons."""
    company = visible_company_or_404(company_id)
    ranked = matching_service.opportunities_for(company, limit=args["limit"])
    return {"company_id": company.id,
            "matches": [{"need": need, "score": match.score, "reasons": reasons_of(match)} for need, match in ranked]}


def reasons_of(match) -> list[dict]:
    return [{"kind": r.kind, "text": matching_service.explain(r), "weight": r.weight} for r in match.reasons]


# --- Needs -------------------------------------------------------------------------------------

@bp.route("/needs")
@bp.arguments(NeedQuery, location="query")
@bp.response(200, NeedPage)
@bp.alt_response(422, schema=ErrorSchema)
def list_needs(args):
    region_or_422(args["region"])
    query = queries.need_query(
        queries.CatalogFilters(q=args["q"], region=args["region"], capability=args["capability"]),
        statuses=(args["status"],))
    if args["company_id"] is not None:
        query = query.where(Need.company_id == args["company_id"])
    return paginate(query.options(*matching_service.NEED_LOAD), args["page"], args["per_page"])


@bp.route("/needs/<int:need_id>")
@bp.response(200, NeedSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_need(need_id):
    return visible_need_or_404(need_id)


@bp.route("/needs", methods=["POST"])
@token_required()
@bp.arguments(NeedIn)
@bp.response(201, NeedSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def create_need(data):
    """Posts a need for a company (its representative, an official of its region, or an administrator)."""
    company = find_company(data)
    if company is None:
        abort(422, message=str(_("Please correct the marked fields.")),
              errors={"company_id": [str(_("Give the company: company_id or company_inn of a registered company."))]})
    try:
        need = needs.create_need(company, {**data, "text": data.get("description", "")}, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return need


@bp.route("/needs/<int:need_id>/matches")
@bp.arguments(MatchQuery, location="query")
@bp.response(200, MatchesSchema)
@bp.alt_response(404, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def need_matches(args, need_id):
    """Suppliers for a need, best first; each score is the sum of its reasons' weights."""
    need = visible_need_or_404(need_id)
    region = region_or_422(args["region"])
    ranked = matching_service.suppliers_for(need, limit=args["limit"], other_regions_only=args["other_regions_only"],
                                            region=region, verified_only=args["verified_only"])
    return {"need_id": need.id,
            "matches": [{"company": company, "score": match.score, "reasons": reasons_of(match)}
                        for company, match in ranked]}


# --- Projects ----------------------------------------------------------------------------------

PROJECT_LOAD = (
    selectinload(Project.participants).joinedload(ProjectParticipant.company).joinedload(Company.region),
    selectinload(Project.stage_changes),
    joinedload(Project.direction),
    joinedload(Project.responsible),
)


@bp.route("/projects")
@bp.arguments(ProjectQuery, location="query")
@bp.response(200, ProjectPage)
def list_projects(args):
    query = select(Project).options(*PROJECT_LOAD).order_by(Project.updated_at.desc(), Project.id.desc())
    if args["stage"]:
        query = query.where(Project.stage == args["stage"])
    return paginate(query, args["page"], args["per_page"])


@bp.route("/projects/<int:project_id>")
@bp.response(200, ProjectSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_project(project_id):
    project = db.session.scalar(select(Project).where(Project.id == project_id).options(*PROJECT_LOAD))
    if project is None:
        abort(404, message=str(_("Page not found")))
    return project


@bp.route("/projects", methods=["POST"])
@token_required("admin", "official")
@bp.arguments(ProjectIn)
@bp.response(201, ProjectSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def create_project(data):
    participants, errors = [], []
    for index, item in enumerate(data["participants"]):
        company = find_company(item)
        if company is None:
            errors.append(str(_("Participant %(number)d: no such company.", number=index + 1)))
        participants.append((company, item["role"]))
    direction = None
    if data.get("direction"):
        direction = db.session.scalar(select(Capability).where(Capability.code == data["direction"]))
        if direction is None:
            abort(422, message=str(_("Please correct the marked fields.")),
                  errors={"direction": [str(_("Unknown capability node %(code)s.", code=data["direction"]))]})
    event = db.session.get(Event, data["source_event_id"]) if data.get("source_event_id") is not None else None
    if data.get("source_event_id") is not None and event is None:
        errors.append(str(_("No such event.")))
    if errors:
        abort(422, message=str(_("Please correct the marked fields.")), errors={"participants": errors})
    try:
        project = projects.create_project(
            title=data["title"], participants=participants, actor=current_user, stage=data["stage"],
            description=data["description"], direction=direction, value_rub=data["value_rub"],
            next_step=data["next_step"], next_step_due=data["next_step_due"], source_event=event,
            responsible=current_user if current_user.role == "official" else None)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return project


@bp.route("/projects/<int:project_id>/stage", methods=["POST"])
@token_required("admin", "official")
@bp.arguments(StageIn)
@bp.response(200, ProjectSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(404, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def change_project_stage(data, project_id):
    """Moves a project to another stage; a note is required for on hold and cancelled."""
    project = db.get_or_404(Project, project_id)
    try:
        projects.change_stage(project, data["stage"], note=data["note"], actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return project


# --- Exports (jobs) -----------------------------------------------------------------------------


def own_export(job_id: int) -> Job:
    """Only whoever asked for an export reads its state and file, and only while they still may export."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "export" or job.user_id != current_user.id:
        abort(404, message=str(_("No such export.")))
    return job


@bp.route("/exports", methods=["POST"])
@token_required("official", "admin")
@bp.arguments(ExportIn)
@bp.response(202, JobCreated)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def create_export(data):
    """Starts an export job (officials and administrators); poll `status_url` until its state is done."""
    filters = {key: value for key, value in data["filters"].items() if value not in ("", None)}
    job = jobs.submit("export", {"kind": data["kind"], "format": data["format"], "filters": filters},
                      user=current_user)
    db.session.commit()
    return {"id": job.id, "status_url": url_for("api.export_status", job_id=job.id)}


@bp.route("/exports/<int:job_id>")
@token_required("official", "admin")
@bp.response(200, JobStatus)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(404, schema=ErrorSchema)
def export_status(job_id):
    """The export's state and progress; `download_url` once the file is ready."""
    return job_views.status_of(own_export(job_id), download_endpoint="api.export_file")


@bp.route("/exports/<int:job_id>/file")
@token_required("official", "admin")
@bp.response(200, content_type="application/octet-stream")
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(404, schema=ErrorSchema)
def export_file(job_id):
    """The exported file, for a day after the job finished."""
    job = own_export(job_id)
    if not job.has_file:
        abort(404, message=str(_("The file is not ready, or it was removed after a day.")))
    return job_views.file_of(job)

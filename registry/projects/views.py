"""Cooperation projects for officials: the pipeline, a project's page, create/edit and stage changes."""

from flask import (
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.auth.permissions import can_view_introduction, roles_required
from registry.catalog.views import submitted_and_valid
from registry.dashboard import queries
from registry.extensions import db
from registry.models import (
    Capability,
    Company,
    Event,
    Introduction,
    Project,
    ProjectParticipant,
    ProjectTask,
    StageChange,
    User,
)
from registry.pagination import paginate
from registry.projects import board as board_queries
from registry.projects import bp
from registry.projects.forms import PipelineFilterForm, ProjectForm, StageForm, TaskForm, company_lines
from registry.projects.helpers import next_stage
from registry.services import ServiceError
from registry.services import projects as project_service
from registry.services import tasks as task_service
from registry.url_safety import safe_next


def stalled_settings() -> dict:
    return {"stalled_after_days": current_app.config.get("STALLED_AFTER_DAYS", queries.DEFAULT_STALLED_AFTER_DAYS)}


def pipeline_filters() -> PipelineFilterForm:
    filters = PipelineFilterForm(request.args).fill_choices()
    filters.validate()  # coercion errors simply leave a filter empty
    return filters


def pipeline_conditions(filters: PipelineFilterForm, *, with_stage: bool = True) -> list:
    conditions = []
    if filters.supplier_region.data or filters.customer_region.data:
        conditions.append(Project.id.in_(
            queries.region_pair_project_ids(filters.supplier_region.data, filters.customer_region.data)))
    if filters.direction.data:
        conditions.append(Project.direction_id.in_(queries.capability_subtree_ids(filters.direction.data)))
    if filters.responsible.data:
        conditions.append(Project.responsible_id == filters.responsible.data)
    if filters.stalled.data:
        conditions.append(queries.stalled_condition(**stalled_settings()))
    if with_stage and filters.stage.data:
        conditions.append(Project.stage == filters.stage.data)
    return conditions


@bp.get("/")
@roles_required("official", "admin")
def index():
    filters = pipeline_filters()
    stages = queries.projects_by_stage(where=pipeline_conditions(filters, with_stage=False), **stalled_settings())
    page = paginate(
        select(Project)
        .options(
            joinedload(Project.responsible),
            joinedload(Project.direction),
            selectinload(Project.participants).joinedload(ProjectParticipant.company).joinedload(Company.region),
        )
        .where(*pipeline_conditions(filters))
        .order_by(queries.STAGE_ORDER, Project.updated_at.desc(), Project.id.desc()),
        count=True,
    )
    stalled_ids = set(db.session.scalars(
        select(Project.id).where(Project.id.in_([p.id for p in page.items]),
                                 queries.stalled_condition(**stalled_settings()))))
    return render_template("projects/index.html", filters=filters, stages=stages, page=page, stalled_ids=stalled_ids,
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.get("/board")
@roles_required("official", "admin")
def board():
    """The pipeline as a board: drag a card to another column, or use its stage form without JavaScript."""
    filters = pipeline_filters()
    columns = board_queries.board_columns(pipeline_conditions(filters), **stalled_settings())
    return render_template("projects/board.html", filters=filters, columns=columns,
                           cards_per_stage=board_queries.CARDS_PER_STAGE, args=request.args.to_dict())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("official", "admin")
def create():
    form = ProjectForm().fill_choices()
    if request.method == "GET":
        form.responsible.data = current_user.id if current_user.role == "official" else None
        if request.args.get("event", "").isdigit():
            form.source_event.data = int(request.args["event"])
    if submitted_and_valid(form, lambda: project_service.parse_value(form.value_rub.data)):
        try:
            project = project_service.create_project(
                title=form.title.data, participants=form.participants(), actor=current_user,
                stage=form.stage.data, **project_fields(form))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Project created"), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), 400 if form.is_submitted() else 200


@bp.get("/<int:project_id>")
@roles_required("official", "admin")
def detail(project_id: int):
    return render_detail(load_project(project_id), StageForm())


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required("official", "admin")
def edit(project_id: int):
    project = load_project(project_id)
    form = ProjectForm(obj=None if request.method == "POST" else project).fill_choices()
    del form.stage  # stages move through the stage form, with their history
    if request.method == "GET":
        form.direction.data = project.direction_id
        form.responsible.data = project.responsible_id
        form.source_event.data = project.source_event_id
        form.value_rub.data = "" if project.value_rub is None else str(project.value_rub)
        for role, field in (("supplier", form.suppliers), ("customer", form.customers), ("partner", form.partners)):
            field.data = company_lines(p.company for p in project.participants if p.role == role)
    if submitted_and_valid(form, lambda: project_service.parse_value(form.value_rub.data)):
        try:
            project_service.update_project(
                project, {"title": form.title.data, "participants": form.participants(), **project_fields(form)},
                actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Project saved"), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project), 400 if form.is_submitted() else 200


@bp.post("/<int:project_id>/stage")
@roles_required("official", "admin")
def change_stage(project_id: int):
    """The stage form of the project page and of the board's cards; the board's drag and drop asks for JSON."""
    project = load_project(project_id)
    form = StageForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if form.validate_on_submit():
        try:
            project_service.change_stage(project, form.stage.data, note=form.note.data, actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            if wants_json:
                card = get_template_attribute("projects/_board.html", "board_card")
                return jsonify(message=_("Project stage changed"), stage=project.stage,
                               card=str(card(board_queries.load_card(project.id, **stalled_settings()),
                                             safe_next(request.form.get("next")))))
            flash(_("Project stage changed"), "success")
            return redirect(safe_next(request.form.get("next")) or url_for("projects.detail", project_id=project.id))
    if wants_json:
        return jsonify(message=" ".join(form_messages(form)),
                       errors={name: [str(m) for m in messages] for name, messages in form.errors.items() if name}), 422
    return render_detail(project, form), 400


@bp.post("/<int:project_id>/tasks")
@roles_required("official", "admin")
def add_task(project_id: int):
    project = load_project(project_id)
    form = TaskForm().fill_choices()
    if form.validate_on_submit():
        try:
            task_service.add_task(project, title=form.title.data, due_on=form.due_on.data, actor=current_user,
                                  owner=db.session.get(User, form.owner.data) if form.owner.data else None)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Task added"), "success")
            return redirect(url_for("projects.detail", project_id=project.id, _anchor="tasks-heading"))
    return render_detail(project, StageForm(formdata=None), form), 400


@bp.post("/tasks/<int:task_id>/done")
@roles_required("official", "admin")
def complete_task(task_id: int):
    task = db.get_or_404(ProjectTask, task_id)
    back = safe_next(request.form.get("next")) or url_for("projects.detail", project_id=task.project_id)
    if FlaskForm().validate_on_submit():
        try:
            task_service.complete_task(task, actor=current_user)
        except ServiceError as error:
            flash(str(error.message), "warning")
        else:
            db.session.commit()
            flash(_("Task done"), "success")
    return redirect(back)


def load_project(project_id: int) -> Project:
    return db.one_or_404(
        select(Project)
        .options(
            joinedload(Project.responsible), joinedload(Project.direction), joinedload(Project.source_event),
            selectinload(Project.participants).joinedload(ProjectParticipant.company).joinedload(Company.region),
            selectinload(Project.stage_changes).joinedload(StageChange.actor),
            selectinload(Project.tasks).joinedload(ProjectTask.owner),
        )
        .where(Project.id == project_id)
    )


def render_detail(project: Project, stage_form: StageForm, task_form: TaskForm | None = None):
    is_stalled = db.session.scalar(
        select(queries.stalled_condition(**stalled_settings())).where(Project.id == project.id))
    if not stage_form.is_submitted():
        stage_form.stage.data = next_stage(project.stage)
    task_form = task_form or TaskForm(formdata=None).fill_choices()
    introduction = db.session.scalar(
        select(Introduction).where(Introduction.project_id == project.id)
        .options(joinedload(Introduction.need), joinedload(Introduction.supplier)).limit(1))
    return render_template("projects/detail.html", project=project, stage_form=stage_form, stalled=is_stalled,
                           task_form=task_form, open_tasks=task_service.open_tasks(project),
                           history=queries.entity_history("project", project.id), introduction=introduction,
                           may_view_introduction=introduction is not None
                           and can_view_introduction(current_user, introduction))


def project_fields(form: ProjectForm) -> dict:
    """The form's simple fields as the service takes them (objects for the references)."""
    return {
        "description": form.description.data or "",
        "direction": db.session.get(Capability, form.direction.data) if form.direction.data else None,
        "value_rub": form.value_rub.data,
        "next_step": form.next_step.data or "",
        "next_step_due": form.next_step_due.data,
        "responsible": db.session.get(User, form.responsible.data) if form.responsible.data else None,
        "source_event": db.session.get(Event, form.source_event.data) if form.source_event.data else None,
    }


def show_service_error(form, error: ServiceError) -> None:
    """Puts a refused write's messages next to the fields they concern (or at the top of the form)."""
    placed = False
    for name, messages in error.errors.items():
        field = getattr(form, "partners" if name == "participants" else name, None)
        if field is not None:
            field.errors = list(field.errors) + [str(message) for message in messages]
            placed = True
    if not placed:
        form.form_errors.append(str(error.message))


def form_messages(form) -> list[str]:
    """Every message of a refused form, the form's own first (what the board shows when a move is refused)."""
    return [str(message) for message in form.form_errors] + [
        str(message) for name, messages in form.errors.items() if name is not None for message in messages]

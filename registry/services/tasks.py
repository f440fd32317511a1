"""Project tasks: small steps with an owner and a due date. The project's first open task (earliest due date,
undated last, then the oldest) is its next step; `Project.next_step` and `next_step_due` hold a copy of it,
refreshed here after every change, so the pipeline, its filters and the overdue reminders read the project row.
Writing a project's next step (form, API, import) edits that first open task, or opens one."""

from datetime import date

from registry.extensions import db
from registry.models import Project, ProjectTask, User
from registry.models.base import utcnow
from registry.policy import authorize, can_manage_projects, is_staff, person
from registry.services import ServiceError, audit
from registry.translation import lazy_gettext as _l

MAX_TITLE = 2000


def open_tasks(project: Project) -> list[ProjectTask]:
    """Open tasks in the order they are due: dated ones first, then the oldest."""
    return sorted((task for task in project.tasks if task.done_at is None),
                  key=lambda task: (task.due_on is None, task.due_on or date.min, task.created_at or utcnow(),
                                    task.id or 0))


def sync_next_step(project: Project) -> None:
    """Copies the first open task into the project's next step (empty when nothing is open)."""
    tasks = open_tasks(project)
    title, due_on = (tasks[0].title, tasks[0].due_on) if tasks else ("", None)
    if project.next_step != title or project.next_step_due != due_on:
        project.next_step, project.next_step_due = title, due_on
        project.updated_at = utcnow()


def check_task(title: str, owner: User | None) -> str:
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_l("Say what is to be done.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_l("Too long: at most %(limit)d characters.", limit=MAX_TITLE)]
    if owner is not None and not (is_staff(owner) and owner.active):
        errors["owner"] = [_l("A task's owner is an active official or administrator.")]
    if errors:
        raise ServiceError(_l("Please correct the marked fields."), errors=errors)
    return title


def add_task(project: Project, *, title: str, owner: User | None = None, due_on: date | None = None,
             actor=None) -> ProjectTask:
    """A new open task; its owner is the project's responsible official unless another is named."""
    authorize(can_manage_projects(actor))
    owner = owner or project.responsible
    title = check_task(title, owner)
    task = ProjectTask(title=title, owner=owner, due_on=due_on, created_by=person(actor), created_at=utcnow())
    project.tasks.append(task)
    sync_next_step(project)
    db.session.flush()
    audit.record(actor, "project.task", project, task=title, owner=getattr(owner, "email", None), due_on=due_on)
    return task


def complete_task(task: ProjectTask, *, actor=None) -> ProjectTask:
    """Ticks a task off; the project's next step becomes the next open task."""
    authorize(can_manage_projects(actor))
    if task.done_at is not None:
        raise ServiceError(_l("This task is already done."), "task")
    task.done_at = utcnow()
    sync_next_step(task.project)
    db.session.flush()
    audit.record(actor, "project.task_done", task.project, task=task.title)
    return task


def put_next_step(project: Project, title: str, due_on: date | None, *, actor=None) -> None:
    """What writing `next_step`/`next_step_due` on a project means (the caller has authorised the write): the
    first open task takes the new title and date, or a new task of the responsible official is opened; an
    empty title withdraws the first open task (it was not done, so it is removed, not ticked off)."""
    title = (title or "").strip()
    tasks = open_tasks(project)
    if tasks and not title:
        project.tasks.remove(tasks[0])
    elif tasks:
        tasks[0].title, tasks[0].due_on = title, due_on
    elif title:
        project.tasks.append(ProjectTask(title=title, owner=project.responsible, due_on=due_on,
                                         created_by=person(actor), created_at=utcnow()))
    sync_next_step(project)
    if not title and not tasks:  # nothing to do: no task, and a date without a step says nothing
        project.next_step, project.next_step_due = "", due_on

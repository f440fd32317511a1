"""Cooperation projects: creating them, moving them through stages, keeping their history."""

from decimal import Decimal, InvalidOperation

from registry.extensions import db
from registry.labels import STAGE_LABELS
from registry.models import Project, ProjectParticipant, StageChange
from registry.models.base import utcnow
from registry.models.project import COMPLETE_FROM_STAGES, NOTE_REQUIRED_STAGES, PARTICIPANT_ROLES, STAGES
from registry.policy import authorize, can_manage_projects, person
from registry.services import ServiceError, audit, tasks
from registry.translation import lazy_gettext as _l

MAX_VALUE_RUB = Decimal(10) ** 15  # Numeric(18, 2) holds up to 10^16


def parse_value(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        raise ServiceError(_l("Give the value in roubles as a number."), "value_rub") from None
    if not amount.is_finite():
        raise ServiceError(_l("Give the value in roubles as a number."), "value_rub")
    if amount < 0:
        raise ServiceError(_l("The value cannot be negative."), "value_rub")
    if amount >= MAX_VALUE_RUB:
        raise ServiceError(_l("The value is too large: at most %(max)s roubles.", max="999 999 999 999 999"),
                           "value_rub")
    return amount.quantize(Decimal("0.01"))


def create_project(*, title: str, participants: list[tuple], actor=None, stage: str = "proposal",
                   description: str = "", direction=None, value_rub=None, next_step: str = "",
                   next_step_due=None, responsible=None, source_event=None, source: str | None = None) -> Project:
    """`participants` holds (company, role) pairs."""
    authorize(can_manage_projects(actor))
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_l("The title is required.")]
    elif len(title) > 300:
        errors["title"] = [_l("Too long: at most %(limit)d characters.", limit=300)]
    if stage not in STAGES:
        errors["stage"] = [_l("Unknown stage.")]
    if not participants:
        errors["participants"] = [_l("A project needs at least one participant.")]
    if any(role not in PARTICIPANT_ROLES for _, role in participants):
        errors["participants"] = [_l("Unknown participant role.")]
    if errors:
        raise ServiceError(_l("Please correct the marked fields."), errors=errors)
    project = Project(title=title, stage=stage, description=description or "", direction=direction,
                      value_rub=parse_value(value_rub), responsible=responsible, source_event=source_event,
                      source=source)
    for company, role in participants:
        project.participants.append(ProjectParticipant(company=company, role=role))
    tasks.put_next_step(project, next_step, next_step_due, actor=actor)
    project.stage_changes.append(StageChange(from_stage=None, to_stage=stage, actor=person(actor)))
    db.session.add(project)
    db.session.flush()
    audit.record(actor, "project.create", project, title=title, stage=stage,
                 participants=[company.id for company, _ in participants])
    return project


def update_project(project: Project, data: dict, *, actor=None) -> Project:
    authorize(can_manage_projects(actor))
    changed = {}
    if "value_rub" in data:
        data = {**data, "value_rub": parse_value(data["value_rub"])}
    if "title" in data and not (data["title"] or "").strip():
        raise ServiceError(_l("The title is required."), "title")
    wanted = None  # (company, role) pairs replacing the current participants, when given
    if "participants" in data:
        wanted = list(dict.fromkeys(data["participants"]))
        if not wanted:
            raise ServiceError(_l("A project needs at least one participant."), "participants")
        if any(role not in PARTICIPANT_ROLES for _, role in wanted):
            raise ServiceError(_l("Unknown participant role."), "participants")
    for key in ("title", "description", "direction", "value_rub", "responsible", "source_event"):
        if key in data and audit.differs(getattr(project, key), data[key]):
            setattr(project, key, data[key])
            changed[key] = getattr(data[key], "id", data[key])
    step = {key: data.get(key, getattr(project, key)) for key in ("next_step", "next_step_due")}
    step["next_step"] = (step["next_step"] or "").strip()
    if any(audit.differs(getattr(project, key), value) for key, value in step.items()):
        changed.update({key: value for key, value in step.items() if audit.differs(getattr(project, key), value)})
        tasks.put_next_step(project, step["next_step"], step["next_step_due"], actor=actor)
    if wanted is not None and [(p.company, p.role) for p in project.participants] != wanted:
        project.participants = [ProjectParticipant(company=company, role=role) for company, role in wanted]
        changed["participants"] = [[company.id, role] for company, role in wanted]
    if changed:
        project.updated_at = utcnow()
        db.session.flush()
        audit.record(actor, "project.update", project, **changed)
    return project


def missing_for_stage(project: Project) -> dict:
    """What a project lacks to stand at the agreement or later: field → message."""
    missing = {}
    if project.value_rub is None:
        missing["value_rub"] = [_l("Give the project's value.")]
    if project.responsible_id is None and project.responsible is None:
        missing["responsible"] = [_l("Name the responsible official.")]
    if not project.participants or any(p.role not in PARTICIPANT_ROLES for p in project.participants):
        missing["participants"] = [_l("Give every participant's role.")]
    return missing


MISSING_NAMES = {
    "value_rub": _l("the value"),
    "responsible": _l("the responsible official"),
    "participants": _l("every participant's role"),
}


def check_complete(project: Project, to_stage: str) -> None:
    """From the agreement on the value, the responsible official and every participant's role must be set."""
    missing = missing_for_stage(project)
    if missing:
        raise ServiceError(
            _l("At the stage «%(stage)s» a project needs %(missing)s. Fill them in on the project's edit page first.",
               stage=STAGE_LABELS[to_stage], missing=", ".join(str(MISSING_NAMES[key]) for key in missing)),
            errors=missing)


def change_stage(project: Project, to_stage: str, *, note: str = "", actor=None) -> StageChange:
    """Moves a project to another stage and keeps the change in its history."""
    authorize(can_manage_projects(actor))
    note = (note or "").strip()
    if to_stage not in STAGES:
        raise ServiceError(_l("Unknown stage."), "stage")
    if to_stage == project.stage:
        raise ServiceError(_l("The project is already at this stage."), "stage")
    if to_stage in NOTE_REQUIRED_STAGES and not note:
        raise ServiceError(_l("Give a reason for this stage."), "note")
    if to_stage in COMPLETE_FROM_STAGES:
        check_complete(project, to_stage)
    change = StageChange(from_stage=project.stage, to_stage=to_stage, note=note, actor=person(actor))
    project.stage_changes.append(change)
    project.stage = to_stage
    project.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "project.stage", project, stage=to_stage, note=note)
    return change

"""The pipeline as a board: a column per stage with its projects as cards. A fixed number of queries however
many projects there are: the counts in one, the newest cards of every stage (capped per stage) in another, with
their stalled flag computed alongside, and their participants' companies and regions in one more."""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from registry.dashboard import queries
from registry.extensions import db
from registry.models import Company, Project, ProjectParticipant
from registry.models.project import NOTE_REQUIRED_STAGES, STAGES

CARDS_PER_STAGE = 100
SIDE_STAGES = ("on_hold", "cancelled")


@dataclass
class Card:
    project: Project
    stalled: bool


@dataclass
class Column:
    stage: str
    total: int = 0
    value_rub: Decimal = Decimal(0)
    cards: list[Card] = field(default_factory=list)

    @property
    def side(self) -> bool:
        return self.stage in SIDE_STAGES

    @property
    def note_required(self) -> bool:
        return self.stage in NOTE_REQUIRED_STAGES


CARD_LOAD = (
    joinedload(Project.responsible),
    selectinload(Project.participants).joinedload(ProjectParticipant.company).joinedload(Company.region),
)


def stalled_flag(**stalled_settings):
    return case((queries.stalled_condition(**stalled_settings), True), else_=False).label("stalled")


def board_columns(where=(), **stalled_settings) -> list[Column]:
    """Every stage in pipeline order (the side stages last) with its newest cards."""
    counts = {row.stage: row for row in queries.projects_by_stage(where=where, **stalled_settings)}
    ranked = (select(Project.id, func.row_number().over(
        partition_by=Project.stage, order_by=(Project.updated_at.desc(), Project.id.desc())).label("place"))
        .where(*where).subquery())
    rows = db.session.execute(
        select(Project, stalled_flag(**stalled_settings))
        .join(ranked, ranked.c.id == Project.id)
        .where(ranked.c.place <= CARDS_PER_STAGE)
        .options(*CARD_LOAD)
        .order_by(queries.STAGE_ORDER, Project.updated_at.desc(), Project.id.desc())
    ).all()
    columns = {stage: Column(stage, counts[stage].projects, counts[stage].value_rub) for stage in STAGES}
    for project, stalled in rows:
        columns[project.stage].cards.append(Card(project, bool(stalled)))
    return list(columns.values())


def load_card(project_id: int, **stalled_settings) -> Card:
    project, stalled = db.session.execute(
        select(Project, stalled_flag(**stalled_settings)).where(Project.id == project_id).options(*CARD_LOAD)
    ).one()
    return Card(project, bool(stalled))

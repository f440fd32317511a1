"""Read-side numbers about projects, companies and needs, shared by the dashboard, the project pipeline
and reports. Pure helpers: they take plain arguments (no request state) and run a fixed number of
aggregate queries whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from registry.extensions import db
from registry.models import AuditEntry, Capability, Company, Need, Project, ProjectParticipant, Region
from registry.models.base import utcnow
from registry.models.project import CLOSED_STAGES, STAGES

DEFAULT_STALLED_AFTER_DAYS = 30

# Pipeline order as an SQL expression, so lists sort by stage without loading everything.
STAGE_ORDER = case({stage: position for position, stage in enumerate(STAGES)}, value=Project.stage, else_=len(STAGES))


def stalled_condition(*, now: datetime | None = None, stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS):
    """SQL condition for a stalled project: still open, and untouched for `stalled_after_days` or past its
    next-step date. Every write (stage changes included) moves `updated_at`, so it is the last change."""
    now = now or utcnow()
    return and_(
        Project.stage.not_in(CLOSED_STAGES),
        or_(Project.updated_at < now - timedelta(days=stalled_after_days), Project.next_step_due < now.date()),
    )


def capability_subtree_ids(root_id: int) -> list[int]:
    """The node and all its descendants (one query: the taxonomy is small)."""
    children: dict[int | None, list[int]] = {}
    for node_id, parent_id in db.session.execute(select(Capability.id, Capability.parent_id)):
        children.setdefault(parent_id, []).append(node_id)
    found, todo = [], [root_id]
    while todo:
        node_id = todo.pop()
        found.append(node_id)
        todo.extend(children.get(node_id, ()))
    return found


def region_pair_project_ids(supplier_region_id: int | None, customer_region_id: int | None):
    """A subquery of projects with a supplier in one region and a customer in the other (either may be None:
    any region)."""
    supplier, customer = aliased(ProjectParticipant), aliased(ProjectParticipant)
    supplier_company, customer_company = aliased(Company), aliased(Company)
    query = (
        select(supplier.project_id)
        .join(supplier_company, supplier_company.id == supplier.company_id)
        .join(customer, and_(customer.project_id == supplier.project_id, customer.role == "customer"))
        .join(customer_company, customer_company.id == customer.company_id)
        .where(supplier.role == "supplier")
    )
    if supplier_region_id:
        query = query.where(supplier_company.region_id == supplier_region_id)
    if customer_region_id:
        query = query.where(customer_company.region_id == customer_region_id)
    return query


@dataclass
class StageRow:
    stage: str
    projects: int = 0
    value_rub: Decimal = Decimal(0)
    stalled: int = 0


def projects_by_stage(*, now: datetime | None = None, stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
                      where=()) -> list[StageRow]:
    """Every stage in pipeline order with its project count, total value in roubles and stalled count.
    `where` takes extra SQL conditions on Project (the pipeline's filters)."""
    stalled = stalled_condition(now=now, stalled_after_days=stalled_after_days)
    rows = db.session.execute(
        select(Project.stage, func.count(Project.id), func.coalesce(func.sum(Project.value_rub), 0),
               func.sum(case((stalled, 1), else_=0)))
        .where(*where)
        .group_by(Project.stage)
    ).all()
    found = {stage: StageRow(stage, count, Decimal(value or 0), int(stalled_count or 0))
             for stage, count, value, stalled_count in rows}
    return [found.get(stage, StageRow(stage)) for stage in STAGES]


@dataclass
class RegionMatrix:
    """Projects counted per (supplier region, customer region). A project with several suppliers or
    customers counts once in each pair it links."""

    supplier_regions: list[Region] = field(default_factory=list)
    customer_regions: list[Region] = field(default_factory=list)
    counts: dict[tuple[int, int], int] = field(default_factory=dict)

    def count(self, supplier_region_id: int, customer_region_id: int) -> int:
        return self.counts.get((supplier_region_id, customer_region_id), 0)

    def row_total(self, supplier_region_id: int) -> int:
        return sum(n for (s, _), n in self.counts.items() if s == supplier_region_id)

    def column_total(self, customer_region_id: int) -> int:
        return sum(n for (_, c), n in self.counts.items() if c == customer_region_id)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class UnpairedProjects:
    """Projects the region matrix cannot show: no supplier or no customer among their participants."""

    total: int = 0
    single_participant: int = 0
    no_participants: int = 0

    @property
    def several_without_pair(self) -> int:
        return self.total - self.single_participant - self.no_participants


def unpaired_projects() -> UnpairedProjects:
    participants = (select(ProjectParticipant.project_id, func.count(ProjectParticipant.id).label("n"))
                    .group_by(ProjectParticipant.project_id).subquery())
    total, single, none = db.session.execute(
        select(func.count(Project.id), func.sum(case((participants.c.n == 1, 1), else_=0)),
               func.sum(case((participants.c.n.is_(None), 1), else_=0)))
        .outerjoin(participants, participants.c.project_id == Project.id)
        .where(Project.id.not_in(region_pair_project_ids(None, None)))
    ).one()
    return UnpairedProjects(int(total or 0), int(single or 0), int(none or 0))


def region_pair_matrix() -> RegionMatrix:
    supplier, customer = aliased(ProjectParticipant), aliased(ProjectParticipant)
    supplier_company, customer_company = aliased(Company), aliased(Company)
    rows = db.session.execute(
        select(supplier_company.region_id, customer_company.region_id, func.count(distinct(supplier.project_id)))
        .join(supplier_company, supplier_company.id == supplier.company_id)
        .join(customer, and_(customer.project_id == supplier.project_id, customer.role == "customer"))
        .join(customer_company, customer_company.id == customer.company_id)
        .where(supplier.role == "supplier")
        .group_by(supplier_company.region_id, customer_company.region_id)
    ).all()
    counts = {(s, c): n for s, c, n in rows}
    region_ids = {s for s, _ in counts} | {c for _, c in counts}
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(region_ids)))} if region_ids else {}

    def ordered(ids):
        return sorted((regions[i] for i in ids), key=lambda region: region.name_ru)

    return RegionMatrix(ordered({s for s, _ in counts}), ordered({c for _, c in counts}), counts)


@dataclass
class DirectionRow:
    direction: Capability | None  # a top-level node of the taxonomy; None for projects without a direction
    projects: int
    value_rub: Decimal


def top_directions():
    """A function from a capability id to its top-level node (None for None), after one query."""
    nodes = {node.id: node for node in db.session.scalars(select(Capability))}

    def top(node_id):
        node = nodes.get(node_id)
        while node is not None and node.parent_id is not None and node.parent_id in nodes:
            node = nodes[node.parent_id]
        return node

    return top


def projects_by_direction() -> list[DirectionRow]:
    """Projects per top-level capability (a project on "turning" counts under "metalworking")."""
    rows = db.session.execute(
        select(Project.direction_id, func.count(Project.id), func.coalesce(func.sum(Project.value_rub), 0))
        .group_by(Project.direction_id)
    ).all()
    top = top_directions()

    totals: dict[int | None, list] = {}
    for direction_id, count, value in rows:
        node = top(direction_id) if direction_id else None
        entry = totals.setdefault(node.id if node else None, [node, 0, Decimal(0)])
        entry[1] += count
        entry[2] += Decimal(value or 0)
    result = [DirectionRow(node, count, value) for node, count, value in totals.values()]
    return sorted(result, key=lambda row: (row.direction is None, -row.projects, row.direction.name_ru if row.direction else ""))


@dataclass
class RegionActivityRow:
    region: Region
    companies: int
    open_needs: int


def companies_and_needs_by_region() -> list[RegionActivityRow]:
    """Regions that have companies, with their company and open-need counts."""
    open_needs = (
        select(Company.region_id.label("region_id"), func.count(Need.id).label("needs"))
        .join(Need, Need.company_id == Company.id)
        .where(Need.status == "open", Company.is_public)
        .group_by(Company.region_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Region, func.count(Company.id), func.coalesce(open_needs.c.needs, 0))
        .join(Company, (Company.region_id == Region.id) & Company.is_public)
        .outerjoin(open_needs, open_needs.c.region_id == Region.id)
        .group_by(Region.id, open_needs.c.needs)
        .order_by(func.count(Company.id).desc(), Region.name_ru)
    ).all()
    return [RegionActivityRow(region, companies, needs) for region, companies, needs in rows]


def stalled_projects(*, now: datetime | None = None, stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
                     limit: int = 20, where=()) -> list[Project]:
    """Stalled projects, the longest-untouched first. `where` narrows them (e.g. to one official's)."""
    return list(db.session.scalars(
        select(Project)
        .options(joinedload(Project.responsible))
        .where(stalled_condition(now=now, stalled_after_days=stalled_after_days), *where)
        .order_by(Project.updated_at, Project.id)
        .limit(limit)
    ))


def stalled_count(*, now: datetime | None = None, stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS) -> int:
    return db.session.scalar(
        select(func.count(Project.id)).where(stalled_condition(now=now, stalled_after_days=stalled_after_days))
    )


def recent_activity(limit: int = 20) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ))


def entity_history(entity_type: str, entity_id: int) -> list[AuditEntry]:
    """An entity's audit trail, newest first."""
    return list(db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.actor))
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ))

"""What the home page shows: a few aggregate queries, whatever the data size."""

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import aliased, selectinload

from registry.dashboard.queries import top_directions
from registry.extensions import db
from registry.models import Company, Need, Project, ProjectParticipant, Region
from registry.models.project import STAGES

MAP_FILE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "russia-regions" / "regions.json"
STORIES_SHOWN = 6
# A region's colour on the map: its firms and projects together, in these steps (class map-level-N).
LEVELS = (1, 3, 10, 30)


def registry_overview() -> dict:
    stage_counts = dict(db.session.execute(select(Project.stage, func.count()).group_by(Project.stage)).all())
    regions_with_companies = db.session.execute(
        select(Region, func.count(Company.id))
        .join(Company, (Company.region_id == Region.id) & Company.is_public)
        .group_by(Region.id)
        .order_by(func.count(Company.id).desc(), Region.name_ru)
    ).all()
    pairs = region_pairs()
    return {
        "regions": db.session.scalar(select(func.count()).select_from(Region)),
        "companies": db.session.scalar(select(func.count()).select_from(Company).where(Company.is_public)),
        "open_needs": db.session.scalar(select(func.count()).select_from(Need).join(Need.company)
                                        .where(Need.status == "open", Company.is_public)),
        "projects": sum(stage_counts.values()),
        "stages": [(stage, stage_counts.get(stage, 0)) for stage in STAGES],
        "regions_with_companies": regions_with_companies,
        "pairs": pairs,
        "map": region_map(regions_with_companies, pairs),
        "stories": success_stories(),
    }


@dataclass
class RegionPair:
    """Projects with a supplier in one region and a customer in another (or the same) region."""

    supplier: Region
    customer: Region
    projects: int = 0
    stages: dict = field(default_factory=dict)  # stage -> projects
    directions: dict = field(default_factory=dict)  # top-level capability (or None) -> projects

    def stage_rows(self) -> list[tuple[str, int]]:
        return [(stage, self.stages[stage]) for stage in STAGES if self.stages.get(stage)]


def region_pairs() -> list[RegionPair]:
    """Who supplies whom between regions: one grouped query, the regions and the taxonomy."""
    supplier, customer = aliased(ProjectParticipant), aliased(ProjectParticipant)
    supplier_company, customer_company = aliased(Company), aliased(Company)
    rows = db.session.execute(
        select(supplier_company.region_id, customer_company.region_id, Project.stage, Project.direction_id,
               func.count(distinct(Project.id)))
        .select_from(supplier)
        .join(Project, Project.id == supplier.project_id)
        .join(supplier_company, supplier_company.id == supplier.company_id)
        .join(customer, and_(customer.project_id == supplier.project_id, customer.role == "customer"))
        .join(customer_company, customer_company.id == customer.company_id)
        .where(supplier.role == "supplier")
        .group_by(supplier_company.region_id, customer_company.region_id, Project.stage, Project.direction_id)
    ).all()
    region_ids = {row[0] for row in rows} | {row[1] for row in rows}
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(region_ids)))} if region_ids else {}
    top = top_directions()
    pairs: dict[tuple[int, int], RegionPair] = {}
    for supplier_id, customer_id, stage, direction_id, count in rows:
        pair = pairs.setdefault((supplier_id, customer_id), RegionPair(regions[supplier_id], regions[customer_id]))
        pair.projects += count
        pair.stages[stage] = pair.stages.get(stage, 0) + count
        direction = top(direction_id) if direction_id else None
        pair.directions[direction] = pair.directions.get(direction, 0) + count
    return sorted(pairs.values(), key=lambda pair: (-pair.projects, pair.supplier.name_ru, pair.customer.name_ru))


@lru_cache(maxsize=1)
def region_shapes() -> dict:
    """The vendored map (static/vendor/russia-regions) with each region's centre, for the links."""
    with MAP_FILE.open(encoding="utf-8") as file:
        data = json.load(file)
    centres = {}
    for code, path in data["regions"].items():
        # The centre of the largest ring's bounding box: good enough to draw a line between two regions.
        rings = [ring for ring in path.split("Z") if ring]
        largest = max(rings, key=len)
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", largest)]
        xs, ys = numbers[0::2], numbers[1::2]
        centres[code] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return {"viewBox": data["viewBox"], "regions": data["regions"], "centres": centres}


def map_key(region: Region) -> str:
    """How the map names a region: its ISO 3166-2 code, or its two-digit code where ISO gives none."""
    return region.iso_code or region.inn_code


@dataclass
class MapRegion:
    key: str
    path: str
    region: Region | None = None
    companies: int = 0
    projects: int = 0

    @property
    def level(self) -> int:
        amount = self.companies + self.projects
        return sum(1 for step in LEVELS if amount >= step)


def region_map(regions_with_companies, pairs: list[RegionPair]) -> dict:
    shapes = region_shapes()
    found = {map_key(region): (region, companies) for region, companies in regions_with_companies}
    projects: dict[str, int] = {}
    for pair in pairs:
        for region in {pair.supplier.id: pair.supplier, pair.customer.id: pair.customer}.values():
            projects[map_key(region)] = projects.get(map_key(region), 0) + pair.projects
    for pair in pairs:  # a region with projects but no active firm still has a name on the map
        for region in (pair.supplier, pair.customer):
            found.setdefault(map_key(region), (region, 0))
    regions = [MapRegion(key, path, *found.get(key, (None, 0)), projects.get(key, 0))
               for key, path in shapes["regions"].items()]
    links: dict[frozenset, dict] = {}  # one line per two regions, whichever supplies which
    for pair in pairs:
        start, end = shapes["centres"].get(map_key(pair.supplier)), shapes["centres"].get(map_key(pair.customer))
        if start and end and pair.supplier.id != pair.customer.id:
            link = links.setdefault(frozenset((pair.supplier.id, pair.customer.id)), {
                "regions": (pair.supplier, pair.customer), "projects": 0,
                "x1": start[0], "y1": start[1], "x2": end[0], "y2": end[1]})
            link["projects"] += pair.projects
    return {"viewBox": shapes["viewBox"], "regions": regions, "links": list(links.values()), "levels": LEVELS}


def success_stories() -> list[Project]:
    """Completed projects, the latest first, with their firms (active ones: what the public may see)."""
    return list(db.session.scalars(
        select(Project)
        .options(selectinload(Project.participants).selectinload(ProjectParticipant.company)
                 .selectinload(Company.region), selectinload(Project.direction))
        .where(Project.stage == "completed")
        .order_by(Project.updated_at.desc(), Project.id.desc())
        .limit(STORIES_SHOWN)
    ))

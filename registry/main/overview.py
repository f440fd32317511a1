"""What the home page shows: a few aggregate queries, whatever the data size."""

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Company, Need, Project, Region
from registry.models.project import STAGES


def registry_overview() -> dict:
    stage_counts = dict(db.session.execute(select(Project.stage, func.count()).group_by(Project.stage)).all())
    regions_with_companies = db.session.execute(
        select(Region, func.count(Company.id))
        .join(Company, (Company.region_id == Region.id) & Company.is_public)
        .group_by(Region.id)
        .order_by(func.count(Company.id).desc(), Region.name_ru)
    ).all()
    return {
        "regions": db.session.scalar(select(func.count()).select_from(Region)),
        "companies": db.session.scalar(select(func.count()).select_from(Company).where(Company.is_public)),
        "open_needs": db.session.scalar(select(func.count()).select_from(Need).join(Need.company)
                                        .where(Need.status == "open", Company.is_public)),
        "projects": sum(stage_counts.values()),
        "stages": [(stage, stage_counts.get(stage, 0)) for stage in STAGES],
        "regions_with_companies": regions_with_companies,
    }

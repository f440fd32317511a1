"""Which introductions a user may see, and what a list of them loads (shared with the cabinet)."""

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from registry.models import Company, Introduction, Need

# What every list naming an introduction shows: both firms with their regions, who asked, the project.
LIST_LOAD = (
    joinedload(Introduction.need).joinedload(Need.company).joinedload(Company.region),
    joinedload(Introduction.supplier).joinedload(Company.region),
    joinedload(Introduction.requested_by),
    joinedload(Introduction.project),
)


def visible_introductions(user):
    """A query of the introductions `user` may open: every one for administrators and officials of every
    region, their region's (either firm) and their own for officials, their firm's (received and sent) for representatives."""
    query = select(Introduction)
    if user.role == "admin" or (user.role == "official" and user.region_id is None):
        return query
    customer = aliased(Company)
    query = (query.join(Need, Need.id == Introduction.need_id).join(customer, customer.id == Need.company_id)
             .join(Company, Company.id == Introduction.supplier_id))
    if user.role == "official":
        return query.where(or_(customer.region_id == user.region_id, Company.region_id == user.region_id,
                               Introduction.requested_by_id == user.id))
    return query.where(or_(customer.id == user.company_id, Company.id == user.company_id))


def newest_first(query, limit: int):
    return query.options(*LIST_LOAD).order_by(Introduction.created_at.desc(), Introduction.id.desc()).limit(limit)

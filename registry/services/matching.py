"""Bridges the database and the pure matching engine: rows in, dataclasses out, and back.

The engine's indexes are caches of the database. Each process keeps one, refreshes it incrementally
from rows whose `updated_at` moved past its high-water mark, and so never answers from an old truth
for long, whichever process made the change.
"""

import time
from datetime import timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from registry.extensions import db
from registry.matching import (
    CapabilityNode,
    Match,
    MatchIndex,
    NeedProfile,
    Offer,
    OpportunityIndex,
    Reason,
    SupplierProfile,
    Taxonomy,
)
from registry.models import (
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Introduction,
    Need,
    Region,
    need_capability,
    need_okved,
)

_taxonomy_cache: dict = {}


def load_taxonomy() -> Taxonomy:
    """The capability taxonomy as the engine sees it, rebuilt only when the capability rows change."""
    rows = db.session.execute(select(Capability.id, Capability.code).order_by(Capability.id)).all()
    version = (db.engine.url.render_as_string(), tuple(rows))
    cached = _taxonomy_cache.get("taxonomy")
    if cached is None or cached[0] != version:
        capabilities = db.session.scalars(select(Capability).options(selectinload(Capability.okved_codes))).all()
        by_id = {cap.id: cap for cap in capabilities}
        nodes = [
            CapabilityNode(
                code=cap.code,
                parent=by_id[cap.parent_id].code if cap.parent_id else "",
                name_ru=cap.name_ru,
                name_en=cap.name_en,
                synonyms=tuple(cap.synonyms or ()),
                abbreviations=tuple(cap.abbreviations or ()),
                okved=tuple(code.code for code in cap.okved_codes),
            )
            for cap in capabilities
        ]
        cached = _taxonomy_cache["taxonomy"] = (version, Taxonomy(nodes))
    return cached[1]


def classify(text: str, limit: int = 3) -> list[Capability]:
    """The capability nodes free text is about, best first."""
    codes = [code for code, _ in load_taxonomy().classify(text, limit=limit)]
    if not codes:
        return []
    found = {cap.code: cap for cap in db.session.scalars(select(Capability).where(Capability.code.in_(codes)))}
    return [found[code] for code in codes if code in found]


# --- Profiles: rows in, engine dataclasses out -------------------------------------------------

def region_code(region) -> str:
    return (region.iso_code or region.inn_code) if region is not None else ""


def supplier_profile(company: Company) -> SupplierProfile:
    return SupplierProfile(
        id=company.id,
        name=company.name,
        region_code=region_code(company.region),
        region_name_ru=company.region.name_ru,
        region_name_en=company.region.name_en,
        verified=company.verification == "verified",
        active=company.active,
        okved=tuple(link.okved_code for link in company.okveds),
        offers=tuple(
            Offer(node_codes=(offer.capability.code,) if offer.capability else (),
                  text=" ".join(filter(None, (offer.text, offer.equipment, offer.certifications))))
            for offer in company.offers
        ),
        description=company.description or "",
    )


def need_profile(need: Need) -> NeedProfile:
    company = need.company
    return NeedProfile(
        id=need.id,
        company_id=need.company_id,
        title=need.title,
        text=" ".join(filter(None, (need.text, need.volume))),
        node_codes=tuple(cap.code for cap in need.capabilities),
        okved=tuple(code.code for code in need.okved_codes),
        region_code=region_code(company.region),
        region_name_ru=company.region.name_ru,
        region_name_en=company.region.name_en,
    )


COMPANY_LOAD = (
    selectinload(Company.offers).joinedload(CapabilityOffer.capability),
    selectinload(Company.okveds),
    joinedload(Company.region),
)
NEED_LOAD = (
    selectinload(Need.capabilities),
    selectinload(Need.okved_codes),
    joinedload(Need.company).joinedload(Company.region),
)


# --- Indexes: caches of the database, refreshed incrementally ---------------------------------

class _CachedIndex:
    """An engine index plus what it has seen of the table: each row's updated_at, and the newest."""

    def __init__(self, index):
        self.index = index
        self.seen_until = None
        self.versions: dict[int, object] = {}  # row id -> updated_at as last loaded
        self.swept_at = 0.0  # monotonic time of the last check for deleted rows


_indexes: dict = {}
BATCH = 2000
# A transaction that stamped its rows before our last look may commit after it: look back this far.
LOOKBACK = timedelta(minutes=2)
# Rows are deactivated or closed (which moves updated_at), hardly ever deleted: count them now and then.
SWEEP_SECONDS = 300


def _refresh(cached: _CachedIndex, model, load) -> None:
    """Brings the index up to date with the table, reloading only rows whose updated_at moved.

    When nothing changed this costs one indexed query (the newest updated_at). Rows are read in a
    session of their own, so the caller's session is neither filled nor disturbed.
    """
    newest = db.session.scalar(select(func.max(model.updated_at)))
    sweep = time.monotonic() - cached.swept_at > SWEEP_SECONDS
    if newest == cached.seen_until and not sweep:
        return
    with Session(db.engine) as session:
        stamps = select(model.id, model.updated_at)
        if cached.seen_until is not None:
            stamps = stamps.where(model.updated_at >= cached.seen_until - LOOKBACK)
        changed = sorted(row_id for row_id, stamp in session.execute(stamps) if cached.versions.get(row_id) != stamp)
        for first in range(0, len(changed), BATCH):
            for row_id, stamp, profile in load(session, changed[first:first + BATCH]):
                if profile is not None:
                    cached.index.upsert(profile)
                elif row_id in cached.index:
                    cached.index.remove(row_id)
                cached.versions[row_id] = stamp
        if sweep:
            if session.scalar(select(func.count(model.id))) != len(cached.versions):
                existing = set(session.scalars(select(model.id)))
                for gone in set(cached.versions) - existing:
                    if gone in cached.index:
                        cached.index.remove(gone)
                    del cached.versions[gone]
            cached.swept_at = time.monotonic()
    cached.seen_until = newest


def _cached(name: str, factory) -> _CachedIndex:
    taxonomy = load_taxonomy()
    key = (db.engine.url.render_as_string(), name)
    cached = _indexes.get(key)
    if cached is None or cached.index.taxonomy is not taxonomy:
        cached = _indexes[key] = _CachedIndex(factory(taxonomy))
    return cached


def _group(rows) -> dict:
    grouped: dict = {}
    for owner, *values in rows:
        grouped.setdefault(owner, []).append(values)
    return grouped


def _load_suppliers(session: Session, ids: list[int]):
    """(id, updated_at, profile) for companies, read as plain rows: building ORM objects for 100,000
    companies costs more than the index itself."""
    offers = _group(session.execute(
        select(CapabilityOffer.company_id, Capability.code, CapabilityOffer.text, CapabilityOffer.equipment,
               CapabilityOffer.certifications)
        .outerjoin(Capability, CapabilityOffer.capability_id == Capability.id)
        .where(CapabilityOffer.company_id.in_(ids)).order_by(CapabilityOffer.id)))
    okveds = _group(session.execute(
        select(CompanyOkved.company_id, CompanyOkved.okved_code).where(CompanyOkved.company_id.in_(ids))
        .order_by(CompanyOkved.is_main.desc(), CompanyOkved.okved_code)))
    rows = session.execute(
        select(Company.id, Company.updated_at, Company.name, Company.verification, Company.active,
               Company.description, Region.iso_code, Region.inn_code, Region.name_ru, Region.name_en)
        .join(Region, Company.region_id == Region.id).where(Company.id.in_(ids)))
    for row in rows:
        yield row.id, row.updated_at, SupplierProfile(
            id=row.id, name=row.name, region_code=row.iso_code or row.inn_code, region_name_ru=row.name_ru,
            region_name_en=row.name_en, verified=row.verification == "verified", active=row.active,
            okved=tuple(code for (code,) in okveds.get(row.id, ())),
            offers=tuple(Offer(node_codes=(code,) if code else (), text=" ".join(filter(None, texts)))
                         for code, *texts in offers.get(row.id, ())),
            description=row.description or "",
        )


def _load_needs(session: Session, ids: list[int]):
    """(id, updated_at, profile or None when the need is not open) for needs, as plain rows."""
    nodes = _group(session.execute(
        select(need_capability.c.need_id, Capability.code)
        .join(Capability, need_capability.c.capability_id == Capability.id)
        .where(need_capability.c.need_id.in_(ids))))
    okveds = _group(session.execute(
        select(need_okved.c.need_id, need_okved.c.okved_code).where(need_okved.c.need_id.in_(ids))))
    rows = session.execute(
        select(Need.id, Need.updated_at, Need.status, Need.company_id, Need.title, Need.text, Need.volume,
               Region.iso_code, Region.inn_code, Region.name_ru, Region.name_en)
        .join(Company, Need.company_id == Company.id).join(Region, Company.region_id == Region.id)
        .where(Need.id.in_(ids)))
    for row in rows:
        if row.status != "open":
            yield row.id, row.updated_at, None
            continue
        yield row.id, row.updated_at, NeedProfile(
            id=row.id, company_id=row.company_id, title=row.title, text=" ".join(filter(None, (row.text, row.volume))),
            node_codes=tuple(code for (code,) in nodes.get(row.id, ())),
            okved=tuple(code for (code,) in okveds.get(row.id, ())),
            region_code=row.iso_code or row.inn_code, region_name_ru=row.name_ru, region_name_en=row.name_en,
        )


def supplier_index() -> MatchIndex:
    cached = _cached("suppliers", MatchIndex)
    _refresh(cached, Company, _load_suppliers)
    return cached.index


def need_index() -> OpportunityIndex:
    cached = _cached("needs", OpportunityIndex)
    _refresh(cached, Need, _load_needs)
    return cached.index


def forget_indexes() -> None:
    """Drops every cached index (tests, or after bulk loads that bypass updated_at)."""
    _indexes.clear()
    _taxonomy_cache.clear()


# --- Ranking, with rows back ------------------------------------------------------------------

def suppliers_for(need: Need, *, limit: int = 10, other_regions_only: bool = False, region=None,
                  verified_only: bool = False, min_score: float = 0.0) -> list[tuple[Company, Match]]:
    """The best suppliers for a need, with their companies loaded in one query."""
    matches = supplier_index().rank(
        need_profile(need), limit=limit, exclude_company_id=need.company_id,
        other_regions_only=other_regions_only, region=region_code(region) if region is not None else None,
        verified_only=verified_only,
    )
    matches = [match for match in matches if match.score >= min_score]
    companies = {c.id: c for c in db.session.scalars(
        select(Company).where(Company.id.in_([m.id for m in matches])).options(joinedload(Company.region)))}
    return [(companies[m.id], m) for m in matches if m.id in companies]


def opportunities_for(company: Company, *, limit: int = 10, min_score: float = 0.0) -> list[tuple[Need, Match]]:
    """Open needs of other companies that this company could serve."""
    matches = need_index().rank(supplier_profile(company), limit=limit, exclude_company_id=company.id)
    matches = [match for match in matches if match.score >= min_score]
    needs = {n.id: n for n in db.session.scalars(
        select(Need).where(Need.id.in_([m.id for m in matches]))
        .options(joinedload(Need.company).joinedload(Company.region)))}
    return [(needs[m.id], m) for m in matches if m.id in needs]


# Pages show matches with at least this score: below it only a word or the region agrees, which helps no one.
# The API returns everything ranked, so that programs can choose their own threshold.
MIN_SCORE_SHOWN = 0.1


def introduced_suppliers(need: Need) -> set[int]:
    """Suppliers someone has already expressed interest in for this need."""
    return set(db.session.scalars(select(Introduction.supplier_id).where(Introduction.need_id == need.id)))


def explain(reason: Reason) -> str:
    """A reason as one sentence in the user's language."""
    data = reason.data
    lang = "en" if str(get_locale() or "ru") == "en" else "ru"
    node = data.get(f"node_name_{lang}", "")
    wanted = data.get(f"wanted_name_{lang}", "")
    if reason.kind == "capability_exact" and data.get("node_code") != data.get("wanted_code"):
        return _("%(node)s: a specialisation of the requested %(wanted)s", node=node, wanted=wanted)
    if reason.kind == "capability_exact":
        return _("%(node)s: exactly what the need asks for", node=node)
    if reason.kind == "capability_parent":
        return _("%(node)s: covers the requested %(wanted)s", node=node, wanted=wanted)
    if reason.kind == "capability_sibling":
        return _("%(node)s: close to the requested %(wanted)s", node=node, wanted=wanted)
    if reason.kind.startswith("capability"):
        return _("%(node)s: related to the requested %(wanted)s", node=node, wanted=wanted)
    if reason.kind == "text":
        return _("Same words in the descriptions: %(terms)s", terms=", ".join(data.get("terms", [])))
    if reason.kind == "okved":
        return _("OKVED2 codes agree: %(offered)s ↔ %(wanted)s", offered=data.get("okved", ""),
                 wanted=data.get("wanted_okved", ""))
    if reason.kind == "region":
        return _("Another region: %(supplier)s → %(customer)s", supplier=data.get(f"region_name_{lang}", ""),
                 customer=data.get(f"other_region_name_{lang}", ""))
    return reason.kind

"""Bridges the database and the pure matching engine: rows in, dataclasses out, and back.

Workers keep nothing per company: every ranking asks the database's retrieval tables
(`services/retrieval.py`) for candidates and scores them with the engine. The only process-wide cache
is the capability taxonomy, which knows when its rows change.
"""

import hashlib

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.extensions import db
from registry.matching import (
    NEEDS,
    SUPPLIERS,
    Analyzer,
    CapabilityNode,
    Filters,
    Match,
    NeedProfile,
    Offer,
    Reason,
    Retriever,
    SupplierProfile,
    Taxonomy,
)
from registry.matching.engine import Scorer, name_key, name_stems
from registry.models import Capability, CapabilityOffer, Company, Introduction, Need, OkvedCode
from registry.services import retrieval
from registry.services.retrieval import DatabaseStore

_taxonomy_cache: dict = {}


def load_taxonomy(session=None, *, fresh: bool = False) -> Taxonomy:
    """The capability taxonomy as the engine sees it, rebuilt only when the capability rows change.

    The retrieval index records the fingerprint of the taxonomy its documents were made with (`seed`
    rebuilds them when it changes): while that matches the cached one, one indexed lookup suffices.
    `fresh` reads the rows whatever the index says (the seed, which may just have changed them).
    """
    session = session or db.session
    url = session.get_bind().engine.url.render_as_string()
    cached = _taxonomy_cache.get("taxonomy")
    if not fresh and cached is not None and cached[0] == (url, retrieval.indexed_taxonomy(session)):
        return cached[1]
    rows = session.execute(select(Capability.id, Capability.code, Capability.parent_id, Capability.name_ru,
                                  Capability.name_en, Capability.synonyms, Capability.abbreviations)
                           .order_by(Capability.id)).all()
    version = (url, taxonomy_fingerprint(rows))
    if cached is None or cached[0] != version:
        capabilities = session.scalars(select(Capability).options(selectinload(Capability.okved_codes))).all()
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
        taxonomy = Taxonomy(nodes)
        taxonomy.fingerprint = version[1]
        cached = _taxonomy_cache["taxonomy"] = (version, taxonomy)
    return cached[1]


def taxonomy_fingerprint(rows) -> int:
    """A 63-bit digest of the capability rows: documents made with another taxonomy must be rebuilt."""
    digest = hashlib.blake2b(repr([tuple(row) for row in rows]).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


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


# --- Ranking, with rows back ------------------------------------------------------------------

def _scorer(taxonomy: Taxonomy) -> Scorer:
    cached = _taxonomy_cache.get("scorer")
    if cached is None or cached.taxonomy is not taxonomy:
        cached = _taxonomy_cache["scorer"] = Scorer(taxonomy)
    return cached


def retriever() -> Retriever:
    """The engine over the database's retrieval tables, in the request's session."""
    taxonomy = load_taxonomy()
    return Retriever(taxonomy, DatabaseStore(db.session), _scorer(taxonomy))


def analyzer(*, fresh: bool = False) -> Analyzer:
    return Analyzer(load_taxonomy(fresh=fresh))


def forget_caches() -> None:
    """Drops the process's taxonomy cache (tests switch databases)."""
    _taxonomy_cache.clear()


def suppliers_for(need: Need, *, limit: int = 10, other_regions_only: bool = False, region=None,
                  verified_only: bool = False, min_score: float = 0.0) -> list[tuple[Company, Match]]:
    """The best suppliers for a need, with their companies loaded in one query."""
    engine = retriever()
    profile = need_profile(need)
    filters = Filters(frozenset({need.company_id}), region_code(region) if region is not None else None,
                      profile.region_code if other_regions_only else None, verified_only)
    matches = engine.rank(engine.analyzer.need(profile), SUPPLIERS, limit, filters)
    matches = [match for match in matches if match.score >= min_score]
    companies = {c.id: c for c in db.session.scalars(
        select(Company).where(Company.id.in_([m.id for m in matches])).options(joinedload(Company.region)))}
    return [(companies[m.id], m) for m in matches if m.id in companies]


def explain_supplier(need: Need, supplier: Company) -> Match | None:
    """The explained match of one supplier for a need, whatever its rank (None if it is not indexed)."""
    engine = retriever()
    return engine.explain(engine.analyzer.need(need_profile(need)), SUPPLIERS, supplier.id)


def opportunities_for(company: Company, *, limit: int = 10, min_score: float = 0.0) -> list[tuple[Need, Match]]:
    """Open needs of other companies that this company could serve."""
    engine = retriever()
    matches = engine.rank(engine.analyzer.supplier(supplier_profile(company)), NEEDS, limit,
                          Filters(frozenset({company.id})))
    matches = [match for match in matches if match.score >= min_score]
    needs = {n.id: n for n in db.session.scalars(
        select(Need).where(Need.id.in_([m.id for m in matches]))
        .options(joinedload(Need.company).joinedload(Company.region)))}
    return [(needs[m.id], m) for m in matches if m.id in needs]


def search_companies(query: str, *, limit: int = 200) -> list[Match]:
    """Companies for a typed catalogue query, best first: the same understanding and ranking as a need."""
    engine = retriever()
    return engine.rank(engine.analyzer.search(query), SUPPLIERS, limit)


def companies_named(query: str, *, limit: int = 10) -> list[int]:
    """Companies whose name holds every word of the query (legal forms aside), from the index's name keys."""
    stems = name_stems(query)
    if not stems:
        return []
    found = DatabaseStore(db.session).top(SUPPLIERS, [(name_key(stem), NAME_POSTINGS) for stem in stems])
    common = set.intersection(*(set(entity_id for entity_id, _ in found[name_key(stem)]) for stem in stems))
    return sorted(common)[:limit]


# A word shared by more names than this is not what someone types to find one company.
NAME_POSTINGS = 500


def search_needs(query: str, *, limit: int = 100) -> list[Match]:
    """Open needs for a typed query, read as what a supplier offers."""
    engine = retriever()
    offer = SupplierProfile(id=None, name="", offers=(Offer(text=query),))
    return engine.rank(engine.analyzer.supplier(offer), NEEDS, limit)


def inferred_for(need: Need) -> tuple[list[Capability], list[OkvedCode]]:
    """The capability nodes and OKVED codes retrieval read from the need's text (not chosen by anyone),
    which reasons may name: the need's page shows them as inferred."""
    document = DatabaseStore(db.session).documents(NEEDS, [need.id]).get(need.id)
    if document is None:
        return [], []
    codes = document.inferred_nodes()
    found = {cap.code: cap for cap in db.session.scalars(select(Capability).where(Capability.code.in_(codes)))} \
        if codes else {}
    okved = []
    if document.okved_inferred:
        rows = {row.code: row for row in db.session.scalars(select(OkvedCode).where(OkvedCode.code.in_(document.okved)))}
        okved = [rows[code] for code in document.okved if code in rows]
    return [found[code] for code in codes if code in found], okved


# Pages show matches with at least this score: below it only a word, an OKVED group or the region agrees,
# which helps no one. The API returns everything ranked, so that programs can choose their own threshold.
MIN_SCORE_SHOWN = 0.12


def introduced_suppliers(need: Need) -> set[int]:
    """Suppliers someone has already expressed interest in for this need."""
    return set(db.session.scalars(select(Introduction.supplier_id).where(Introduction.need_id == need.id)))


def explain(reason: Reason) -> str:
    """A reason as one sentence in the user's language; evidence read from the text says so."""
    data = reason.data
    lang = "en" if str(get_locale() or "ru") == "en" else "ru"
    node = data.get(f"node_name_{lang}", "")
    wanted = data.get(f"wanted_name_{lang}", "")
    inferred = data.get("wanted_inferred") or data.get("offered_inferred")
    if reason.kind.startswith("capability"):
        if reason.kind == "capability_exact" and data.get("node_code") != data.get("wanted_code"):
            sentence = _("%(node)s: a specialisation of the requested %(wanted)s", node=node, wanted=wanted)
        elif reason.kind == "capability_exact":
            sentence = _("%(node)s: exactly what the need asks for", node=node)
        elif reason.kind == "capability_parent":
            sentence = _("%(node)s: covers the requested %(wanted)s", node=node, wanted=wanted)
        elif reason.kind == "capability_sibling":
            sentence = _("%(node)s: close to the requested %(wanted)s", node=node, wanted=wanted)
        else:
            sentence = _("%(node)s: related to the requested %(wanted)s", node=node, wanted=wanted)
        return f"{sentence} ({_('inferred from the text')})" if inferred else sentence
    if reason.kind == "text":
        if not data.get("terms"):
            return _("The descriptions share widely used words")
        return _("Same words in the descriptions: %(terms)s", terms=", ".join(data["terms"]))
    if reason.kind == "okved":
        sentence = _("OKVED2 codes agree: %(offered)s ↔ %(wanted)s", offered=data.get("okved", ""),
                     wanted=data.get("wanted_okved", ""))
        return f"{sentence} ({_('inferred from the text')})" if inferred else sentence
    if reason.kind == "region":
        return _("Another region: %(supplier)s → %(customer)s", supplier=data.get(f"region_name_{lang}", ""),
                 customer=data.get(f"other_region_name_{lang}", ""))
    return reason.kind


def found_by(match: Match) -> list[str]:
    """Why a search result was found, in a few words: the matched capabilities, then the matched words."""
    lang = "en" if str(get_locale() or "ru") == "en" else "ru"
    words: list[str] = []
    for reason in match.reasons:
        if reason.kind.startswith("capability"):
            words.append(reason.data.get(f"node_name_{lang}", ""))
        elif reason.kind == "text":
            words.extend(reason.data.get("terms", [])[:3])
    return list(dict.fromkeys(word for word in words if word))[:4]


def matches_both_ways(company: Company, needs, supplier_ids, need_ids) -> tuple[dict, dict[int, Match]]:
    """A firm against a known set of others (an event's participants), both ways: per need of the firm,
    the explained match of each of `supplier_ids` (need id -> company id -> Match); and the firm as the
    supplier of each of `need_ids` (need id -> Match). Two queries per need of the firm and two for the
    others' needs, however many others there are."""
    engine = retriever()
    supplying = {need.id: engine.explain_many(engine.analyzer.need(need_profile(need)), SUPPLIERS, supplier_ids)
                 for need in needs} if supplier_ids else {}
    served = engine.explain_many(engine.analyzer.supplier(supplier_profile(company)), NEEDS, need_ids)
    return supplying, served

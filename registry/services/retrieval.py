"""The database as the retrieval index: documents and postings written beside companies and needs.

When a transaction that changed a company (its profile, offers, OKVED codes) or a need commits, the
company's supplier document and its open needs' documents are rebuilt in the same transaction, by the
engine's `Analyzer`. No entry point can skip it: the session's flush and commit events do it. Bulk
loaders that bypass the ORM (demo data) call `index_companies` / `index_needs` themselves.

`DatabaseStore` answers the engine's three questions in one query each: corpus statistics for the
query's terms, the heaviest postings of the query's keys (index range scans with a LIMIT, in one
UNION ALL), and the documents of the chosen candidates.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

from sqlalchemy import delete, event, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from registry.matching import NEEDS, SUPPLIERS, Analyzer, Document, NeedProfile, Offer, Stats, SupplierProfile
from registry.matching.engine import term_key
from registry.models import (
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Need,
    Region,
    RetrievalDocument,
    RetrievalPosting,
    RetrievalStat,
    need_capability,
    need_okved,
)

CORPUS = "#"  # the stats row with the document count and total length
META, TAXONOMY = "meta", "taxonomy"  # the stats row whose df is the fingerprint of the indexed taxonomy
BATCH = 1000


class DatabaseStore:
    """The engine's `Store` over the retrieval tables, in the given session."""

    def __init__(self, session: Session):
        self.session = session

    def stats(self, side: str, stems: list[str]) -> Stats:
        keys = {term_key(stem): stem for stem in stems}
        rows = self.session.execute(
            select(RetrievalStat.key, RetrievalStat.df, RetrievalStat.total_length)
            .where(RetrievalStat.side == side, RetrievalStat.key.in_([CORPUS, *keys]))).all()
        documents, total, df = 0, 0.0, {}
        for key, count, length in rows:
            if key == CORPUS:
                documents, total = count, length
            elif count > 0:
                df[keys[key]] = count
        return Stats(documents, total, df)

    def top(self, side: str, requests: list[tuple[str, int]]) -> dict[str, list[tuple[object, float]]]:
        found: dict[str, list[tuple[object, float]]] = {key: [] for key, _ in requests}
        if not requests:
            return found
        parts, params = [], {"side": side}
        for number, (key, limit) in enumerate(requests):
            params[f"k{number}"], params[f"l{number}"] = key, limit
            parts.append(
                f"SELECT * FROM (SELECT key, entity_id, weight FROM retrieval_postings "
                f"WHERE side = :side AND key = :k{number} ORDER BY weight DESC, entity_id DESC "
                f"LIMIT :l{number}) AS q{number}")
        for key, entity_id, weight in self.session.execute(text(" UNION ALL ".join(parts)), params):
            found[key].append((entity_id, weight))
        return found

    def weights(self, side: str, ids: list, keys: list[str]) -> dict[str, list[tuple[object, float]]]:
        found: dict[str, list[tuple[object, float]]] = {key: [] for key in keys}
        if not ids or not keys:
            return found
        rows = self.session.execute(
            select(RetrievalPosting.key, RetrievalPosting.entity_id, RetrievalPosting.weight)
            .where(RetrievalPosting.side == side, RetrievalPosting.entity_id.in_(ids), RetrievalPosting.key.in_(keys)))
        for key, entity_id, weight in rows:
            found[key].append((entity_id, weight))
        return found

    def documents(self, side: str, ids: list) -> dict[object, Document]:
        if not ids:
            return {}
        rows = self.session.execute(
            select(RetrievalDocument.entity_id, RetrievalDocument.document)
            .where(RetrievalDocument.side == side, RetrievalDocument.entity_id.in_(ids)))
        return {entity_id: Document.from_dict(document) for entity_id, document in rows}


# --- Writing: profiles in, documents and postings out ------------------------------------------

def _group(rows) -> dict:
    grouped: dict = {}
    for owner, *values in rows:
        grouped.setdefault(owner, []).append(values)
    return grouped


def supplier_profiles(session: Session, ids) -> dict[int, SupplierProfile | None]:
    """Profiles of the given companies, read as plain rows; None for a company that may not be offered
    (inactive, or not published: `Company.is_public`), so that it is no match, result or suggestion to others."""
    offers = _group(session.execute(
        select(CapabilityOffer.company_id, Capability.code, CapabilityOffer.text, CapabilityOffer.equipment,
               CapabilityOffer.certifications)
        .outerjoin(Capability, CapabilityOffer.capability_id == Capability.id)
        .where(CapabilityOffer.company_id.in_(ids)).order_by(CapabilityOffer.id)))
    okveds = _group(session.execute(
        select(CompanyOkved.company_id, CompanyOkved.okved_code).where(CompanyOkved.company_id.in_(ids))
        .order_by(CompanyOkved.is_main.desc(), CompanyOkved.okved_code)))
    rows = session.execute(
        select(Company.id, Company.name, Company.verification, Company.is_public.label("public"), Company.description,
               Region.iso_code, Region.inn_code, Region.name_ru, Region.name_en)
        .join(Region, Company.region_id == Region.id).where(Company.id.in_(ids)))
    profiles: dict[int, SupplierProfile | None] = dict.fromkeys(ids)
    for row in rows:
        if not row.public:
            continue
        profiles[row.id] = SupplierProfile(
            id=row.id, name=row.name, region_code=row.iso_code or row.inn_code, region_name_ru=row.name_ru,
            region_name_en=row.name_en, verified=row.verification == "verified", active=True,
            okved=tuple(code for (code,) in okveds.get(row.id, ())),
            offers=tuple(Offer(node_codes=(code,) if code else (), text=" ".join(filter(None, texts)))
                         for code, *texts in offers.get(row.id, ())),
            description=row.description or "",
        )
    return profiles


def need_profiles(session: Session, ids) -> dict[int, NeedProfile | None]:
    """Profiles of the given needs; None for a need that is not open or whose company is not public."""
    nodes = _group(session.execute(
        select(need_capability.c.need_id, Capability.code)
        .join(Capability, need_capability.c.capability_id == Capability.id)
        .where(need_capability.c.need_id.in_(ids))))
    okveds = _group(session.execute(
        select(need_okved.c.need_id, need_okved.c.okved_code).where(need_okved.c.need_id.in_(ids))))
    rows = session.execute(
        select(Need.id, Need.status, Need.company_id, Need.title, Need.text, Need.volume, Company.is_public.label("public"),
               Region.iso_code, Region.inn_code, Region.name_ru, Region.name_en)
        .join(Company, Need.company_id == Company.id).join(Region, Company.region_id == Region.id)
        .where(Need.id.in_(ids)))
    profiles: dict[int, NeedProfile | None] = dict.fromkeys(ids)
    for row in rows:
        if row.status != "open" or not row.public:
            continue
        profiles[row.id] = NeedProfile(
            id=row.id, company_id=row.company_id, title=row.title, text=" ".join(filter(None, (row.text, row.volume))),
            node_codes=tuple(code for (code,) in nodes.get(row.id, ())),
            okved=tuple(code for (code,) in okveds.get(row.id, ())),
            region_code=row.iso_code or row.inn_code, region_name_ru=row.name_ru, region_name_en=row.name_en,
        )
    return profiles


def _upsert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _write(session: Session, analyzer: Analyzer, side: str, analysed: dict[int, Document | None]) -> None:
    """Replaces the documents and postings of the given ids, keeping the corpus statistics in step."""
    ids = sorted(analysed)
    delta_df: Counter = Counter()
    delta_docs, delta_length = 0, 0.0
    old = session.execute(select(RetrievalDocument.entity_id, RetrievalDocument.document)
                          .where(RetrievalDocument.side == side, RetrievalDocument.entity_id.in_(ids))).all()
    for _, stored in old:
        document = Document.from_dict(stored)
        delta_docs -= 1
        delta_length -= document.length
        delta_df.subtract(term_key(stem) for stem in document.weights)
    session.execute(delete(RetrievalPosting).where(RetrievalPosting.side == side, RetrievalPosting.entity_id.in_(ids)))
    session.execute(delete(RetrievalDocument).where(RetrievalDocument.side == side, RetrievalDocument.entity_id.in_(ids)))

    current = DatabaseStore(session).stats(side, [])
    documents, postings = [], []
    for entity_id in ids:
        document = analysed[entity_id]
        if document is None:
            continue
        delta_docs += 1
        delta_length += document.length
        average = (current.total_length + delta_length) / max(current.documents + delta_docs, 1)
        stored = analyzer.stored(document, average)
        documents.append({"side": side, "entity_id": entity_id, "document": stored.to_dict()})
        for key, weight in analyzer.postings(stored, side).items():
            postings.append({"side": side, "entity_id": entity_id, "key": key, "weight": weight})
        delta_df.update(term_key(stem) for stem in stored.weights)
    if documents:
        session.execute(RetrievalDocument.__table__.insert(), documents)
    if postings:
        session.execute(RetrievalPosting.__table__.insert(), postings)

    changes = [{"side": side, "key": key, "df": count, "total_length": 0.0}
               for key, count in sorted(delta_df.items()) if count]
    if delta_docs or delta_length:
        changes.insert(0, {"side": side, "key": CORPUS, "df": delta_docs, "total_length": delta_length})
    if changes:
        # Increments, not overwrites: concurrent writers add up (keys sorted, so no lock cycles).
        insert = _upsert(session)(RetrievalStat)
        stats = RetrievalStat.__table__.c
        session.execute(insert.on_conflict_do_update(
            index_elements=[stats.side, stats.key],
            set_={"df": stats.df + insert.excluded.df, "total_length": stats.total_length + insert.excluded.total_length},
        ), changes)


def index_companies(session: Session, analyzer: Analyzer, ids) -> None:
    """Rebuilds the supplier documents of these companies (inactive or deleted ones are dropped)."""
    ids = sorted(set(ids))
    for first in range(0, len(ids), BATCH):
        profiles = supplier_profiles(session, ids[first:first + BATCH])
        _write(session, analyzer, SUPPLIERS,
               {i: analyzer.supplier(p) if p is not None else None for i, p in profiles.items()})


def index_needs(session: Session, analyzer: Analyzer, ids) -> None:
    """Rebuilds the documents of these needs (closed, deleted or of inactive companies: dropped)."""
    ids = sorted(set(ids))
    for first in range(0, len(ids), BATCH):
        profiles = need_profiles(session, ids[first:first + BATCH])
        _write(session, analyzer, NEEDS, {i: analyzer.need(p) if p is not None else None for i, p in profiles.items()})


def reindex_all(session: Session, analyzer: Analyzer) -> dict[str, int]:
    """Rebuilds every document from scratch (after a taxonomy change, or for rows loaded in bulk)."""
    for model in (RetrievalPosting, RetrievalDocument, RetrievalStat):
        session.execute(delete(model))
    company_ids = list(session.scalars(select(Company.id).where(Company.is_public)))
    need_ids = list(session.scalars(select(Need.id).where(Need.status == "open")))
    index_companies(session, analyzer, company_ids)
    index_needs(session, analyzer, need_ids)
    session.add(RetrievalStat(side=META, key=TAXONOMY, df=getattr(analyzer.taxonomy, "fingerprint", 0), total_length=0))
    session.flush()
    return {"companies": len(company_ids), "needs": len(need_ids)}


def indexed_taxonomy(session: Session) -> int | None:
    """The fingerprint of the taxonomy the stored documents were made with."""
    return session.scalar(select(RetrievalStat.df).where(RetrievalStat.side == META, RetrievalStat.key == TAXONOMY))


def ensure_current(session: Session, analyzer: Analyzer) -> dict[str, int] | None:
    """Rebuilds every document when the taxonomy changed since they were made (e.g. after `seed`)."""
    if indexed_taxonomy(session) == getattr(analyzer.taxonomy, "fingerprint", 0):
        return None
    return reindex_all(session, analyzer)


# --- Keeping the index in step with every ORM write --------------------------------------------

_PENDING = "retrieval_pending"


def _collect(session: Session, flush_context) -> None:
    """After each flush: which companies and needs this transaction changed."""
    companies, needs = session.info.setdefault(_PENDING, (set(), set()))
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Company):
            # A new need joins company.needs, which marks the company dirty: that alone changes no document.
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            companies.add(obj.id)
        elif isinstance(obj, (CapabilityOffer, CompanyOkved)):
            companies.add(obj.company_id)
        elif isinstance(obj, Need):
            needs.add(obj.id)
    companies.discard(None)
    needs.discard(None)


def _apply(session: Session, analyzer_for) -> None:
    """Before commit: rebuild the changed documents inside the same transaction."""
    session.flush()
    companies, needs = session.info.pop(_PENDING, (set(), set()))
    if not companies and not needs:
        return
    analyzer = analyzer_for()
    if companies:
        # A company's region, name or activity shows in its needs' documents too.
        needs = needs | set(session.scalars(select(Need.id).where(Need.company_id.in_(companies))))
        index_companies(session, analyzer, companies)
    if needs:
        index_needs(session, analyzer, needs)
    session.info.pop(_PENDING, None)  # the index's own flushes changed no company or need


def _forget(session: Session, *args) -> None:
    session.info.pop(_PENDING, None)


def keep_in_step(scoped_session, analyzer_for) -> None:
    """Registers the flush/commit/rollback hooks on the app's session (idempotent)."""
    apply = partial(_apply, analyzer_for=analyzer_for)
    if getattr(scoped_session, "_retrieval_hooks", False):
        return
    event.listen(scoped_session, "after_flush", _collect)
    event.listen(scoped_session, "before_commit", apply)
    event.listen(scoped_session, "after_rollback", _forget)
    scoped_session._retrieval_hooks = True


__all__ = ["DatabaseStore", "index_companies", "index_needs", "keep_in_step", "reindex_all"]

"""Bridges the database and the pure matching engine: rows in, dataclasses out, and back.

The engine's indexes are caches of the database. Each process keeps one, refreshes it incrementally
from rows whose `updated_at` moved past its high-water mark, and so never answers from an old truth
for long, whichever process made the change.
"""

from sqlalchemy import select

from registry.extensions import db
from registry.matching import CapabilityNode, Taxonomy
from registry.models import Capability

_taxonomy_cache: dict = {}


def load_taxonomy() -> Taxonomy:
    """The capability taxonomy as the engine sees it, rebuilt only when the capability rows change."""
    rows = db.session.execute(select(Capability.id, Capability.code).order_by(Capability.id)).all()
    version = (db.engine.url.render_as_string(), tuple(rows))
    cached = _taxonomy_cache.get("taxonomy")
    if cached is None or cached[0] != version:
        capabilities = db.session.scalars(select(Capability)).all()
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

"""Shared builders for the matching tests (no fixtures file: tests/conftest.py belongs to the app)."""

from functools import lru_cache
from pathlib import Path

from registry.matching.engine import NeedProfile, Offer, SupplierProfile
from registry.matching.taxonomy import Taxonomy, load_toml

SEED = Path(__file__).resolve().parents[2] / "seeds" / "capabilities.toml"


@lru_cache(maxsize=1)
def seed_taxonomy() -> Taxonomy:
    return Taxonomy(load_toml(SEED))


def supplier(id, *offers, region="RU-ULY", okved=(), description="", verified=True, active=True, codes=()):
    return SupplierProfile(
        id=id,
        name=f"Supplier {id}",
        region_code=region,
        region_name_ru=f"Регион {region}",
        region_name_en=f"Region {region}",
        verified=verified,
        active=active,
        okved=tuple(okved),
        offers=tuple(Offer(tuple(codes), text) for text in offers),
        description=description,
    )


def need(id, company_id, title, text="", region="RU-MO", codes=(), okved=()):
    return NeedProfile(
        id=id,
        company_id=company_id,
        title=title,
        text=text,
        node_codes=tuple(codes),
        okved=tuple(okved),
        region_code=region,
        region_name_ru=f"Регион {region}",
        region_name_en=f"Region {region}",
    )

"""Pure matching engine: standard library and PyStemmer only (no Flask, no SQLAlchemy)."""

from .engine import (
    NEEDS,
    SUPPLIERS,
    Analyzer,
    Document,
    Filters,
    Match,
    MatchIndex,
    MemoryStore,
    NeedProfile,
    Offer,
    OpportunityIndex,
    Reason,
    Retriever,
    Stats,
    SupplierProfile,
)
from .taxonomy import CapabilityNode, Taxonomy, load_toml
from .text import normalize, stemmed_text

__all__ = [
    "NEEDS", "SUPPLIERS", "Analyzer", "CapabilityNode", "Document", "Filters", "Match", "MatchIndex",
    "MemoryStore", "NeedProfile", "Offer", "OpportunityIndex", "Reason", "Retriever", "Stats",
    "SupplierProfile", "Taxonomy", "load_toml", "normalize", "stemmed_text",
]

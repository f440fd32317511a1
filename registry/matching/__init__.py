"""Pure matching engine: standard library and PyStemmer only (no Flask, no SQLAlchemy)."""

from .engine import Match, MatchIndex, NeedProfile, Offer, OpportunityIndex, Reason, SupplierProfile
from .taxonomy import CapabilityNode, Taxonomy, load_toml
from .text import normalize, stemmed_text

__all__ = [
    "CapabilityNode",
    "Match",
    "MatchIndex",
    "NeedProfile",
    "Offer",
    "OpportunityIndex",
    "Reason",
    "SupplierProfile",
    "Taxonomy",
    "load_toml",
    "normalize",
    "stemmed_text",
]

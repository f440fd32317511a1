"""What retrieval needs per company and per open need, written beside them (see services/retrieval.py).

Workers keep no index of their own: these tables are the index. `side` says which kind of document a
row belongs to ("supplier": a company; "need": an open need).
"""

from sqlalchemy import JSON, BigInteger, Float, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base


class RetrievalPosting(Base):
    """One index key of a document (a capability node, its subtree, a term, an OKVED prefix) with its weight."""

    __tablename__ = "retrieval_postings"

    side: Mapped[str] = mapped_column(String(8))
    entity_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(120))
    weight: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        # One document's weights for given keys, read from the index alone (PostgreSQL's INCLUDE).
        PrimaryKeyConstraint("side", "entity_id", "key", postgresql_include=["weight"]),
        # The heaviest postings of one key first: candidates are read as an index range with a LIMIT.
        Index("ix_retrieval_postings_key_weight", "side", "key", "weight", "entity_id"),
    )


class RetrievalDocument(Base):
    """The scorer's view of one document: nodes (chosen or inferred), OKVED codes, term weights, region."""

    __tablename__ = "retrieval_documents"

    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)


class RetrievalStat(Base):
    """Corpus statistics per side: document frequency per term key; the key "#" holds the document
    count and their total length."""

    __tablename__ = "retrieval_stats"

    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    df: Mapped[int] = mapped_column(BigInteger, default=0)
    total_length: Mapped[float] = mapped_column(Float, default=0.0)

"""Ranking-quality metrics over graded judgements (pure functions).

`ranked` is a list of ids, best first; `judgements` maps id -> grade
(2 = fully relevant, 1 = partly relevant; missing or 0 = not relevant).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(grades: Sequence[float]) -> float:
    """Discounted cumulative gain with gain 2^grade - 1."""
    return sum((2**grade - 1) / math.log2(position + 2) for position, grade in enumerate(grades))


def ndcg_at_k(ranked: Sequence, judgements: Mapping, k: int = 10) -> float:
    ideal = dcg(sorted(judgements.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judgements.get(item, 0) for item in ranked[:k]]) / ideal


def precision_at_k(ranked: Sequence, judgements: Mapping, k: int = 5) -> float:
    """Share of the first k places taken by items of grade >= 1 (k counts even if fewer were ranked)."""
    return sum(1 for item in ranked[:k] if judgements.get(item, 0) >= 1) / k


def recall_at_k(ranked: Sequence, judgements: Mapping, k: int = 10) -> float:
    relevant = {item for item, grade in judgements.items() if grade >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate(rankings: Mapping, judgements: Mapping, k: int = 10) -> dict[str, float]:
    """Mean nDCG@k, P@5 and recall@k over queries; both mappings are keyed by query id."""
    queries = [query for query in judgements if query in rankings]
    return {
        f"ndcg@{k}": mean([ndcg_at_k(rankings[q], judgements[q], k) for q in queries]),
        "p@5": mean([precision_at_k(rankings[q], judgements[q], 5) for q in queries]),
        f"recall@{k}": mean([recall_at_k(rankings[q], judgements[q], k) for q in queries]),
    }

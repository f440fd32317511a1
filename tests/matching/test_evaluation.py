"""Ranking metrics."""

import math

import pytest

from registry.matching.evaluation import evaluate, ndcg_at_k, precision_at_k, recall_at_k


def test_perfect_ranking_scores_one():
    judgements = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "c"], judgements) == pytest.approx(1.0)
    assert recall_at_k(["a", "b"], judgements) == 1.0


def test_ndcg_uses_exponential_gain_and_log_discount():
    judgements = {"a": 2, "b": 1}
    ideal = 3 + 1 / math.log2(3)
    assert ndcg_at_k(["b", "a"], judgements) == pytest.approx((1 + 3 / math.log2(3)) / ideal)
    assert ndcg_at_k(["x", "y"], judgements) == 0.0
    assert ndcg_at_k(["a"], {}) == 0.0


def test_precision_counts_grade_one_and_divides_by_k():
    assert precision_at_k(["a", "x", "b"], {"a": 2, "b": 1}, k=5) == pytest.approx(2 / 5)


def test_recall_only_looks_at_the_first_k():
    assert recall_at_k(["x"] * 10 + ["a"], {"a": 2}, k=10) == 0.0


def test_evaluate_averages_over_queries():
    result = evaluate({"q1": ["a"], "q2": ["x"]}, {"q1": {"a": 2}, "q2": {"b": 2}})
    assert result["ndcg@10"] == pytest.approx(0.5)
    assert result["recall@10"] == pytest.approx(0.5)

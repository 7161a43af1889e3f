"""Worked examples of the needs formulas (Borich MWDS, gaps, group means)."""

import numpy as np
import pytest

from plancampus.needs import metrics

NAN = np.nan


def test_borich_worked_example():
    # Five respondents rate two competencies (importance, ability) on 1-5.
    # Competency A: importance 5,5,4,5,4 (mean 4.6); ability 2,1,2,3,2; discrepancies
    # 3,4,2,2,2 (mean 2.6); MWDS = 4.6 × 2.6 = 11.96.
    # Competency B: importance 3,2,3,3,4 (mean 3); ability 3,3,2,4,3; discrepancies
    # 0,-1,1,-1,1 (mean 0); MWDS = 0.
    importance = np.array([[5, 3], [5, 2], [4, 3], [5, 3], [4, 4]], dtype=float)
    ability = np.array([[2, 3], [1, 3], [2, 2], [3, 4], [2, 3]], dtype=float)
    result = metrics.borich_mwds(importance, ability)
    assert result.mwds == pytest.approx([11.96, 0.0])
    assert result.mean_importance == pytest.approx([4.6, 3.0])
    assert result.mean_discrepancy == pytest.approx([2.6, 0.0])
    assert result.n.tolist() == [5, 5]
    assert result.rank().tolist() == [0, 1]


def test_borich_is_the_mean_of_weighted_discrepancy_scores():
    """MWDS = Σ (I − A) × Ī / n, as in McKim & Saucier's calculator."""
    rng = np.random.default_rng(1)
    importance = rng.integers(1, 6, size=(40, 3)).astype(float)
    ability = rng.integers(1, 6, size=(40, 3)).astype(float)
    result = metrics.borich_mwds(importance, ability)
    for j in range(3):
        wds = (importance[:, j] - ability[:, j]) * importance[:, j].mean()
        assert result.mwds[j] == pytest.approx(wds.sum() / 40)


def test_borich_counts_only_respondents_who_rated_both():
    importance = np.array([[5.0], [NAN], [3.0]])
    ability = np.array([[1.0], [2.0], [NAN]])
    result = metrics.borich_mwds(importance, ability)
    assert result.n.tolist() == [1]
    assert result.mwds == pytest.approx([20.0])  # 5 × (5 − 1)


def test_borich_ranks_unanswered_competencies_last():
    result = metrics.borich_mwds(np.array([[NAN, 4.0]]), np.array([[NAN, 1.0]]))
    assert np.isnan(result.mwds[0])
    assert result.rank().tolist() == [1, 0]


def test_person_gaps_floor_at_zero_and_keep_missing():
    required = np.array([[4, 4, NAN], [3, 5, 2]])
    current = np.array([[2, 5, 1], [NAN, 1, 2]])
    gaps = metrics.person_gaps(required, current)
    assert gaps[0, :2].tolist() == [2, 0]
    assert np.isnan(gaps[0, 2])
    assert np.isnan(gaps[1, 0])
    assert gaps[1, 1:].tolist() == [4, 0]


def test_group_means_and_level_counts():
    values = np.array([[1.0, NAN], [3.0, 2.0], [NAN, 4.0]])
    means = metrics.group_means(values, np.array([0, 0, 1]), 2)
    assert means[0].tolist() == [2.0, 2.0]
    assert np.isnan(means[1, 0])
    assert means[1, 1] == 4.0
    counts = metrics.level_counts(np.array([[1.0], [5.0], [5.0], [NAN]]), 1, 5)
    assert counts[:, 0].tolist() == [1, 0, 0, 0, 2]


@pytest.mark.parametrize(
    ("importance", "performance", "expected"),
    [
        (4.5, 2.0, "concentrate_here"),
        (4.5, 4.0, "keep_up"),
        (3, 2, "low_priority"),
        (3, 4, "possible_overkill"),
    ],
)
def test_quadrants(importance, performance, expected):
    assert metrics.quadrant(importance, performance, 4.0, 3.0) == expected

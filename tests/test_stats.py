from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from harness import stats
from harness.stats import LATENCY_COLUMNS, latency_summary, median, median_confidence_interval, relative_spread


@pytest.fixture
def samples():
    return np.random.default_rng(1).integers(1_000_000, 9_000_000, size=101)


def test_summary_matches_numpy_and_scipy_in_milliseconds(samples):
    summary = latency_summary(list(samples))
    ms = samples / 1e6
    assert summary["latency_p50_ms"] == pytest.approx(np.median(ms))
    assert summary["latency_p90_ms"] == pytest.approx(np.percentile(ms, 90))
    assert summary["latency_p99_ms"] == pytest.approx(np.percentile(ms, 99))
    assert summary["latency_mean_ms"] == pytest.approx(ms.mean())
    assert summary["latency_std_ms"] == pytest.approx(ms.std(ddof=1))
    assert summary["latency_min_ms"] == pytest.approx(ms.min()) and summary["latency_max_ms"] == pytest.approx(ms.max())
    assert summary["latency_cv"] == pytest.approx(ms.std(ddof=1) / ms.mean())
    assert summary["latency_trimmed_mean_ms"] == pytest.approx(scipy_stats.trim_mean(ms, 0.1))
    assert summary["latency_mad_ms"] == pytest.approx(np.median(np.abs(ms - np.median(ms))))
    assert set(summary) == set(LATENCY_COLUMNS)


def test_trimmed_mean_ignores_outliers():
    ms = [10.0] * 18 + [1000.0, 2000.0]
    summary = latency_summary([int(v * 1e6) for v in ms])
    assert summary["latency_trimmed_mean_ms"] == pytest.approx(10.0) and summary["latency_mean_ms"] > 100


def test_median_interval_agrees_with_a_plain_bootstrap(samples):
    ms = samples / 1e6
    low, high = median_confidence_interval([ms])
    rng = np.random.default_rng(7)
    medians = np.median(rng.choice(ms, size=(4000, ms.size), replace=True), axis=1)
    reference_low, reference_high = np.percentile(medians, [2.5, 97.5])
    assert low <= np.median(ms) <= high
    assert low == pytest.approx(reference_low, rel=0.03) and high == pytest.approx(reference_high, rel=0.03)


def test_median_interval_is_deterministic_and_narrows_with_more_samples():
    rng = np.random.default_rng(3)
    few, many = rng.normal(10, 1, 30), rng.normal(10, 1, 3000)
    assert median_confidence_interval([few]) == median_confidence_interval([few])
    few_width = np.subtract(*median_confidence_interval([few])[::-1])
    many_width = np.subtract(*median_confidence_interval([many])[::-1])
    assert many_width < few_width / 3


def test_known_values():
    summary = latency_summary([1_000_000, 2_000_000, 3_000_000, 4_000_000])
    assert summary["latency_p50_ms"] == 2.5 and summary["latency_mean_ms"] == 2.5 and summary["latency_min_ms"] == 1.0
    assert summary["latency_mad_ms"] == 1.0


def test_degenerate_inputs():
    one = latency_summary([5_000_000])
    assert one["latency_std_ms"] == 0.0 and one["latency_p50_ci_low_ms"] == one["latency_p50_ci_high_ms"] == 5.0
    assert set(latency_summary([]).values()) == {None}
    assert median([]) is None and median([3, 1, 2]) == 2


def test_relative_spread_of_repetition_medians():
    assert relative_spread([10.0]) is None
    assert relative_spread([9.0, 10.0, 11.0]) == pytest.approx(0.2)
    assert relative_spread([5.0, 5.0]) == 0.0


def test_repetitions_that_disagree_widen_the_interval():
    rng = np.random.default_rng(5)
    repetitions = [rng.normal(centre, 0.2, 400) for centre in (7.6, 7.2, 7.4)]
    pooled_low, pooled_high = median_confidence_interval([np.concatenate(repetitions)])
    low, high = median_confidence_interval(repetitions)
    assert high - low > 3 * (pooled_high - pooled_low)
    assert low < np.median(repetitions[1]) + 0.1 and high > np.median(repetitions[0]) - 0.1
    assert median_confidence_interval(repetitions) == (low, high)  # seeded


def test_repetitions_that_agree_keep_the_interval_narrow():
    rng = np.random.default_rng(6)
    repetitions = [rng.normal(7.4, 0.2, 400) for _ in range(3)]
    low, high = median_confidence_interval(repetitions)
    assert high - low < 0.1


def test_summary_uses_the_repetition_boundaries():
    rng = np.random.default_rng(8)
    samples = np.concatenate([rng.normal(c, 0.05, 200) for c in (5.0, 6.0)]) * 1e6
    grouped = latency_summary(list(samples.astype(int)), [200, 200])
    pooled = latency_summary(list(samples.astype(int)))
    assert grouped["latency_p50_ms"] == pooled["latency_p50_ms"]
    assert grouped["latency_p50_ci_high_ms"] - grouped["latency_p50_ci_low_ms"] > \
        pooled["latency_p50_ci_high_ms"] - pooled["latency_p50_ci_low_ms"]


def test_pooled_summary_weights_means_and_pools_variance_but_keeps_no_cross_run_median():
    from harness.stats import pooled_summary

    one = {"count": 10, "mean": 2e6, "std": 0.0, "min": 2e6, "max": 2e6, "median": 2e6}
    two = {"count": 30, "mean": 4e6, "std": 0.0, "min": 4e6, "max": 4e6, "median": 4e6}
    pooled = pooled_summary([one, two])
    assert pooled["latency_mean_ms"] == 3.5 and pooled["latency_min_ms"] == 2.0 and pooled["latency_max_ms"] == 4.0
    values = np.array([2.0] * 10 + [4.0] * 30)
    assert pooled["latency_std_ms"] == pytest.approx(values.std(ddof=1))
    assert pooled["latency_p50_ms"] is None and pooled["latency_p90_ms"] is None
    assert pooled_summary([one])["latency_p50_ms"] == 2.0
    assert pooled_summary([{"mean": 1.5e6}])["latency_std_ms"] is None


def test_repetition_ratio_is_the_geometric_mean_ratio_with_welchs_test_on_logs():
    base, new = [1.0, 1.1, 0.95], [2.0, 2.3, 1.9]
    estimate = stats.repetition_ratio(base, new)
    assert estimate.ratio == pytest.approx(np.exp(np.log(new).mean() - np.log(base).mean()))
    assert estimate.p_value == pytest.approx(scipy_stats.ttest_ind(np.log(new), np.log(base), equal_var=False).pvalue)
    assert estimate.low < estimate.ratio < estimate.high and estimate.low > 1


def test_repetition_ratio_wrongly_flags_about_five_percent_of_equal_cells():
    rng = np.random.default_rng(1)
    draws = np.exp(rng.normal(0, 0.03, size=(4000, 2, 3)))  # 3 repetition medians a side, 3% per-process shifts
    flagged = np.mean([stats.repetition_ratio(base, new).p_value < 0.05 for base, new in draws])
    assert 0.035 < flagged < 0.065
    covered = np.mean([(e := stats.repetition_ratio(base, new)).low <= 1 <= e.high for base, new in draws])
    assert 0.935 < covered < 0.965


def test_repetition_ratio_is_not_judged_on_one_repetition():
    estimate = stats.repetition_ratio([1.0], [2.0, 2.1])
    assert estimate.ratio == pytest.approx(np.sqrt(2.0 * 2.1)) and not estimate.judged and estimate.low is None

"""Parity figures and how a cell is judged against its thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from harness.models.spec import TensorSpec
from harness.parity import (
    DEFAULT_MIN_COSINE,
    DEFAULT_MIN_TOP1,
    dequantize,
    judge,
    load_reference,
    parity_inputs,
    quantize,
    save_reference,
)
from harness.stats import output_parity


def _logits(seed: int, classes: int = 10) -> list[np.ndarray]:
    return [np.random.default_rng(seed).standard_normal((1, classes)).astype(np.float32)]


def test_identical_outputs_have_no_error():
    reference = [_logits(i) for i in range(4)]
    parity = output_parity(reference, reference)
    assert parity["parity_max_abs_error"] == 0 and parity["parity_cosine"] == pytest.approx(1.0)
    assert parity["parity_top1_agreement"] == 1.0 and parity["parity_reference_spread"] > 0.1


def test_errors_are_relative_to_the_output_range_and_cosine_is_the_worst_sample():
    reference = [[np.array([[4.0, 0.0]], np.float32)], [np.array([[0.0, 2.0]], np.float32)]]
    candidate = [[np.array([[4.0, 1.0]], np.float32)], [np.array([[0.0, 2.0]], np.float32)]]
    parity = output_parity(reference, candidate)
    assert parity["parity_max_abs_error"] == 1.0 and parity["parity_max_rel_error"] == 0.25
    assert parity["parity_cosine"] == pytest.approx(4 / np.sqrt(17))
    assert parity["parity_top1_agreement"] == 1.0


def test_top1_counts_disagreeing_samples_and_is_absent_for_non_classifier_outputs():
    reference = [[np.array([[1.0, 0.0]], np.float32)], [np.array([[1.0, 0.0]], np.float32)]]
    flipped = [[np.array([[0.0, 1.0]], np.float32)], [np.array([[1.0, 0.0]], np.float32)]]
    assert output_parity(reference, flipped)["parity_top1_agreement"] == 0.5
    feature_maps = [[np.ones((1, 3, 4, 4), np.float32)]] * 2
    assert output_parity(feature_maps, feature_maps)["parity_top1_agreement"] is None


def test_outputs_of_different_sizes_are_an_error():
    with pytest.raises(ValueError, match="output sizes differ"):
        output_parity([_logits(0, 10)], [_logits(0, 5)])


def test_judge_flags_low_cosine_and_degenerate_references():
    good = {"parity_cosine": 0.99999, "parity_top1_agreement": 1.0, "parity_reference_spread": 0.5}
    assert judge(good, "fp32", DEFAULT_MIN_COSINE, DEFAULT_MIN_TOP1) is None
    assert "cosine similarity 0.9000" in judge({**good, "parity_cosine": 0.9}, "int8", DEFAULT_MIN_COSINE, DEFAULT_MIN_TOP1)
    assert "top-1 agreement 0.25" in judge({**good, "parity_top1_agreement": 0.25}, "fp32", DEFAULT_MIN_COSINE,
                                           DEFAULT_MIN_TOP1)
    assert "barely depend on the input" in judge({**good, "parity_reference_spread": 0.0}, "fp32", DEFAULT_MIN_COSINE,
                                                 DEFAULT_MIN_TOP1)


def test_quantize_round_trips_within_half_a_step():
    values = np.linspace(-1, 1, 101, dtype=np.float32)
    restored = dequantize(quantize(values, 0.01, 3, np.int8), 0.01, 3)
    assert np.abs(restored - values).max() <= 0.005 + 1e-6


def test_reference_files_keep_samples_and_outputs_in_order(tmp_path):
    inputs = parity_inputs((TensorSpec((1, 4)), TensorSpec((1, 2), "int64")))
    outputs = [[sample[0] * 2, sample[1]] for sample in inputs]
    save_reference(tmp_path / "r.npz", inputs, outputs)
    loaded_inputs, loaded_outputs = load_reference(tmp_path / "r.npz")
    assert len(loaded_inputs) == len(inputs) and all(np.array_equal(a[1], b[1]) for a, b in zip(inputs, loaded_inputs))
    assert np.array_equal(loaded_outputs[3][0], outputs[3][0]) and loaded_inputs[0][1].dtype == np.int64


def test_a_verdict_with_several_problems_stays_one_warning():
    # `warnings` joins whole notes with "; ", so a note must not hold that separator itself
    verdict = judge({"parity_cosine": 0.5, "parity_reference_spread": 1.0, "parity_top1_agreement": 0.1}, "int8",
                    {"int8": 0.95}, {"int8": 0.75})
    assert "cosine similarity 0.5000" in verdict and "top-1 agreement 0.10" in verdict and "; " not in verdict

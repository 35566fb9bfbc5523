from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from harness.convert import cache as cache_module
from harness.convert.cache import ArtifactCache, cache_key
from harness.convert.catalog import Conversion, conversion_for
from harness.convert.jobs import CheckOutcome, ConversionOutcome
from harness.errors import ConversionError
from harness.models.spec import ModelSpec, TensorSpec
from harness.models.zoo import ZOO
from harness.runtimes import runtime
from harness.runtimes.inspection import Inspection

TINY = ModelSpec("tiny", "torch", "user", (TensorSpec((1, 3, 16, 16)),), "tests.fixtures.tiny_models:tiny_cnn")


def _conversion(model=TINY, runtime_name="executorch", delegate="xnnpack") -> Conversion:
    return conversion_for(model, runtime(runtime_name), delegate, "fp32")


def test_key_is_stable_and_covers_settings_shapes_and_weights(tmp_path):
    base = cache_key(_conversion())
    assert base == cache_key(_conversion())
    assert base != cache_key(_conversion(delegate="none"))
    assert base != cache_key(_conversion(replace(TINY, inputs=(TensorSpec((1, 3, 32, 32)),))))
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"one")
    with_weights = cache_key(_conversion(replace(TINY, weights=weights)))
    weights.write_bytes(b"two")
    assert with_weights != base and with_weights != cache_key(_conversion(replace(TINY, weights=weights)))


def test_key_covers_library_versions(monkeypatch):
    base = cache_key(_conversion())
    monkeypatch.setattr(cache_module, "_library_version", lambda package: "0.0.0")
    assert cache_key(_conversion()) != base


def test_key_covers_the_factory_source(tmp_path, monkeypatch):
    module = tmp_path / "user_model_for_key.py"
    module.write_text("def build(): pass\n")
    monkeypatch.chdir(tmp_path)
    spec = replace(TINY, factory="user_model_for_key:build")
    before = cache_key(_conversion(spec))
    module.write_text("def build(): return 1\n")
    assert cache_key(_conversion(spec)) != before


def test_a_file_model_is_keyed_by_its_bytes(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(b"a")
    spec = ModelSpec("m", "file", "user", file=path)
    before = cache_key(_conversion(spec, "litert"))
    path.write_bytes(b"b")
    assert cache_key(_conversion(spec, "litert")) != before


def _stored(cache: ArtifactCache, conversion: Conversion, tmp_path) -> str:
    key = cache_key(conversion)
    work = tmp_path / "work"
    (work / "artifact").mkdir(parents=True)
    (work / "artifact" / f"model.{conversion.format}").write_bytes(b"converted bytes")
    converted = ConversionOutcome(inputs=(TensorSpec((1, 3, 16, 16)),), notes=("n",), seconds=2.0)
    inspection = Inspection(format=conversion.format, size_bytes=15, format_version="ET12", min_runtime_version=None,
                            operators=())
    checked = CheckOutcome(inspection=inspection, checks={}, operator_list="list.yaml")
    artifact = cache._store(conversion, key, work, converted, checked)
    assert not artifact.from_cache and artifact.size_bytes == 15
    return key


def test_stored_artifacts_are_found_again(tmp_path):
    cache = ArtifactCache(tmp_path / "cache")
    key = _stored(cache, _conversion(), tmp_path)
    found = cache.get_or_convert(_conversion())
    assert found.from_cache and found.key == key and found.notes == ("n",) and found.inputs[0].shape == (1, 3, 16, 16)
    assert json.loads((cache.folder(key) / "artifact.json").read_text())["sha256"] == found.sha256


def test_a_parity_that_is_not_a_number_stays_so_in_the_record(tmp_path):
    """A broken conversion's NaN figures must not come back as 'not measured'."""
    from harness.convert.jobs import DelegateCheck, Parity

    cache = ArtifactCache(tmp_path / "cache")
    conversion = _conversion()
    work = tmp_path / "work"
    (work / "artifact").mkdir(parents=True)
    (work / "artifact" / "model.pte").write_bytes(b"converted bytes")
    inspection = Inspection(format="pte", size_bytes=15, format_version="ET12", min_runtime_version=None, operators=())
    checks = {"xnnpack": DelegateCheck(parity=Parity(parity_cosine=float("nan"), parity_max_abs_error=float("inf")))}
    cache._store(conversion, cache_key(conversion), work,
                 ConversionOutcome(inputs=(TensorSpec((1, 3, 16, 16)),), seconds=1.0),
                 CheckOutcome(inspection=inspection, checks=checks, operator_list="list.yaml"))
    parity = cache.lookup(cache_key(conversion)).checks["xnnpack"].parity
    assert math.isnan(parity.parity_cosine) and parity.parity_max_abs_error == float("inf")


def test_a_truncated_artifact_is_not_a_hit(tmp_path):
    cache = ArtifactCache(tmp_path / "cache")
    key = _stored(cache, _conversion(), tmp_path)
    (cache.folder(key) / "model.pte").write_bytes(b"cut")
    assert cache.lookup(key) is None


def test_a_failed_conversion_names_model_converter_and_log_and_is_not_cached(tmp_path):
    cache = ArtifactCache(tmp_path / "cache")
    bad = replace(TINY, name="bad", factory="tests.fixtures.tiny_models:not_a_model")
    conversion = _conversion(bad, "torchscript", "none")
    with pytest.raises(ConversionError) as caught:
        cache.get_or_convert(conversion)
    message = str(caught.value)
    assert message.startswith("bad -> ptl (torchscript_lite") and "not a torch.nn.Module" in message
    assert cache.log_path(cache_key(conversion)).is_file()
    assert cache.lookup(cache_key(conversion)) is None


def test_zoo_models_need_no_download():
    for spec in ZOO.values():
        assert spec.factory.startswith("harness.models.") and spec.inputs


def test_a_file_model_key_covers_its_declared_inputs(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(b"a")
    plain = ModelSpec("m", "file", "user", file=path)
    declared = replace(plain, inputs=(TensorSpec((1, 4)),))
    assert cache_key(_conversion(plain, "litert")) != cache_key(_conversion(declared, "litert"))

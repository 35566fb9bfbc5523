"""The zoo's settled weights: kept once per cache folder, and loaded by later builds to the same bits."""

from __future__ import annotations

from harness.models.settled import WEIGHTS_FOLDER_VARIABLE
from harness.models.zoo import ZOO
from tests.conftest import require


def _build(monkeypatch, folder):
    from harness.convert.torch_model import build_torch_model

    if folder is None:
        monkeypatch.delenv(WEIGHTS_FOLDER_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(WEIGHTS_FOLDER_VARIABLE, str(folder))
    return build_torch_model(ZOO["transformer_encoder"])


def test_a_model_settled_once_is_loaded_to_the_same_weights(monkeypatch, tmp_path):
    torch = require("torch")
    settled = _build(monkeypatch, tmp_path)
    kept = list(tmp_path.iterdir())
    assert [path.suffix for path in kept] == [".pt"] and kept[0].name.startswith("TransformerEncoder-")
    stamp = kept[0].stat().st_mtime_ns
    loaded = _build(monkeypatch, tmp_path)
    assert kept[0].stat().st_mtime_ns == stamp, "the second build loads the weights instead of settling again"
    built_without = _build(monkeypatch, None)
    for name, weight in settled.state_dict().items():
        assert torch.equal(weight, loaded.state_dict()[name]) and torch.equal(weight, built_without.state_dict()[name])


def test_weights_kept_under_another_zoo_source_or_torch_version_are_not_taken(monkeypatch, tmp_path):
    torch = require("torch")
    _build(monkeypatch, tmp_path)
    (kept,) = tmp_path.iterdir()
    stale = kept.with_name("TransformerEncoder-0000000000000000.pt")
    torch.save({"not": torch.zeros(1)}, stale)  # what another zoo source or torch version would have kept
    kept.unlink()
    _build(monkeypatch, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([stale.name, kept.name])


def test_without_a_folder_nothing_is_kept(monkeypatch, tmp_path):
    require("torch")
    monkeypatch.chdir(tmp_path)
    _build(monkeypatch, None)
    assert list(tmp_path.iterdir()) == []

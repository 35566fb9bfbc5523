from __future__ import annotations

import subprocess
import sys

import pytest

from harness.models.zoo import ZOO
from tests.conftest import REPO, require

TORCH_MODELS = [name for name, spec in ZOO.items() if spec.framework == "torch"]
OUTPUTS = {"mobilenet_v2": 1000, "resnet18": 1000, "transformer_encoder": 10, "gru": 12}


@pytest.mark.parametrize("name", TORCH_MODELS)
def test_torch_zoo_models_are_deterministic_with_a_useful_output_range(name):
    torch = require("torch")
    from harness.convert.torch_model import build_torch_model, example_inputs

    spec = ZOO[name]
    first, second = build_torch_model(spec), build_torch_model(spec)
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values()):
        assert torch.equal(a, b), key
    with torch.no_grad():
        output = first(*example_inputs(spec))
    assert output.shape == (1, OUTPUTS[name])
    assert torch.isfinite(output).all() and output.std() > 1e-3


@pytest.mark.parametrize("name", TORCH_MODELS)
def test_settled_zoo_outputs_depend_on_the_input(name):
    """Random weights alone give the same prediction for every input; settling must prevent that."""
    torch = require("torch")
    from harness.convert.torch_model import build_torch_model
    from harness.parity import parity_inputs

    spec, model = ZOO[name], build_torch_model(ZOO[name])
    with torch.no_grad():
        outputs = torch.cat([model(torch.from_numpy(sample[0])) for sample in parity_inputs(spec.inputs)])
    assert outputs.std(dim=0).mean() > 0.3  # logits are settled to unit spread across inputs
    assert len(set(outputs.argmax(dim=1).tolist())) >= 3


def test_keras_zoo_builds_without_downloading():
    require("tensorflow")
    code = ("import numpy as np; from harness.models.keras_zoo import mobilenet_v2; m = mobilenet_v2();"
            "x = np.random.default_rng(1).standard_normal((8, 224, 224, 3), dtype=np.float32);"
            "y = np.asarray(m(x, training=False)); print(len(set(y.argmax(1).tolist())), float(y.std(0).mean()));"
            "print(m.input_shape, m.output_shape)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.strip().splitlines()
    assert lines[-1] == "(None, 224, 224, 3) (None, 1000)"
    distinct, spread = lines[-2].split()
    assert int(distinct) >= 3 and float(spread) > 0.3  # settled: predictions depend on the input


@pytest.mark.slow
def test_every_zoo_model_converts_and_runs_on_every_runtime(tmp_path):
    matrix = tmp_path / "zoo.yaml"
    matrix.write_text(
        f"models: [{', '.join(ZOO)}]\nruntimes: [litert, executorch, torchscript]\n"
        "exclude:\n  - {runtime: torchscript, delegate: xnnpack}\n"
        "include:\n  - {runtime: torchscript, delegate: none}\n"
        "measurement: {warmup_runs: 0, min_iterations: 1, min_seconds: 0, max_seconds: 1, repetitions: 2, max_repetitions: 2}\n")
    completed = subprocess.run(
        [sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--results", str(tmp_path / "results"),
         "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, cwd=REPO, timeout=3600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    from harness import results

    frame = results.load(tmp_path / "results")
    keras = frame.framework == "keras"
    assert (frame[~keras].status == "ok").all(), frame[frame.status != "ok"][["model", "runtime", "error"]].to_string()
    assert set(frame[keras & (frame.status == "ok")].runtime) == {"litert"}
    assert (frame[keras & (frame.runtime != "litert")].status == "skipped").all()

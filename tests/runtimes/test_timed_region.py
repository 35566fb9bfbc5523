"""Every runtime's timed call is the inference alone: inputs are set once, before timing (docs/methodology.md)."""

from __future__ import annotations

import subprocess
import sys

from harness.config.matrix import load_matrix
from harness.convert.cache import ArtifactCache
from harness.devices.host import HostDevice
from harness.plan import plan
from tests.conftest import require
from tests.fixtures.tiny_models import TINY_CNN_EVERY_RUNTIME

# In a fresh interpreter, as the shell runs: this test process may hold the exporter already.
PROBE = """
import sys
import numpy as np
import torch
from executorch import runtime as et
from harness.runtimes import runtime

path, shape = sys.argv[1], [int(n) for n in sys.argv[2].split(",")]
session = runtime("executorch").load_session()(path, "xnnpack", 1)
rng = np.random.default_rng(0)
first, second = (rng.standard_normal(shape).astype("float32") for _ in range(2))
reference = et.Method.execute  # the wrapper's call, which copies the inputs in and wraps the outputs each time
expected = [reference(et.Runtime.get().load_program(path).load_method("forward"), [torch.from_numpy(x)])[0].numpy()
            for x in (first, second)]


def copying(*args, **kwargs):
    raise AssertionError("the timed call passed its inputs again")


et.Method.execute = copying
for inputs, want in zip((first, second), expected):
    session.set_inputs([inputs])
    for _ in range(3):
        session.run()
    print(np.allclose(session.outputs()[0], want, atol=1e-5))
"""


def test_executorch_times_execute_alone_with_inputs_set_once(cache_dir, tmp_path):
    for module in ("torch", "executorch"):
        require(module)
    (tmp_path / "matrix.yaml").write_text(TINY_CNN_EVERY_RUNTIME)
    item = next(p for p in plan(load_matrix(tmp_path / "matrix.yaml"), HostDevice("host"))
                if p.cell.runtime == "executorch")
    artifact = ArtifactCache(cache_dir).get_or_convert(item.conversion)
    shape = ",".join(map(str, artifact.inputs[0].shape))
    probe = subprocess.run([sys.executable, "-c", PROBE, str(artifact.path), shape], capture_output=True, text=True,
                           timeout=600)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.split() == ["True", "True"]

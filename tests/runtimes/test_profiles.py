"""Each runtime's own operator profiler on the host, through the host shell, on a tiny model.

Stated tolerance: in every profiled inference's median, the operators' times sum to no more than the
profiled inference (plus 0.1% for rounding: nothing is counted twice) and to at least a runtime's floor
of it (nothing large is missed). The floors leave room for the profilers' own work between operators on
a model this small: ExecuTorch's portable kernels 80%, the lite interpreter under torch.autograd.profiler
40% (measured 53-84% at 16x16 on 2026-11-29, this project's 2-vCPU Debian 12 VM). XNNPACK's operators
inside an ETDump are timed to the microsecond, so on this model only the upper bound holds.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.config.matrix import load_matrix
from harness.convert.cache import ArtifactCache
from harness.devices.base import Launch
from harness.devices.host import HostDevice
from harness.inputs import write_inputs
from harness.plan import plan
from harness.run.cells import cell_request
from tests.conftest import require
from tests.fixtures.tiny_models import TINY_CNN_EVERY_RUNTIME

# tiny_cnn on ExecuTorch with and without XNNPACK, on the lite interpreter, and on LiteRT (no profiler)
MATRIX = TINY_CNN_EVERY_RUNTIME.replace("{runtime: executorch, delegate: none}", "{runtime: litert, delegate: none}") + \
    "measurement: {warmup_runs: 2, min_iterations: 8}\n"
ROUNDING = 1.001
FLOORS = {("executorch", "none"): 0.8, ("torchscript", "none"): 0.4, ("executorch", "xnnpack"): 0.0}


@pytest.fixture(scope="module")
def profiles(cache_dir, tmp_path_factory):
    for module in ("torch", "executorch", "ai_edge_litert", "litert_torch"):
        require(module)
    folder = tmp_path_factory.mktemp("profiles")
    (folder / "matrix.yaml").write_text(MATRIX)
    matrix, device, cache = load_matrix(folder / "matrix.yaml"), HostDevice("host"), ArtifactCache(cache_dir)
    answers = {}
    for item in plan(matrix, device):
        artifact = cache.get_or_convert(item.conversion)
        inputs = write_inputs(artifact.inputs, folder)
        request = cell_request(item, artifact, inputs, matrix.measurement, "operators")
        files = {request.model.path: artifact.path, **{i.path: folder / i.path for i in inputs}}
        answers[(item.cell.runtime, item.cell.delegate)] = device.run(request, files, Launch())
    return answers


def _coverage(profile) -> float:
    operators = np.sum([o.samples_ns for o in profile.operators], axis=0)
    return float(np.median(operators / np.asarray(profile.inference_ns)))


@pytest.mark.parametrize("cell", sorted(FLOORS))
def test_operator_times_sum_to_the_profiled_inference(profiles, cell):
    result = profiles[cell]
    assert result.ok, result.error
    profile = result.operator_profile
    assert profile.inferences == 8 and len(profile.inference_ns) == 8 and profile.operators
    assert all(len(o.samples_ns) == 8 and o.calls == 1 for o in profile.operators)
    assert FLOORS[cell] <= _coverage(profile) <= ROUNDING
    assert result.timing.samples_ns == ()  # a profiled process is never a latency measurement


def test_each_runtime_names_its_operators_and_where_they_ran(profiles):
    portable = profiles[("executorch", "none")].operator_profile.operators
    assert {o.ran_on for o in portable} == {"portable"} and "convolution.out" in {o.type for o in portable}
    delegated = profiles[("executorch", "xnnpack")].operator_profile.operators
    assert {o.ran_on for o in delegated} == {"xnnpack"}
    assert any(o.type.startswith("Convolution (NHWC, F32)") for o in delegated)  # XNNPACK's own operator names
    lite = profiles[("torchscript", "none")].operator_profile.operators
    assert {o.ran_on for o in lite} == {"cpu"} and "aten::_convolution" in {o.type for o in lite}


def test_litert_offers_no_operator_profile_on_the_host(profiles):
    """ai_edge_litert 2.3.0 exposes no profiler to Python: no rows rather than invented ones."""
    assert not HostDevice("host").offers_operator_profile("litert")
    result = profiles[("litert", "xnnpack")]
    assert result.status == "bad_request" and "offers no operator profile" in result.error
    assert result.operator_profile is None

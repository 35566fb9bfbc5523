from __future__ import annotations

from dataclasses import replace

import pytest

from harness.errors import ModelError
from harness.models.spec import ModelSpec, TensorSpec
from tests.conftest import require


class Pickled:
    """An arbitrary object: torch.load(weights_only=True) must refuse to unpickle it."""


TINY = ModelSpec("tiny", "torch", "user", (TensorSpec((1, 3, 16, 16)),), "tests.fixtures.tiny_models:tiny_cnn")


def test_user_weights_are_loaded_into_the_model(tmp_path):
    torch = require("torch")
    from harness.convert.torch_model import build_torch_model

    state = {name: torch.full_like(value, 0.5) for name, value in build_torch_model(TINY).state_dict().items()}
    torch.save(state, tmp_path / "weights.pt")
    model = build_torch_model(replace(TINY, weights=tmp_path / "weights.pt"))
    assert all(torch.equal(value, torch.full_like(value, 0.5)) for value in model.state_dict().values())


def test_weights_that_are_not_a_plain_state_dict_are_refused(tmp_path):
    torch = require("torch")
    from harness.convert.torch_model import build_torch_model

    torch.save({"object": Pickled()}, tmp_path / "unsafe.pt")
    with pytest.raises(ModelError, match="cannot load weights"):
        build_torch_model(replace(TINY, weights=tmp_path / "unsafe.pt"))


@pytest.mark.parametrize("factory, message", [
    ("tests.fixtures.no_such_module:f", "cannot import 'tests.fixtures.no_such_module'"),
    ("tests.fixtures.tiny_models:absent", "has no 'absent'"),
    ("tests.fixtures.tiny_models:not_a_model", "returned str, not a torch.nn.Module"),
])
def test_bad_factories_say_what_is_wrong(factory, message):
    require("torch")
    from harness.convert.torch_model import build_torch_model

    with pytest.raises(ModelError, match=message):
        build_torch_model(replace(TINY, factory=factory))

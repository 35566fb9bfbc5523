from __future__ import annotations

import pytest

from harness.errors import UnknownNameError
from harness.registry import Registry


def test_lazy_targets_resolve_on_first_use():
    registry: Registry = Registry("thing")
    registry.register("dumps", "json:dumps")
    import json

    assert registry.get("dumps") is json.dumps
    assert registry.names() == ["dumps"] and "dumps" in registry


def test_duplicates_and_bad_targets_are_refused():
    registry: Registry = Registry("thing")
    registry.register("a", "json:dumps")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("a", "json:loads")
    with pytest.raises(ValueError, match="module:attribute"):
        registry.register("b", "json.dumps")


def test_unknown_name_suggests():
    registry: Registry = Registry("runtime")
    registry.register("executorch", "json:dumps")
    with pytest.raises(UnknownNameError, match="did you mean 'executorch'"):
        registry.get("executorhc")


def test_runtime_plugins_do_not_import_frameworks():
    import subprocess
    import sys

    code = ("import sys, harness, harness.cli, harness.plan, harness.run.bench, harness.convert.catalog, harness.protocol;"
            "from harness.runtimes import all_runtimes; runtimes = all_runtimes();"
            "heavy = [m for m in ('torch', 'tensorflow', 'executorch', 'ai_edge_litert') if m in sys.modules];"
            "print(heavy); sys.exit(1 if heavy else 0)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_an_entry_of_the_wrong_type_is_refused_when_loaded():
    registry: Registry = Registry("thing", dict)
    registry.register("dumps", "json:dumps")
    with pytest.raises(TypeError, match="json:dumps is a function, not a dict"):
        registry.get("dumps")


def test_entries_from_the_environment_are_registered_once(monkeypatch):
    from harness.errors import ConfigError

    registry: Registry = Registry("thing")
    monkeypatch.setenv("THINGS", "dumps=json:dumps, loads=json:loads")
    registry.register_from_environment("THINGS")
    registry.register_from_environment("THINGS")  # the same targets again: nothing changes
    assert registry.names() == ["dumps", "loads"]
    monkeypatch.setenv("THINGS", "dumps=json:loads")
    with pytest.raises(ConfigError, match="THINGS: thing 'dumps' is registered twice"):
        registry.register_from_environment("THINGS")


def test_every_runtime_folder_holds_what_its_runtime_names():
    from harness.runtimes import all_runtimes
    from harness.runtimes.base import FormatReader, SelectiveBuild, ToolRunner

    for runtime in all_runtimes():
        assert isinstance(runtime.load_reader(), FormatReader)
        assert isinstance(runtime.load_selective_build(), SelectiveBuild)
        assert runtime.tool is None or isinstance(runtime.load_tool(), ToolRunner)
        assert all(c.target.startswith(f"harness.runtimes.{runtime.name}.") for c in runtime.converters)
        assert runtime.session.startswith(f"harness.runtimes.{runtime.name}.session:")

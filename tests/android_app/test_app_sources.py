"""What can be checked of android-app/ without an Android SDK: that it agrees with the harness.

The app is built and unit-tested by `make android-app` where an SDK is installed. Here its facts are read
from the structured files both sides use (gradle/libs.versions.toml, runtimes.json, version.properties);
only the protocol's field names are still read out of the Kotlin text."""

from __future__ import annotations

import re
import tomllib

from harness.devices.android import app_build
from harness.protocol.messages import PROTOCOL_VERSION, schema
from harness.runtimes import RUNTIMES
from harness.runtimes.choices import DELEGATES
from tests.conftest import REPO

APP = REPO / "android-app"
MAIN = APP / "app/src/main/java/org/mobilebench/shell"
CATALOG = tomllib.loads((APP / "gradle/libs.versions.toml").read_text())


def _constraint(package: str) -> str:
    text = (REPO / "requirements/constraints.txt").read_text()
    return re.search(rf"^{re.escape(package)}==(\S+)$", text, re.MULTILINE | re.IGNORECASE).group(1)


def test_the_app_builds_the_runtime_versions_the_converters_use():
    versions = CATALOG["versions"]
    assert versions["litert"] == _constraint("ai-edge-litert")
    assert versions["executorch"] == _constraint("executorch")


def test_every_runtime_is_in_exactly_one_flavor_and_each_flavor_has_its_own_package():
    flavors = app_build.flavors()
    held = [runtime for flavor in flavors for runtime in flavor.runtimes]
    assert sorted(held) == sorted(set(held)) and set(held) <= set(RUNTIMES.names())
    assert len({flavor.package for flavor in flavors}) == len(flavors)
    libraries = {alias for entry in app_build.facts()["flavors"].values() for alias in entry["libraries"]}
    assert libraries <= set(CATALOG["libraries"])
    # ExecuTorch and the lite interpreter each bring fbjni and libc++_shared: never in one APK.
    for entry in app_build.facts()["flavors"].values():
        assert not {"executorch-android", "pytorch-android-lite"} <= set(entry["libraries"])


def test_each_flavor_has_its_sessions_and_the_gradle_build_reads_the_facts():
    gradle = (APP / "app/build.gradle.kts").read_text()
    assert 'rootProject.file("runtimes.json")' in gradle and "kotlinOptions" not in gradle and "pickFirst" not in gradle
    for flavor in app_build.flavors():
        assert (APP / f"app/src/{flavor.name}/java/org/mobilebench/shell/FlavorSessions.kt").is_file()
    assert app_build.source_version_code(APP) >= 1


def test_the_shipped_phone_alias_refuses_lite_interpreter_files_the_app_cannot_load():
    import yaml

    pixel = yaml.safe_load((REPO / "configs/devices.yaml").read_text())["pixel"]
    assert pixel["runtime_versions"]["ptl_max_bytecode"] == app_build.facts()["ptl_max_bytecode"]


def test_the_app_speaks_the_harness_protocol_version():
    declared = re.search(r"const val PROTOCOL_VERSION = (\d+)", (MAIN / "Protocol.kt").read_text()).group(1)
    assert declared == str(PROTOCOL_VERSION)


def _definition(name: str) -> dict:
    return schema()["$defs"][name]


def _nested(message: str, field: str) -> dict:
    return _definition(_definition(message)["properties"][field]["$ref"].rsplit("/", 1)[-1])


def test_the_app_reads_every_request_field_the_schema_requires():
    read = set(re.findall(r'get(?:String|Int|Double|Long|JSONObject|JSONArray)\("(\w+)"\)', (MAIN / "Protocol.kt").read_text()))
    required = set(_definition("Request")["required"]) - {"kind", "protocol_version"}
    for nested in ("model", "measurement"):
        required |= set(_nested("Request", nested)["required"]) - {"format", "sha256"}
    assert required <= read, sorted(required - read)


def test_every_backend_the_app_maps_is_a_delegate_the_harness_knows():
    named = set(re.findall(r'"(\w+Backend)" to "(\w+)"', (MAIN / "Delegates.kt").read_text()))
    assert named and {delegate for _, delegate in named} <= set(DELEGATES)

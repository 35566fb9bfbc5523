"""What can be checked of android-app/ without an Android SDK: that it agrees with the harness.

The app is built and unit-tested by `make android-app` where an SDK is installed; here the Kotlin is
read as text, so a protocol or version change on one side cannot silently leave the other behind."""

from __future__ import annotations

import re

from harness.devices.android.app_mode import APP_ACTIVITY, APP_PACKAGE, source_version_code
from harness.protocol.messages import PROTOCOL_VERSION, schema
from tests.conftest import REPO

APP = REPO / "android-app"
KOTLIN = APP / "app/src/main/java/org/mobilebench/shell"


def _constraint(package: str) -> str:
    text = (REPO / "requirements/constraints.txt").read_text()
    return re.search(rf"^{re.escape(package)}==(\S+)$", text, re.MULTILINE | re.IGNORECASE).group(1)


def test_the_app_speaks_the_harness_protocol_version():
    declared = re.search(r"const val PROTOCOL_VERSION = (\d+)", (KOTLIN / "Protocol.kt").read_text()).group(1)
    assert declared == str(PROTOCOL_VERSION)


def _definition(name: str) -> dict:
    return schema()["$defs"][name]


def _nested(message: str, field: str) -> dict:
    """The definition a message's field refers to."""
    return _definition(_definition(message)["properties"][field]["$ref"].rsplit("/", 1)[-1])


def test_the_result_writer_puts_every_field_the_schema_requires():
    written = set(re.findall(r'\.put\("(\w+)"', (KOTLIN / "Protocol.kt").read_text()))
    result = _definition("Result")
    required = set(result["required"])
    for nested in ("timing", "memory"):
        required |= set(_nested("Result", nested)["required"])
    assert required <= written, sorted(required - written)
    assert written - {"name", "version"} <= set(result["properties"]) | {
        k for n in ("timing", "memory", "runtime") for k in _nested("Result", n)["properties"]}


def test_the_app_reads_every_request_field_the_schema_requires():
    read = set(re.findall(r'get(?:String|Int|Double|Long|JSONObject|JSONArray)\("(\w+)"\)', (KOTLIN / "Protocol.kt").read_text()))
    required = set(_definition("Request")["required"]) - {"kind", "protocol_version"}
    for nested in ("model", "measurement"):
        required |= set(_nested("Request", nested)["required"]) - {"format", "sha256"}
    assert required <= read, sorted(required - read)


def test_package_activity_and_versions_agree():
    gradle = (APP / "app/build.gradle.kts").read_text()
    assert f'applicationId = "{APP_PACKAGE}"' in gradle
    assert 'android:name=".BenchActivity"' in (APP / "app/src/main/AndroidManifest.xml").read_text()
    assert APP_ACTIVITY == f"{APP_PACKAGE}/.BenchActivity"
    assert f'val litertVersion = "{_constraint("ai-edge-litert")}"' in gradle
    assert f'val executorchVersion = "{_constraint("executorch")}"' in gradle
    assert source_version_code(APP) >= 1


def test_every_delegate_the_app_names_is_one_the_harness_knows():
    from harness.runtimes.choices import DELEGATES

    named = set(re.findall(r'"(\w+)" to "(\w+)"', (KOTLIN / "Sessions.kt").read_text()))
    assert {harness_name for _, harness_name in named} <= set(DELEGATES)

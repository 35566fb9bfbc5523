"""Facts the iOS app's build files state more than once agree with each other (nothing here compiles Swift):
the pinned runtime versions (RuntimeVersions.swift, project.yml, Podfile), the bundle id and version the
harness reads from app.json, and the launch contract's argument and environment names."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import REPO, require

APP = REPO / "ios-app"


def _spec() -> dict:
    return yaml.safe_load((APP / "project.yml").read_text())


def _swift_versions() -> dict[str, str]:
    text = (APP / "MobileBenchShell/RuntimeVersions.swift").read_text()
    return dict(re.findall(r'static let (\w+) = "([^"]+)"', text))


def test_pinned_versions_agree():
    versions = _swift_versions()
    assert set(versions) == {"executorch", "litert", "torchscript"}
    assert _spec()["packages"]["executorch"]["branch"] == f"swiftpm-{versions['executorch']}"
    podfile = (APP / "Podfile").read_text()
    assert f"pod 'TensorFlowLiteSwift', '{versions['litert']}'" in podfile
    assert f"pod 'LibTorch-Lite', '{versions['torchscript']}'" in podfile


def test_the_executorch_version_is_the_one_the_harness_uses():
    constraints = (REPO / "requirements/constraints.txt").read_text()
    assert f"executorch=={_swift_versions()['executorch']}" in constraints


def test_app_json_matches_the_project():
    app = json.loads((APP / "app.json").read_text())
    target = _spec()["targets"]["MobileBenchShell"]
    assert app == {"bundle_id": target["settings"]["base"]["PRODUCT_BUNDLE_IDENTIFIER"],
                   "version": target["info"]["properties"]["CFBundleVersion"]}
    assert app["bundle_id"] == "org.mobilebench.shell"


def test_executorch_products_are_the_packages_own():
    """Product names as pytorch/executorch's Package.swift declares them (read with the search tool)."""
    published = {"executorch", "executorch_llm", "backend_coreml", "backend_mps", "backend_xnnpack",
                 "kernels_llm", "kernels_optimized", "kernels_quantized", "kernels_torchao"}
    used = {d["product"] for d in _spec()["targets"]["MobileBenchShell"]["dependencies"] if d.get("package") == "executorch"}
    assert {"executorch", "backend_xnnpack", "backend_coreml", "backend_mps"} <= used <= published


def test_signing_stays_local():
    assert "Local.xcconfig" in (APP / ".gitignore").read_text().split()
    assert not (APP / "Local.xcconfig").exists() or "Local.xcconfig" in (APP / ".gitignore").read_text()
    assert "MB_DEVELOPMENT_TEAM" in (APP / "Local.xcconfig.example").read_text()
    assert _spec()["targets"]["MobileBenchShell"]["settings"]["base"]["DEVELOPMENT_TEAM"] == "$(MB_DEVELOPMENT_TEAM)"


def test_the_launch_contract_is_what_the_docs_say():
    launcher = (APP / "MobileBenchShell/Launcher.swift").read_text()
    docs = (REPO / "docs/protocol.md").read_text()
    for name in ("--request", "--result", "MB_REQUEST", "MB_RESULT"):
        assert f'"{name}"' in launcher
        assert name in docs


def test_each_runtime_has_a_session_and_its_delegates():
    core = (APP / "ShellCore/Sources/ShellCore/Session.swift").read_text()
    table = dict(re.findall(r'"(\w+)": \[([^\]]*)\]', core.split("iosDelegates")[1].split("]\n")[0] + "]"))
    assert set(table) == set(_swift_versions())
    sessions = (APP / "MobileBenchShell/Sessions/AppSessions.swift").read_text()
    for runtime in table:
        assert f'case "{runtime}": return try' in sessions


@pytest.mark.skipif(sys.platform == "darwin", reason="on a Mac, make ios-app builds")
def test_make_ios_app_elsewhere_stops_with_one_line():
    done = subprocess.run(["make", "--no-print-directory", "ios-app"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "needs a Mac with Xcode" in lines[0], lines


def test_the_harness_launches_the_app_with_the_flags_it_reads():
    """app_mode.launch_arguments against Launcher.swift: each flag is read with the path that follows it."""
    require("pymobiledevice3")
    from harness.devices.ios.app_mode import launch_arguments

    launcher = (APP / "MobileBenchShell/Launcher.swift").read_text()
    arguments = launch_arguments("Documents/runs/r/c/request.json", "Documents/runs/r/c/result-1.json")
    assert arguments[0::2] == ["--request", "--result"]
    assert "arguments[index + 1]" in launcher
    for flag in arguments[0::2]:
        assert f'argument("{flag}")' in launcher


def test_the_app_logs_with_the_prefix_the_harness_keeps():
    require("pymobiledevice3")
    from harness.devices.ios.developer import LOG_PREFIX

    launcher = (APP / "MobileBenchShell/Launcher.swift").read_text()
    tag = re.search(r'static let tag = "([^"]+)"', launcher).group(1)
    assert 'NSLog("%@: %@", tag, message)' in launcher  # the line reads "<tag>: <message>"
    assert f"{tag}:" == LOG_PREFIX


def test_the_shell_fields_the_harness_reads_are_the_ones_the_app_writes():
    """thermal_state_start fills thermal_status (harness/run/conditions.py); low_power_mode becomes a warning."""
    facts = (APP / "MobileBenchShell/DeviceFacts.swift").read_text()
    launcher = (APP / "MobileBenchShell/Launcher.swift").read_text()
    conditions = (REPO / "harness/run/conditions.py").read_text()
    app_mode = (REPO / "harness/devices/ios/app_mode.py").read_text()
    assert '"thermal_state_start": .string(thermalState())' in facts and '"thermal_state_start"' in conditions
    assert '"low_power_mode": .bool(ProcessInfo.processInfo.isLowPowerModeEnabled)' in facts
    assert 'shell.get("low_power_mode")' in app_mode
    assert 'result.shell["thermal_state_end"]' in launcher

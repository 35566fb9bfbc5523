"""Which files count as a runtime's binaries on the host, measured on the installed wheels."""

from __future__ import annotations

import platform
import plistlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.runtime_size import app_binary, loaded_libraries, package_folder, python_package_binary, tool_binary
from harness.runtimes import runtime
from harness.size import binary_sizes
from tests.fixtures.native_binaries import MACHO_SOURCE, macho_dylib

EXPECTED_LIBRARY = {"executorch": "libexecutorch.so", "litert": "libpywrap_litert_common.so", "torchscript": "libc10.so"}


@pytest.mark.parametrize("name", sorted(EXPECTED_LIBRARY))
def test_the_host_shell_counts_the_package_libraries_its_native_module_loads(name):
    described = runtime(name)
    assert described.host_native_module is not None
    folder = package_folder(described.host_native_module[0])
    if folder is None:
        pytest.skip(f"{described.host_native_module[0]} is not installed")
    binary = python_package_binary(described, platform.machine())
    assert binary is not None and binary.build_kind == "python-package" and binary.abi == platform.machine()
    paths = [Path(p) for p in binary.files]
    assert EXPECTED_LIBRARY[name] in {p.name for p in paths}
    assert all(p.resolve().is_relative_to(folder.resolve()) for p in paths)  # nothing from other packages or the system
    assert binary.binary_bytes == sum(p.stat().st_size for p in paths) >= binary.stripped_bytes > 0


def test_only_libraries_inside_the_folder_are_kept(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    (tmp_path / "lib.c").write_text("int answer(void) { return 42; }\n")
    (tmp_path / "main.c").write_text("int answer(void);\nint main(void) { return answer(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp_path / "libanswer.so"), str(tmp_path / "lib.c")], check=True)
    subprocess.run(["gcc", "-o", str(tmp_path / "main"), str(tmp_path / "main.c"), f"-L{tmp_path}", "-lanswer",
                    f"-Wl,-rpath,{tmp_path}"], check=True)
    assert loaded_libraries(tmp_path / "main", tmp_path) == [tmp_path / "main", (tmp_path / "libanswer.so").resolve()]
    tool = tool_binary(tmp_path / "main", "main", "x86_64")
    assert tool.build_kind == "full" and tool.binary_bytes == (tmp_path / "main").stat().st_size


def test_an_apk_counts_only_the_phone_abi(tmp_path):
    library = package_folder("executorch")
    if library is None:
        pytest.skip("executorch is not installed")
    so = library / "lib/libexecutorch.so"
    apk = tmp_path / "app.apk"
    with zipfile.ZipFile(apk, "w") as archive:
        archive.write(so, "lib/x86_64/libexecutorch.so")
        archive.write(so, "lib/arm64-v8a/libexecutorch.so")
        archive.write(so, "lib/arm64-v8a/libother.so")
    binary = app_binary(apk, "org.mobilebench.executorch", "arm64-v8a")
    assert binary is not None and binary.build_kind == "app" and len(binary.files) == 2
    assert binary.binary_bytes == 2 * so.stat().st_size
    assert binary.stripped_bytes == 2 * binary_sizes(so)[0].stripped_bytes
    assert app_binary(apk, "org.mobilebench.executorch", "armeabi-v7a") is None


def _ios_app(folder: Path) -> Path:
    """An .app laid out as Xcode writes one: an arm64 main executable and a framework, both built by clang for iOS."""
    app = folder / "MobileBenchShell.app"
    (app / "Frameworks/Runtime.framework").mkdir(parents=True)
    (folder / "x.c").write_text(MACHO_SOURCE)
    for output in (app / "MobileBenchShell", app / "Frameworks/Runtime.framework/Runtime"):
        macho_dylib(folder / "x.c", "arm64-apple-ios17.0", output)
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleExecutable": "MobileBenchShell", "CFBundleVersion": "1"}))
    return app


def test_an_ios_app_counts_its_executable_and_frameworks_in_the_app_and_its_ipa(tmp_path):
    from harness.runtime_size import ios_app_binary

    app = _ios_app(tmp_path)
    files = [app / "MobileBenchShell", app / "Frameworks/Runtime.framework/Runtime"]
    measured_app = ios_app_binary(app, "org.mobilebench.shell")
    assert measured_app is not None and measured_app.build_kind == "app" and measured_app.abi == "arm64"
    assert measured_app.binary_bytes == sum(f.stat().st_size for f in files) and measured_app.stripped_bytes is None
    ipa = tmp_path / "MobileBenchShell.ipa"
    with zipfile.ZipFile(ipa, "w") as archive:
        for path in app.rglob("*"):
            if path.is_file():
                archive.write(path, f"Payload/{path.relative_to(tmp_path)}")
    measured_ipa = ios_app_binary(ipa, "org.mobilebench.shell")
    assert measured_ipa is not None and measured_ipa.binary_bytes == measured_app.binary_bytes
    assert len(measured_ipa.files) == 2

"""Which files count as a runtime's binaries on the host, measured on the installed wheels."""

from __future__ import annotations

import platform
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.runtime_size import app_binary, loaded_libraries, package_folder, python_package_binary, tool_binary
from harness.runtimes import runtime
from harness.size import binary_sizes

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

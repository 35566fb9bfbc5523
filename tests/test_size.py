"""The size reader on real binaries: one gcc builds here, the runtimes' libraries in the installed wheels,
and AAR/APK zips assembled from them; checked against binutils' `size` and `strip`."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import SizeError
from harness.size import binary_sizes, total

PROGRAM = 'int table[1000]; int seeded[4] = {1, 2, 3, 4}; const char word[] = "size";\n' \
          'int main(void) { return table[3] + seeded[1] + word[0]; }\n'


def package_library(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{package} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / relative


WHEEL_LIBRARIES = [("executorch", "lib/libexecutorch.so"), ("ai_edge_litert", "libLiteRt.so"), ("torch", "lib/libc10.so")]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    folder = tmp_path_factory.mktemp("elf")
    (folder / "program.c").write_text(PROGRAM)
    subprocess.run(["gcc", "-g", "-O1", "-o", str(folder / "program"), str(folder / "program.c")], check=True)
    return folder / "program"


def berkeley(path: Path) -> tuple[int, int, int]:
    """binutils `size`: text (every read-only allocated section), data, bss."""
    line = subprocess.run(["size", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[1]
    text, data, bss = (int(field) for field in line.split()[:3])
    return text, data, bss


def stripped_by_binutils(path: Path, folder: Path) -> int:
    target = folder / f"{path.name}.stripped"
    subprocess.run(["strip", "--strip-all", "-o", str(target), str(path)], check=True)
    return target.stat().st_size


def assert_matches_binutils(path: Path, folder: Path) -> None:
    (size,) = binary_sizes(path)
    assert size.file_bytes == path.stat().st_size
    assert (size.text + size.rodata, size.data, size.bss) == berkeley(path)
    stripped = stripped_by_binutils(path, folder)
    # Computed from the section headers; strip also re-pads, so allow 1% of the file.
    assert abs(size.stripped_bytes - stripped) <= max(256, size.file_bytes // 100)


def test_a_compiled_program_matches_size_and_strip(compiled, tmp_path):
    assert_matches_binutils(compiled, tmp_path)
    (size,) = binary_sizes(compiled)
    assert size.stripped_bytes < size.file_bytes  # it was built with -g
    assert size.bss >= 4000 and size.abi == "EM_X86_64"


@pytest.mark.parametrize(("package", "relative"), WHEEL_LIBRARIES)
def test_runtime_libraries_in_the_wheels_match_size_and_strip(package, relative, tmp_path):
    assert_matches_binutils(package_library(package, relative), tmp_path)


def test_native_libraries_in_an_apk_are_read_per_abi(compiled, tmp_path):
    library = package_library("executorch", "lib/libexecutorch.so")
    apk = tmp_path / "app.apk"
    with zipfile.ZipFile(apk, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", "<manifest/>")
        archive.write(library, "lib/x86_64/libexecutorch.so")
        archive.write(compiled, "lib/arm64-v8a/libprogram.so")
    sizes = binary_sizes(apk)
    assert {(s.abi, Path(s.path.split("!")[1]).name) for s in sizes} == {
        ("x86_64", "libexecutorch.so"), ("arm64-v8a", "libprogram.so")}
    member = next(s for s in sizes if s.abi == "x86_64").to_json()
    (alone,) = binary_sizes(library)
    assert {k: v for k, v in member.items() if k not in ("path", "abi")} == \
        {k: v for k, v in alone.to_json().items() if k not in ("path", "abi")}
    assert total(sizes)[0] == library.stat().st_size + compiled.stat().st_size


def test_an_aar_uses_its_jni_folder(compiled, tmp_path):
    aar = tmp_path / "runtime.aar"
    with zipfile.ZipFile(aar, "w") as archive:
        archive.write(compiled, "jni/x86_64/libprogram.so")
        archive.writestr("classes.jar", b"")
    (size,) = binary_sizes(aar)
    assert size.abi == "x86_64" and size.file_bytes == compiled.stat().st_size


@pytest.mark.parametrize(("content", "message"), [
    (b"\xcf\xfa\xed\xfe" + bytes(60), "Mach-O is not supported yet"),
    (b"plain text", "not an ELF file, AAR or APK"),
    (b"\x7fELF" + bytes(10), "not a readable ELF file"),
])
def test_unsupported_files_raise_one_line(tmp_path, content, message):
    path = tmp_path / "file"
    path.write_bytes(content)
    with pytest.raises(SizeError, match=message):
        binary_sizes(path)


def test_a_zip_without_native_libraries_is_refused(tmp_path):
    path = tmp_path / "empty.apk"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("AndroidManifest.xml", "<manifest/>")
    with pytest.raises(SizeError, match="no lib/<abi>/"):
        binary_sizes(path)


def test_the_cli_prints_json_and_a_table(compiled, capsys):
    assert main(["size", str(compiled), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["file_bytes"] == compiled.stat().st_size and entry["kind"] == "elf"
    assert main(["size", str(compiled), str(compiled)]) == 0
    assert "total of 2 files" in capsys.readouterr().out
    assert main(["size", str(compiled.parent / "missing")]) == 1
    assert "cannot read" in capsys.readouterr().err

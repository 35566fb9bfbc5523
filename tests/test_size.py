"""The size reader on real binaries: what gcc builds here for x86-64 and aarch64, the runtimes' libraries in the
installed wheels, Mach-O objects and dylibs that clang and lld build for iOS, and AAR/APK/IPA zips assembled
from them; checked against binutils' `size` and `strip`, and LLVM's `llvm-size` for Mach-O."""

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
from tests.fixtures.native_binaries import MACHO_SOURCE, macho_dylib, native_tool

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
    (b"\xcf\xfa\xed\xfe" + bytes(60), "not a readable Mach-O file"),
    (b"plain text", "not an ELF or Mach-O file, AAR, APK or IPA"),
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


def test_an_aarch64_library_matches_the_cross_binutils(tmp_path):
    gcc = native_tool("aarch64-linux-gnu-gcc")
    source, library = tmp_path / "program.c", tmp_path / "libprogram.so"
    source.write_text(PROGRAM.replace("int main(void)", "int entry(void)"))
    subprocess.run([gcc, "-shared", "-fPIC", "-g", "-O1", "-o", str(library), str(source)], check=True)
    (size,) = binary_sizes(library)
    line = subprocess.run([native_tool("aarch64-linux-gnu-size"), str(library)], check=True, capture_output=True,
                          text=True).stdout.splitlines()[1]
    assert (size.text + size.rodata, size.data, size.bss) == tuple(int(f) for f in line.split()[:3])
    assert size.abi == "EM_AARCH64" and size.stripped_bytes < size.file_bytes
    target = tmp_path / "stripped.so"
    subprocess.run([native_tool("aarch64-linux-gnu-strip"), "--strip-all", "-o", str(target), str(library)], check=True)
    assert abs(size.stripped_bytes - target.stat().st_size) <= max(256, size.file_bytes // 100)


@pytest.fixture(scope="module")
def macho(tmp_path_factory) -> dict[str, Path]:
    """An arm64 iOS object and dylib, an x86-64 macOS dylib, and a universal dylib of the two."""
    clang, folder = native_tool("clang"), tmp_path_factory.mktemp("macho")
    (folder / "x.c").write_text(MACHO_SOURCE)
    built = {"object": folder / "x.o", "arm64": folder / "libarm64.dylib", "x86_64": folder / "libx86_64.dylib"}
    subprocess.run([clang, "-target", "arm64-apple-ios15.0", "-c", str(folder / "x.c"), "-o", str(built["object"])],
                   check=True)
    for arch, target in (("arm64", "arm64-apple-ios15.0"), ("x86_64", "x86_64-apple-macos12")):
        macho_dylib(folder / "x.c", target, built[arch])
    built["universal"] = folder / "libuniversal.dylib"
    subprocess.run([native_tool("llvm-lipo"), "-create", str(built["arm64"]), str(built["x86_64"]), "-output",
                    str(built["universal"])], check=True)
    return built


def llvm_sections(path: Path) -> dict[str, int]:
    """`llvm-size -m`: each section's size, as 'SEGMENT,section'. Linked files list sections under their
    segment ('Section __text: 80'); objects, in one unnamed segment, name both ('Section (__TEXT, __text): 80')."""
    listing = subprocess.run([native_tool("llvm-size"), "-m", str(path)], check=True, capture_output=True, text=True).stdout
    sizes, segment = {}, None
    for line in listing.splitlines():
        if line.startswith("Segment "):
            segment = line[len("Segment "):].split(":")[0].strip()
        elif line.strip().startswith("Section "):
            name, value = line.strip()[len("Section "):].rsplit(":", 1)
            name = name.strip()
            if name.startswith("("):
                sizes[name.strip("()").replace(" ", "")] = int(value)
            else:
                sizes[f"{segment},{name}"] = int(value)
    return sizes


@pytest.mark.parametrize("kind", ["object", "arm64"])
def test_macho_sections_match_llvm_size(macho, kind):
    path = macho[kind]
    (size,) = binary_sizes(path)
    assert size.kind == "macho" and size.abi == "arm64" and size.file_bytes == path.stat().st_size
    assert size.stripped_bytes is None  # not computed for Mach-O, never guessed
    sections = llvm_sections(path)
    assert size.text == sections["__TEXT,__text"]
    assert size.bss == sections["__DATA,__bss"] == 256  # static int zeros[64]
    assert size.data == sections["__DATA,__data"] == 4  # int counter
    assert size.rodata == sum(v for k, v in sections.items() if k.startswith("__TEXT,") and k != "__TEXT,__text")


def test_a_universal_dylib_gives_one_entry_per_architecture(macho):
    sizes = binary_sizes(macho["universal"])
    assert sorted(s.abi for s in sizes) == ["arm64", "x86_64"]
    for size in sizes:
        (alone,) = binary_sizes(macho[size.abi])
        assert (size.file_bytes, size.text, size.rodata, size.data, size.bss) == \
            (alone.file_bytes, alone.text, alone.rodata, alone.data, alone.bss)
    assert total(sizes) == (sum(s.file_bytes for s in sizes), None)


def test_an_ipa_is_read_by_its_frameworks(macho, tmp_path):
    ipa = tmp_path / "Shell.ipa"
    with zipfile.ZipFile(ipa, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(macho["arm64"], "Payload/Shell.app/Frameworks/executorch.framework/executorch")
        archive.write(macho["arm64"], "Payload/Shell.app/Frameworks/libextra.dylib")
        archive.writestr("Payload/Shell.app/Info.plist", "<plist/>")
        archive.write(macho["arm64"], "Payload/Shell.app/Frameworks/executorch.framework/Headers/not-a-binary")
    sizes = binary_sizes(ipa)
    assert sorted(Path(s.path.split("!")[1]).name for s in sizes) == ["executorch", "libextra.dylib"]
    assert all(s.abi == "arm64" and s.file_bytes == macho["arm64"].stat().st_size for s in sizes)

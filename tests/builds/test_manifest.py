"""Build manifests: each file says whether it is a binary, a binary whose stripped bytes are unknown (Mach-O) leaves
the stripped total unknown instead of guessing it, and manifests written before `binary` existed still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.builds.manifest import BuildManifest, BuiltFile, built_file
from harness.size import binary_sizes
from tests.fixtures.native_binaries import MACHO_SOURCE, macho_dylib, shared_library


@pytest.fixture(scope="module")
def binaries(tmp_path_factory) -> dict[str, Path]:
    """An arm64 iOS dylib (clang and lld), an ELF shared library (gcc) and a generated source."""
    folder = tmp_path_factory.mktemp("built")
    (folder / "x.c").write_text(MACHO_SOURCE)
    return {"macho": macho_dylib(folder / "x.c", "arm64-apple-ios15.0", folder / "libx.dylib"),
            "elf": shared_library(folder, "libelf.so"), "source": folder / "x.c"}


def _manifest(files: list[BuiltFile], status: str = "built") -> BuildManifest:
    return BuildManifest(key="0" * 16, runtime="executorch", version="v", kind="full", abi="arm64", operators=[],
                         toolchain={}, status=status, files=files)


def test_a_macho_binary_is_a_binary_whose_stripped_bytes_are_unknown(binaries):
    dylib = built_file(binaries["macho"])
    assert dylib.binary and dylib.stripped_bytes is None
    assert dylib.bytes == binaries["macho"].stat().st_size == binary_sizes(binaries["macho"])[0].file_bytes
    source = built_file(binaries["source"])
    assert not source.binary and source.stripped_bytes is None


def test_the_stripped_total_is_unknown_when_one_binary_has_none(binaries):
    dylib, library, source = (built_file(binaries[name]) for name in ("macho", "elf", "source"))
    assert library.binary and library.stripped_bytes is not None and library.stripped_bytes < library.bytes
    assert _manifest([dylib, library, source]).binary_bytes() == (dylib.bytes + library.bytes, None)
    assert _manifest([library, source]).binary_bytes() == (library.bytes, library.stripped_bytes)
    assert _manifest([dylib]).binary_bytes() == (dylib.bytes, None)  # a binary all the same: its bytes count
    assert _manifest([source]).binary_bytes() is None  # nothing built
    assert _manifest([dylib, library], status="commands").binary_bytes() is None


def test_a_manifest_from_before_the_binary_field_still_loads(binaries):
    library, source = built_file(binaries["elf"]), built_file(binaries["source"])
    old = _manifest([library, source]).model_dump(mode="json")
    for listed in old["files"]:
        del listed["binary"]
    loaded = BuildManifest.model_validate(old)
    assert [f.binary for f in loaded.files] == [True, False]  # stripped_bytes was how they said it
    assert loaded.binary_bytes() == (library.bytes, library.stripped_bytes)
    assert BuildManifest.model_validate_json(_manifest([built_file(binaries["macho"])]).model_dump_json()).files[0].binary

"""Binary size, measured one way for every file kind: ELF on pyelftools, Mach-O on LIEF.

An ELF file's `stripped_bytes` is computed from its section headers, not by running `strip`: the file's
bytes less the sections `strip --strip-all` removes (the static symbol and string tables, build notes and
the debugging sections) and their section-header entries. Alignment padding is not recomputed, and `strip`
may move sections, so the figure can differ from the size of what `strip` writes by a little (the tests
bound it). Section groups: text is `.text` and the other
executable sections, rodata the read-only allocated data (`.rodata`, `.eh_frame`, the dynamic symbol
tables), data the writable allocated data, bss the writable allocated sections with no bytes in the file.

AAR and APK files are zips: their `lib/<abi>/*.so` members are read the same way.

Mach-O files (iOS and macOS executables, dylibs, objects), one entry per architecture of a universal file,
map onto the same groups: text the sections holding instructions (`__text`, `__stubs`), bss the zero-fill
sections, data the other sections of writable `__DATA*` segments, rodata the rest (`__const`, `__cstring`,
`__unwind_info`, `__DATA_CONST`); debugging sections count in none. Their `stripped_bytes` is not computed
(None): what Apple's `strip` removes from a dylib depends on which symbols the app links against. An IPA is a
zip: the Mach-O files of its app bundle's `Frameworks/` (each framework's binary, and loose dylibs) are read.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from harness.errors import SizeError

ELF_MAGIC = b"\x7fELF"
MACHO_MAGICS = {bytes.fromhex(m) for m in ("feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe")}
ZIP_MAGIC = b"PK\x03\x04"
REMOVED_BY_STRIP = (".symtab", ".strtab", ".gnu.build.attributes")
DEBUG_PREFIXES = (".debug", ".zdebug", ".gnu_debuglto")


@dataclass(frozen=True)
class BinarySize:
    path: str  # the file, or "archive!lib/<abi>/name.so" for a zip member
    kind: str  # elf or macho
    abi: str | None  # the zip folder's ABI for members; the ELF machine or Mach-O CPU type otherwise
    file_bytes: int
    stripped_bytes: int | None  # None: not computed (Mach-O)
    text: int
    rodata: int
    data: int
    bss: int

    def to_json(self) -> dict:
        return asdict(self)


def _removed_by_strip(name: str, allocated: bool) -> bool:
    return not allocated and (name in REMOVED_BY_STRIP or name.startswith(DEBUG_PREFIXES))


def elf_size(stream: BinaryIO, file_bytes: int, path: str, abi: str | None = None) -> BinarySize:
    try:
        elf = ELFFile(stream)
        groups = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
        removed = 0
        for section in elf.iter_sections():
            flags, size = section["sh_flags"], section["sh_size"]
            allocated = bool(flags & SH_FLAGS.SHF_ALLOC)
            if _removed_by_strip(section.name, allocated) and section["sh_type"] != "SHT_NOBITS":
                removed += size + elf["e_shentsize"]  # the section's bytes and its header entry
            if not allocated:
                continue
            if flags & SH_FLAGS.SHF_EXECINSTR:
                groups["text"] += size
            elif section["sh_type"] == "SHT_NOBITS":
                groups["bss"] += size
            elif flags & SH_FLAGS.SHF_WRITE:
                groups["data"] += size
            else:
                groups["rodata"] += size
        machine = elf["e_machine"]
    except (ELFError, ValueError, OSError) as error:
        raise SizeError(f"{path}: not a readable ELF file ({error})") from None
    return BinarySize(path, "elf", abi or str(machine), file_bytes, file_bytes - removed, **groups)


MACHO_ZEROFILL = ("ZEROFILL", "GB_ZEROFILL", "THREAD_LOCAL_ZEROFILL")
MACHO_CPU_NAMES = {"ARM64": "arm64", "X86_64": "x86_64", "ARM": "armv7", "X86": "i386"}
# An IPA's native code: Payload/<App>.app/Frameworks/<Name>.framework/<Name>, or a dylib in Frameworks/.
IPA_FRAMEWORK = re.compile(r"^Payload/[^/]+\.app/Frameworks/(?:([^/]+)\.framework/\1|[^/]+\.dylib)$")


def _macho_groups(binary) -> dict[str, int]:
    import lief

    groups = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    instructions = lief.MachO.Section.FLAGS.PURE_INSTRUCTIONS | lief.MachO.Section.FLAGS.SOME_INSTRUCTIONS
    for section in binary.sections:
        if section.flags & lief.MachO.Section.FLAGS.DEBUG_INFO or section.segment_name in ("__DWARF", "__LD"):
            continue
        if section.flags & instructions:
            groups["text"] += section.size
        elif section.type.name in MACHO_ZEROFILL:
            groups["bss"] += section.size
        elif section.segment_name.startswith("__DATA") and section.segment_name != "__DATA_CONST":
            groups["data"] += section.size
        else:
            groups["rodata"] += section.size
    return groups


def macho_sizes(source: str | io.BytesIO, file_bytes: int, path: str) -> list[BinarySize]:
    """One entry per architecture; a universal file's slices each count their own bytes."""
    import lief

    lief.logging.disable()
    universal = lief.MachO.parse(source)
    if universal is None or universal.size == 0:
        raise SizeError(f"{path}: not a readable Mach-O file")
    sizes = []
    for binary in universal:
        with warnings.catch_warnings():  # LIEF warns of, then hands back as a bare number, a CPU type it does not know
            warnings.simplefilter("ignore", RuntimeWarning)
            cpu = getattr(binary.header.cpu_type, "name", None)
        if cpu is None:
            raise SizeError(f"{path}: not a readable Mach-O file (unknown CPU type)")
        slice_bytes = binary.original_size if universal.size > 1 else file_bytes
        sizes.append(BinarySize(path, "macho", MACHO_CPU_NAMES.get(cpu, cpu.lower()), slice_bytes, None,
                                **_macho_groups(binary)))
    return sizes


def _zip_sizes(path: Path) -> list[BinarySize]:
    sizes = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            parts = PurePosixPath(member.filename).parts
            if len(parts) == 3 and parts[0] in ("lib", "jni") and parts[2].endswith(".so"):
                content = archive.read(member)
                sizes.append(elf_size(io.BytesIO(content), len(content), f"{path}!{member.filename}", parts[1]))
            elif IPA_FRAMEWORK.match(member.filename):
                content = archive.read(member)
                sizes.extend(macho_sizes(io.BytesIO(content), len(content), f"{path}!{member.filename}"))
    if not sizes:
        raise SizeError(f"{path}: a zip with no lib/<abi>/*.so files and no app Frameworks (IPA)")
    return sizes


def binary_sizes(path: str | Path) -> list[BinarySize]:
    """One entry for an ELF file, one per architecture of a Mach-O file, one per native library for an AAR, APK
    or IPA."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            magic = stream.read(4)
            if magic == ELF_MAGIC:
                stream.seek(0)
                return [elf_size(stream, path.stat().st_size, str(path))]
    except OSError as error:
        raise SizeError(f"cannot read {path}: {error.strerror}") from None
    if magic == ZIP_MAGIC:
        try:
            return _zip_sizes(path)
        except zipfile.BadZipFile as error:
            raise SizeError(f"{path}: a damaged zip ({error})") from None
    if magic in MACHO_MAGICS:
        return macho_sizes(str(path), path.stat().st_size, str(path))
    raise SizeError(f"{path}: not an ELF or Mach-O file, AAR, APK or IPA")


def total(sizes: list[BinarySize]) -> tuple[int, int | None]:
    """(file bytes, stripped bytes) of several binaries together; stripped is None when any one's is unknown."""
    stripped = [s.stripped_bytes for s in sizes]
    return sum(s.file_bytes for s in sizes), None if None in stripped else sum(s for s in stripped if s is not None)


def size_table(sizes: list[BinarySize]) -> str:
    """A plain-text table, one line per binary and a total when there are several."""
    header = f"{'file bytes':>12} {'stripped':>12} {'text':>12} {'rodata':>12} {'data':>10} {'bss':>10}  abi  file"
    lines = [header] + [f"{s.file_bytes:>12} {_known(s.stripped_bytes):>12} {s.text:>12} {s.rodata:>12} {s.data:>10} {s.bss:>10}"
                        f"  {s.abi}  {s.path}" for s in sizes]
    if len(sizes) > 1:
        file_bytes, stripped = total(sizes)
        lines.append(f"{file_bytes:>12} {_known(stripped):>12}  total of {len(sizes)} files")
    return "\n".join(lines)


def _known(value: int | None) -> str:
    return "-" if value is None else str(value)

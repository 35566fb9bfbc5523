"""Cheap checks of the files a matrix names, made before anything loads them: that each is what its
suffix says, not empty, and not cut short where the format lets that be seen from the ends of the file.

Deeper checks need the runtime's reader or torch; `harness plan` makes them in a child process (plan_checks).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from harness.runtimes import all_runtimes

NPY_MAGIC = b"\x93NUMPY"
_PICKLE_PROTOCOL = 0x80  # the first byte of torch.save's legacy (non-zip) format


def _head(path: Path, size: int = 16) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _zip_problem(path: Path, what: str) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return f"is not a whole zip archive (not {what}, or cut short)"
    return None


def _flatbuffer_problem(path: Path, identifier: bytes, what: str) -> str | None:
    head, size = _head(path), path.stat().st_size
    if len(head) < 8 or not head[4:8].startswith(identifier):
        return f"has no {identifier.decode()} file identifier; expected {what}"
    (root,) = struct.unpack("<I", head[:4])
    if root + 4 > size:
        return f"is cut short: its root table is at byte {root} of {size}"
    return None


def model_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a file of the runtime its suffix names, or None when it looks like one."""
    runtime = next((r for r in all_runtimes() if path.name.endswith(r.suffix)), None)
    if path.stat().st_size == 0:
        return "is empty"
    if runtime is None or runtime.container is None:
        return None
    what = f"a {runtime.suffix} file"
    if runtime.container == "zip":
        return _zip_problem(path, what)
    return _flatbuffer_problem(path, runtime.file_identifier, what)


def weights_problem(path: Path) -> str | None:
    """A torch state dict as torch.save writes it: a zip archive, or the legacy pickle format."""
    if path.stat().st_size == 0:
        return "is empty"
    if _head(path, 1) == bytes([_PICKLE_PROTOCOL]):
        return None
    return _zip_problem(path, "a torch.save file")


def calibration_problem(path: Path) -> str | None:
    """An .npz archive of .npy arrays, or a folder holding at least one .npy file, each with numpy's header."""
    if path.is_dir():
        files = sorted(path.glob("*.npy"))
        if not files:
            return "holds no .npy files"
        bad = next((f for f in files if _head(f, len(NPY_MAGIC)) != NPY_MAGIC), None)
        return f"holds {bad.name}, which is not a .npy file (no numpy header)" if bad else None
    if path.suffix != ".npz" or not path.is_file():
        return "is neither an .npz file nor a folder"
    if path.stat().st_size == 0:
        return "is empty"
    problem = _zip_problem(path, "an .npz file")
    if problem:
        return problem
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    if not names or not all(name.endswith(".npy") for name in names):
        return "holds no arrays, or members that are not .npy arrays"
    return None

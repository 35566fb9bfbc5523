"""What a mode (app or cli) may use of a phone during one run: the link, the run's folder, and notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.devices.android.link import AdbLink, quote
from harness.errors import DeviceError


@dataclass
class PhoneSession:
    name: str  # the device alias, for messages
    link: AdbLink
    folder: str  # this run's folder on the phone
    note: Callable[..., None]  # adds notes to the current cell's warnings
    _pushed: dict[str, int] = field(default_factory=dict)  # remote path -> the local file's mtime, this run

    def push_cell_files(self, cell_id: str, files: dict[str, Path], under: str | None = None) -> str:
        """Push a cell's model and inputs into its own folder (below the run's, or `under`), once per run."""
        parent = under or self.folder
        folder = f"{parent}/{cell_id}"
        self.link.output(["mkdir", "-p", folder])
        if under is None:
            self.link.output(["chmod", "755", self.folder, folder])
        for relative, local in files.items():
            remote = f"{folder}/{relative}"
            if self._pushed.get(remote) != local.stat().st_mtime_ns:
                self.link.push(local, remote)
                self._pushed[remote] = local.stat().st_mtime_ns
        return folder

    def kill(self, pattern: str) -> None:
        try:
            self.link.script(f"pkill -f {quote([pattern])} || true")
        except DeviceError:
            pass

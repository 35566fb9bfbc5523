"""What an Android phone and an iPhone share as devices: notes for the cell's warnings, the link's transfer time as
a timeline span, and actions retried across a dropped link."""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.devices.base import Device
from harness.devices.retries import Reconnectable, with_retries


class TransferClock:
    """A link's time spent pushing and pulling so far: where a run's time goes (run/timeline.py)."""

    transfer_seconds = 0.0

    @contextmanager
    def _transfer(self) -> Iterator[None]:
        begin = time.monotonic()
        try:
            yield
        finally:
            self.transfer_seconds += time.monotonic() - begin


class PhoneDevice(Device):
    def __init__(self, name: str):
        super().__init__(name)
        self._link: Any = None  # opened on first use by `link`; has `transfer_seconds` and `reconnect()`
        self._notes: list[str] = []

    @property
    @abstractmethod
    def link(self) -> Reconnectable:
        """The link to the device, opened on first use."""

    def retried(self, action, what: str):
        """``action()``, run again across dropped links (with_retries), each retry noted for the cell's warnings."""
        return with_retries(self.link, action, what, on_retry=self._notes.append)

    def note(self, *notes: str) -> None:
        self._notes.extend(notes)

    def take_notes(self) -> list[str]:
        notes, self._notes = self._notes, []
        return notes

    def take_spans(self) -> list[tuple[str, float]]:
        if self._link is None or not self._link.transfer_seconds:
            return []
        seconds, self._link.transfer_seconds = self._link.transfer_seconds, 0.0
        return [("transfer", seconds)]

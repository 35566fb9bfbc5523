"""What every phone link shares: the two ways a link fails, and retrying an action across a dropped link.

Android (adb) and iOS (usbmux) links raise LinkLost when the connection drops and CommandTimeout when the device
does not answer in time; `with_retries` reconnects and runs the action again from the start, then gives up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from harness.errors import DeviceError

T = TypeVar("T")

BACKOFF_SECONDS = (1.0, 2.0, 4.0)  # waits before each retry; then the cell fails


class LinkLost(DeviceError):
    """The connection to the device dropped (cable, Wi-Fi, a server restart)."""


class CommandTimeout(DeviceError):
    """A command on the device did not finish in time."""


class Reconnectable(Protocol):
    def reconnect(self) -> None:
        """Reach the device again; raises LinkLost when it does not come back."""


def with_retries(link: Reconnectable, action: Callable[[], T], what: str, on_retry: Callable[[str], None] = lambda _: None,
                 backoff: Sequence[float] = BACKOFF_SECONDS, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``action``; when the link drops, wait, reconnect and run it again from the start, then give up."""
    for attempt, wait in enumerate([*backoff, None]):
        try:
            return action()
        except LinkLost as error:
            if wait is None:
                raise DeviceError(f"{what}: {error}; gave up after {attempt + 1} attempts") from None
            on_retry(f"{what}: {error}; retrying in {wait:g}s")
            sleep(wait)
            try:
                link.reconnect()
            except LinkLost:
                continue
    raise AssertionError("unreachable")

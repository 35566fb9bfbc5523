"""The one event loop: pymobiledevice3 is asyncio, the harness is not.

Every pymobiledevice3 object (lockdown clients, service connections, syslog streams) is created and used on a
single loop that runs in its own thread for the life of the device, since its connections are bound to the loop
that opened them. The rest of the harness calls `Bridge.run` and gets a plain value or an exception back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from harness.devices.retries import CommandTimeout

T = TypeVar("T")


class Bridge:
    def __init__(self, name: str = "pymobiledevice3"):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float, what: str) -> T:
        """Run ``coroutine`` on the loop and wait for it; past ``timeout`` it is cancelled and CommandTimeout
        raised, saying ``what`` did not finish."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise CommandTimeout(f"{what} did not finish within {timeout:.0f}s") from None

    def start(self, make: Callable[[], Awaitable[None]]) -> concurrent.futures.Future:
        """Start a background task (a syslog stream) on the loop; cancel the returned future to stop it."""
        async def task() -> None:
            await make()

        return asyncio.run_coroutine_threadsafe(task(), self._loop)

    def close(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

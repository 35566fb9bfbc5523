"""The one event loop that every pymobiledevice3 call runs on."""

from __future__ import annotations

import asyncio
import threading

import pytest

from harness.devices.ios.bridge import Bridge
from harness.devices.retries import CommandTimeout


def test_calls_run_on_one_loop_thread_and_return_their_value():
    bridge = Bridge("test")
    try:
        async def where():
            return threading.current_thread().name, id(asyncio.get_running_loop())

        first, second = bridge.run(where(), 5, "asking"), bridge.run(where(), 5, "asking")
        assert first == second and first[0] == "test" and first[0] != threading.current_thread().name
    finally:
        bridge.close()


def test_a_call_past_its_timeout_is_cancelled_and_named():
    bridge = Bridge("test")
    cancelled = threading.Event()
    try:
        async def forever():
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        with pytest.raises(CommandTimeout, match="waiting did not finish within 0s"):
            bridge.run(forever(), 0.2, "waiting")
        assert cancelled.wait(5)
    finally:
        bridge.close()

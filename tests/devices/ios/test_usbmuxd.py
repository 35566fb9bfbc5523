"""The emulated usbmuxd and lockdownd answer pymobiledevice3's own client code, as a real pair does."""

from __future__ import annotations

import asyncio

import pytest

from tests.fixtures.iphone.state import UDID
from tests.fixtures.iphone.usbmuxd import LOCKDOWN_PORT


def _run(coroutine):
    return asyncio.run(coroutine)


def test_the_device_list_and_the_pair_record_come_from_the_wire(iphone):
    from pymobiledevice3 import usbmux

    async def read():
        devices = await usbmux.list_devices()
        mux = await usbmux.create_mux()
        try:
            return devices, await mux.get_buid(), await mux.get_pair_record(UDID)
        finally:
            await mux.close()

    devices, buid, record = _run(read())
    assert [(d.serial, d.connection_type) for d in devices] == [(UDID, "USB")]
    assert buid and record["HostID"]
    assert "ListDevices" in iphone.usbmuxd.requests and "ReadPairRecord" in iphone.usbmuxd.requests


def test_listen_reports_attached_then_detached(iphone):
    from pymobiledevice3 import usbmux

    async def follow():
        mux = await usbmux.create_mux()
        try:
            await mux.listen()
            await mux.receive_device_state_update()
            attached = [d.serial for d in mux.devices]
            iphone.change(attached=False)
            await asyncio.wait_for(mux.receive_device_state_update(), 5)
            return attached, list(mux.devices)
        finally:
            await mux.close()

    assert _run(follow()) == ([UDID], [])


def test_lockdown_pairs_and_reads_values_through_usbmux(iphone):
    from pymobiledevice3.lockdown import create_using_usbmux

    async def read():
        lockdown = await create_using_usbmux(serial=UDID, autopair=False)
        try:
            return lockdown.paired, lockdown.product_version, await lockdown.get_developer_mode_status()
        finally:
            await lockdown.close()

    assert _run(read()) == (True, "17.5", True)
    assert "lockdown StartSession" in iphone.usbmuxd.requests


@pytest.mark.parametrize("change", [{"paired": False}, {"trusted": False}])
def test_an_unpaired_or_untrusted_host_gets_no_session(iphone, change):
    from pymobiledevice3.lockdown import create_using_usbmux

    iphone.change(**change)

    async def paired():
        lockdown = await create_using_usbmux(serial=UDID, autopair=False)
        try:
            return lockdown.paired
        finally:
            await lockdown.close()

    assert _run(paired()) is False


def test_only_lockdown_is_served_and_nothing_while_unplugged(iphone):
    from pymobiledevice3 import exceptions, usbmux

    async def connect(port, attached=True):
        [device] = await usbmux.list_devices()
        iphone.change(attached=attached)
        mux = await usbmux.create_mux()
        try:
            await mux.connect(device, port)
        finally:
            await mux.close()

    with pytest.raises(exceptions.ConnectionFailedError):
        _run(connect(1234))
    with pytest.raises(exceptions.BadDevError):
        _run(connect(LOCKDOWN_PORT, attached=False))

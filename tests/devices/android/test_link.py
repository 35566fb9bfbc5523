"""The adb link against the emulated phone, through the real adb server."""

from __future__ import annotations

import pytest

from harness.devices.android.link import AdbLink, CommandTimeout, LinkLost, with_retries
from harness.errors import ConfigError, DeviceError
from tests.fixtures.phone.adbd import Fault


@pytest.fixture
def link(phone) -> AdbLink:
    return AdbLink(f"127.0.0.1:{phone.port}")


def test_arguments_cannot_inject_commands(link, phone, tmp_path):
    hostile = "model $(touch /data/local/tmp/pwned) `touch /data/local/tmp/pwned2`; touch /data/local/tmp/pwned3 'x\""
    output = link.command(["echo", hostile])
    assert output.exit_code == 0 and output.text.strip() == hostile
    assert not any(phone.local_path(f"/data/local/tmp/{n}").exists() for n in ("pwned", "pwned2", "pwned3"))


def test_exit_codes_and_several_files_in_one_round_trip(link):
    assert link.command(["sh", "-c", "exit 3"]).exit_code == 3
    with pytest.raises(DeviceError, match="exit 1"):
        link.output(["false"])
    files = link.read_files(["/sys/devices/system/cpu/possible", "/sys/no/such/file"])
    assert files == {"/sys/devices/system/cpu/possible": "0-1", "/sys/no/such/file": None}


def test_push_is_verified_and_pull_reads_back(link, phone, tmp_path):
    local = tmp_path / "model with spaces.bin"
    local.write_bytes(bytes(range(256)) * 1000)
    link.push(local, "/data/local/tmp/a b/model with spaces.bin")
    assert phone.local_path("/data/local/tmp/a b/model with spaces.bin").read_bytes() == local.read_bytes()
    assert link.pull_text("/sys/devices/system/cpu/possible").strip() == "0-1"


def test_a_full_disk_is_named(link, phone, tmp_path):
    phone.set_state(disk_full=True)
    local = tmp_path / "model.tflite"
    local.write_bytes(b"x" * 4096)
    with pytest.raises(DeviceError, match="out of space.*0.0 MB free"):
        link.push(local, "/data/local/tmp/model.tflite")


def test_a_hang_times_out(link, phone):
    phone.inject(Fault("hang", "sleepy"))
    with pytest.raises(CommandTimeout, match="within 1s"):
        link.command(["echo", "sleepy"], timeout=1)
    assert link.command(["echo", "awake"]).text.strip() == "awake"


def test_a_dropped_connection_is_retried_after_reconnecting(link, phone):
    phone.inject(Fault("drop", "flaky", times=1))
    retries = []
    output = with_retries(link, lambda: link.command(["echo", "flaky"]), "echo", retries.append, backoff=(0.2,))
    assert output.text.strip() == "flaky" and len(retries) == 1 and "lost the connection" in retries[0]


def test_a_connection_that_keeps_dropping_gives_up(link, phone):
    phone.inject(Fault("drop", "doomed", times=None))
    with pytest.raises(DeviceError, match="gave up after 3 attempts") as raised:
        with_retries(link, lambda: link.command(["echo", "doomed"]), "echo", backoff=(0.1, 0.1))
    assert not isinstance(raised.value, LinkLost)


def test_auto_serial_needs_exactly_one_device(phone, adb_server):
    assert AdbLink("auto").serial == f"127.0.0.1:{phone.port}"


def test_auto_serial_with_two_devices_lists_them(phone, adb_server, tmp_path):
    import subprocess

    from tests.fixtures.phone.adbd import EmulatedPhone

    second = EmulatedPhone(tmp_path / "second")
    second.start()
    subprocess.run(["adb", "connect", f"127.0.0.1:{second.port}"], check=True, capture_output=True, timeout=30)
    try:
        with pytest.raises(ConfigError, match="2 devices are attached") as raised:
            AdbLink("auto")
        assert str(second.port) in str(raised.value)
    finally:
        subprocess.run(["adb", "disconnect", f"127.0.0.1:{second.port}"], capture_output=True, timeout=30)
        second.stop()

"""`harness fetch-tool`, against a local HTTP server (nothing here reaches Google)."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from harness.devices.android.tools import fetch_benchmark_model, fetched_path
from harness.errors import ConfigError, DeviceError


@pytest.fixture
def server(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site/benchmark_model").write_bytes(b"\x7fELF" + bytes(100))
    (tmp_path / "site/page.html").write_text("<html>not found</html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_lands_executable_in_the_cache(server, tmp_path):
    path = fetch_benchmark_model("arm64-v8a", tmp_path / "cache", f"{server}/benchmark_model")
    assert path == fetched_path("arm64-v8a", tmp_path / "cache") and path.read_bytes().startswith(b"\x7fELF")
    assert path.stat().st_mode & 0o111


def test_failures_are_clear_and_leave_nothing(server, tmp_path):
    with pytest.raises(DeviceError, match="not an executable"):
        fetch_benchmark_model("arm64-v8a", tmp_path / "cache", f"{server}/page.html")
    with pytest.raises(DeviceError, match="cannot download .*set tools.benchmark_model"):
        fetch_benchmark_model("arm64-v8a", tmp_path / "cache", f"{server}/missing")
    with pytest.raises(ConfigError, match="no prebuilt benchmark_model for ABI 'mips'"):
        fetch_benchmark_model("mips", tmp_path / "cache")
    assert not fetched_path("arm64-v8a", tmp_path / "cache").exists()

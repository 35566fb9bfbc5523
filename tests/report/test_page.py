"""`harness report` on a real run (the golden matrix), opened in Debian's Chromium, headless, through Selenium.

The screenshot is kept in test-artifacts/report.png; docs/images/report.png in the README is a copy of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from harness.report.figures import FIGURES
from tests.conftest import IN_CI, REPO, require

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# What this machine's closed network needs: no background connections, no updates, no sync.
BROWSER_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic")
# Figures the golden run has no data for.
NOT_DRAWN_FOR_GOLDEN: set[str] = set()  # every figure: the rows carry runtime sizes since results schema 7


def _harness(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def report(golden_run):
    _, results_dir = golden_run
    completed = _harness("report", "--results", str(results_dir), "--png")
    assert completed.returncode == 0, completed.stderr
    (run,) = [path for path in results_dir.iterdir() if (path / "run.json").is_file()]
    return run


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = require("selenium.webdriver")
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        if IN_CI:
            pytest.fail("chromium and chromium-driver are missing in CI; `make test` installs them")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_window_size(1400, 1100)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(report, browser):
    browser.get((report / "report.html").as_uri())
    return browser


def test_the_page_loads_nothing_and_logs_no_errors(page, report):
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    html = (report / "report.html").read_text()
    assert "<script src=" not in html and "<link" not in html
    errors = [entry for entry in page.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_every_figure_rendered(page):
    keys = page.execute_script("return Array.from(document.querySelectorAll('section.figure')).map(s => s.id)")
    assert len(keys) == len(FIGURES)
    drawn = page.execute_script("""
        return Array.from(document.querySelectorAll('section.figure:not(.absent)')).map(section => {
            const plot = section.querySelector('.plotly-graph-div');
            const box = plot.getBoundingClientRect();
            return [section.id, plot.data.length, plot.querySelectorAll('.main-svg .trace').length, box.width * box.height];
        });""")
    assert {key for key, *_ in drawn} == set(keys) - NOT_DRAWN_FOR_GOLDEN
    for key, traces, drawn_traces, area in drawn:
        assert traces > 0 and drawn_traces > 0 and area > 0, key
    absent = page.execute_script("return Array.from(document.querySelectorAll('section.figure.absent')).map(s => s.innerText)")
    assert absent == []


def _column(page, index: int) -> list[float]:
    return page.execute_script(
        f"return Array.from(document.querySelectorAll('#cells tbody tr')).map(r => Number(r.cells[{index}].dataset.value))")


def test_the_cells_table_sorts(page):
    headings = page.find_elements("css selector", "#cells th")
    median = next(i for i, heading in enumerate(headings) if heading.text.startswith("median ms"))
    headings[median].click()
    ascending = _column(page, median)
    assert len(ascending) == 10 and ascending == sorted(ascending)
    headings[median].click()
    assert _column(page, median) == sorted(ascending, reverse=True)


def test_failures_and_warnings_are_listed(page):
    failed = page.find_element("id", "not-measured").text
    assert "not_a_model/torchscript/fp32/none/1t failed" in failed and "returned str, not a torch.nn.Module" in failed
    assert "has no gpu delegate" in failed  # skipped cells carry their reason too


def test_screenshot_and_png_figures(page, report):
    page.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.save_screenshot(str(ARTIFACTS / "report.png"))
    pictures = sorted((report / "report-figures").glob("*.png"))
    assert len(pictures) == len(FIGURES) - len(NOT_DRAWN_FOR_GOLDEN)
    for picture in pictures:
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 10_000


def test_png_without_a_browser_is_one_line_saying_what_to_install(report):
    # kaleido looks for Chrome where BROWSER_PATH says before anywhere else
    completed = _harness("report", str(report), "--png", env={**os.environ, "BROWSER_PATH": "/nonexistent/chrome"})
    assert completed.returncode == 1
    assert completed.stderr.count("\n") == 1 and "apt-get install chromium" in completed.stderr
    assert "report.html is written" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_facts_name_the_runtime_builds_the_cells_ran_on():
    import pandas as pd

    from harness.report.page import _facts

    build = {"runtime": "executorch", "path": "/builds/executorch/arm64-v8a/selective-k", "key": "k",
             "kind": "selective", "abi": "arm64-v8a", "tool_sha256": "0" * 64}
    page = _facts({"device": {"name": "pixel", "runtime_builds": [build]}}, pd.DataFrame({"status": ["ok"]}))
    assert "<th>runtime builds</th><td>executorch selective-k (arm64-v8a)</td>" in page
    assert "<th>device</th><td>name=pixel</td>" in page  # the list is not printed into the device's facts

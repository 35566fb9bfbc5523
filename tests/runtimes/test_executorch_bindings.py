"""The ExecuTorch shell loads the runtime's bindings without the exporter, and the exporter still loads when asked."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from harness.runtimes import runtime
runtime("executorch").load_session()
print("exporter loaded with the session:", "torch._dynamo" in sys.modules)
from executorch.exir import to_edge_transform_and_lower
print("exporter there when asked:", callable(to_edge_transform_and_lower), "torch._dynamo" in sys.modules)
"""


def test_the_session_imports_no_exporter_until_something_asks_for_it():
    # A fresh interpreter: this test process may hold the exporter already.
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300, check=True)
    assert probe.stdout.splitlines() == ["exporter loaded with the session: False",
                                         "exporter there when asked: True True"]

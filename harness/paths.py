"""Where the harness keeps what it makes outside a run folder."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """Converted models and downloaded tools: $HARNESS_CACHE_DIR, else ~/.cache/mobile-bench."""
    if os.environ.get("HARNESS_CACHE_DIR"):
        return Path(os.environ["HARNESS_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mobile-bench"

"""The metadata written into every converted file: what the model is, how to feed it, where it came from."""

from __future__ import annotations

import time
from importlib import metadata as distributions

import numpy as np

from harness import __version__
from harness.convert.catalog import converter_info
from harness.convert.jobs import ConversionJob
from harness.models.spec import ModelSpec

METADATA_SCHEMA = 1


def _version(package: str) -> str | None:
    try:
        return distributions.version(package)
    except distributions.PackageNotFoundError:
        return None


def build_metadata(spec: ModelSpec, job: ConversionJob, outputs: list[np.ndarray], delegation: dict | None) -> dict:
    converter = converter_info(job.converter)
    data = {
        "schema": METADATA_SCHEMA,
        "model": {"name": spec.name, "description": spec.description, "framework": spec.framework,
                  "source": spec.factory or spec.name},
        "inputs": [{"shape": list(t.shape), "dtype": t.dtype, "normalization": spec.normalization}
                   for t in spec.inputs],
        "outputs": [{"shape": list(o.shape), "dtype": o.dtype.name, "meaning": spec.output_meaning} for o in outputs],
        "labels": list(spec.labels) or None,
        "conversion": {"converter": converter.name, "format": job.format, "settings": job.settings,
                       "libraries": {package: _version(package) for package in converter.packages}},
        "harness": {"version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
    }
    if delegation:
        data["delegation"] = delegation
    return data

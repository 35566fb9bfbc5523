"""Runtime builds as named, cached artifacts: `harness runtimes build` (build.py), their manifests, the
source-build commands and the per-run size table."""

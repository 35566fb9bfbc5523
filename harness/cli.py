"""The command line. The only module that prints or exits: errors become one line and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from harness import __version__
from harness.errors import ConfigError, HarnessError
from harness.paths import default_cache_dir

DEFAULT_MATRIX = Path("configs/matrices/default.yaml")
DEFAULT_DEVICES = Path("configs/devices.yaml")
REGRESSION_EXIT = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_matrix(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--matrix", type=Path, default=DEFAULT_MATRIX, help="experiment matrix YAML")
        sub.add_argument("--device", default=None, help="device alias from the devices file, or several: a,b "
                                                        "(default: the matrix's devices, else host)")
        sub.add_argument("--devices", type=Path, default=DEFAULT_DEVICES, help="devices file")
        sub.add_argument("--cache-dir", type=Path, default=None, help="converted models (default: ~/.cache/mobile-bench)")

    bench = commands.add_parser("bench", help="convert, run and record every cell of a matrix")
    with_matrix(bench)
    bench.add_argument("--results", type=Path, default=Path("results"), help="folder for run folders")
    bench.add_argument("--run-id", default=None, help="name of the run folder (default: time, matrix, device)")
    bench.add_argument("--no-cache", action="store_true", help="convert again even when a cached file exists")
    bench.add_argument("--convert-jobs", type=int, default=None, metavar="N",
                       help="conversions at once (default: one per core, as memory allows)")
    bench.add_argument("--mode", choices=("app", "cli", "native"), default=None,
                       help="on phones: the project's app or the runtimes' own tools; on the host: native, the C++ "
                            "ExecuTorch runner (default: the matrix's, then the device's)")
    bench.add_argument("--resume", type=Path, default=None, metavar="RUN_FOLDER",
                       help="finish an interrupted run: cells it recorded are kept, the rest run")
    bench.add_argument("--runtime-build", type=Path, action="append", default=[], metavar="BUILD_FOLDER",
                       help="cli mode on phones: a runtime's tool from this build folder (harness runtimes build), "
                            "instead of the device's; repeat, one per runtime")
    plan = commands.add_parser("plan", help="list every cell and why any is skipped; runs nothing")
    with_matrix(plan)
    inspect = commands.add_parser("inspect", help="a converted file's format, versions, operators, delegation and metadata")
    inspect.add_argument("file", type=Path, help="a .tflite, .pte or .ptl file")
    inspect.add_argument("--json", action="store_true", help="print JSON instead of text")
    fetch = commands.add_parser("fetch-tool", help="download Google's prebuilt TFLite benchmark_model for a phone's ABI")
    fetch.add_argument("--abi", default="arm64-v8a", help="the phone's ABI (`harness devices` shows it)")
    fetch.add_argument("--url", default=None, help="download from here instead of Google's nightly build")
    fetch.add_argument("--cache-dir", type=Path, default=None, help="default: ~/.cache/mobile-bench")
    report = commands.add_parser("report", help="write a run's report.html: figures, tables, failures and warnings")
    report.add_argument("runs", type=Path, nargs="*", metavar="RUN", help="run folders (default: the latest run)")
    report.add_argument("--results", type=Path, default=Path("results"), help="where to find the latest run")
    report.add_argument("--png", action="store_true", help="also write every figure as PNG (needs Chrome or Chromium)")
    compare = commands.add_parser("compare", help="latency ratios of two runs' cells, judged from their repetitions")
    compare.add_argument("base", type=Path, metavar="BASE", help="the run to compare against")
    compare.add_argument("new", type=Path, metavar="NEW", help="the run to judge")
    compare.add_argument("--threshold", type=float, default=10.0, metavar="PCT",
                         help="changes smaller than this are never marked (default: 10)")
    compare.add_argument("--fail-on-regression", type=float, default=None, metavar="PCT",
                         help=f"exit {REGRESSION_EXIT} when a cell is marked slower by at least PCT, or fails in NEW only")
    compare.add_argument("--allow-different-devices", action="store_true", help="compare runs from different devices")
    runtimes = commands.add_parser("runtimes", help="runtime builds from a run's or a matrix's operator lists")
    build = runtimes.add_subparsers(dest="runtimes_command", required=True).add_parser(
        "build", help="build folders with manifests, full or selective, per runtime and ABI; cached")
    build.add_argument("run", type=Path, nargs="?", metavar="RUN", help="a run folder (it holds operator_lists/)")
    build.add_argument("--matrix", type=Path, help="instead of RUN: convert this matrix's files (cached), no measuring")
    build.add_argument("--device", default="host", help="with --matrix: the device its files are planned for")
    build.add_argument("--devices", type=Path, default=None, help="devices file (default: configs/devices.yaml)")
    build.add_argument("--cache-dir", type=Path, default=None)
    build.add_argument("--abi", action="append", default=None, help="repeat for several (default: this host's)")
    build.add_argument("--kind", choices=("full", "selective"), default="selective")
    build.add_argument("--runtime", action="append", default=None, help="repeat for several (default: the run's)")
    build.add_argument("--output", type=Path, default=Path("builds"), help="where build folders go (default: builds)")
    build.add_argument("--toolchains", type=Path, default=None, help="default: configs/toolchains.yaml")
    size = commands.add_parser("size", help="binary size: ELF files, and the lib/<abi>/*.so in AAR and APK files")
    size.add_argument("files", type=Path, nargs="+", metavar="FILE", help="ELF executables or libraries, AARs, APKs")
    size.add_argument("--json", action="store_true", help="print JSON instead of a table")
    devices = commands.add_parser("devices", help="list the device aliases and what they are")
    devices.add_argument("--devices", type=Path, default=DEFAULT_DEVICES)
    cache = commands.add_parser("cache", help="the converted-model cache: list its entries, or remove old and broken ones")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True)
    cache_ls = cache_commands.add_parser("ls", help="every entry: key, size, last use and conversion")
    cache_prune = cache_commands.add_parser("prune", help="remove unusable entries (and, with --older-than, unused ones)")
    cache_prune.add_argument("--older-than", type=float, default=None, metavar="DAYS",
                             help="also remove entries no run has used for DAYS days")
    for sub in (cache_ls, cache_prune):
        sub.add_argument("--cache-dir", type=Path, default=None, help="default: ~/.cache/mobile-bench")
    schema = commands.add_parser("schema", help="write the JSON Schema of matrix files, or of the device protocol")
    schema.add_argument("--protocol", action="store_true", help="the request/result protocol the shells speak")
    schema.add_argument("--output", type=Path, default=None, help="file to write (default: standard output)")
    return parser


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"harness: warning: {_one_line(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    shown, warnings.showwarning = warnings.showwarning, _print_warning
    try:
        return COMMANDS[args.command](args)
    except HarnessError as error:
        print(f"harness: error: {_one_line(error)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("harness: interrupted; rows already written are kept", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = shown


def _aliases(args, matrix) -> list[str]:
    """`--device a,b` (commas or spaces between aliases), else the matrix's `devices`, else the host."""
    if args.device:
        return args.device.replace(",", " ").split()
    return list(matrix.devices) or ["host"]


def _bench(args) -> int:
    from harness.cli_progress import ProgressPrinter
    from harness.config.matrix import load_matrix
    from harness.convert.cache import ArtifactCache
    from harness.devices.inventory import open_device
    from harness.run.bench import run_bench

    matrix = load_matrix(args.matrix)
    devices = [open_device(alias, args.devices, mode=args.mode or matrix.execution_mode,
                           runtime_builds=args.runtime_build) for alias in _aliases(args, matrix)]
    if args.runtime_build and not any(device.runtime_builds() for device in devices):
        modes = ", ".join(f"{d.name} ({d.platform}, {d.mode})" for d in devices)
        raise ConfigError(f"--runtime-build: a build's tools run only on a phone in cli mode, and none of {modes} "
                          "is one (--mode cli runs phones in cli mode)")
    cache = ArtifactCache(args.cache_dir or default_cache_dir())
    with ProgressPrinter() as progress:
        summary = run_bench(matrix, devices, args.results, cache, use_cache=not args.no_cache,
                            on_progress=progress, run_id=args.run_id, resume=args.resume,
                            convert_workers=args.convert_jobs)
    counts = ", ".join(f"{n} {status}" for status, n in summary.counts.items())
    print(f"{summary.run_dir}: {counts}")
    for name, device_counts in summary.counts_by_device.items():
        print(f"  {name}: " + ", ".join(f"{n} {status}" for status, n in device_counts.items()))
    print(f"load it with: harness.results.load({str(summary.run_dir)!r})")
    return 0


def _report(args) -> int:
    from harness.report.page import write_report
    from harness.report.runs import latest_run

    for run in args.runs or [latest_run(args.results)]:
        page, pictures = write_report(run, png=args.png)
        print(f"report: {page}" + (f" ({len(pictures)} figures as PNG in {pictures[0].parent})" if pictures else ""))
    return 0


def _compare(args) -> int:
    from harness.report.compare import compare_runs, comparison_lines

    comparison = compare_runs(args.base, args.new, threshold=args.threshold / 100,
                              allow_different_devices=args.allow_different_devices)
    print("\n".join(comparison_lines(comparison)))
    if args.fail_on_regression is None:
        return 0
    regressions = comparison.regressions(args.fail_on_regression / 100)
    if regressions:
        print(f"harness: {len(regressions)} regression(s) of at least {args.fail_on_regression:g}%: "
              + ", ".join(cell.label for cell in regressions), file=sys.stderr)
        return REGRESSION_EXIT
    return 0


def _plan(args) -> int:
    from harness.config.matrix import load_matrix
    from harness.convert.cache import ArtifactCache
    from harness.devices.inventory import open_device
    from harness.plan import plan
    from harness.plan_checks import check_models, check_some_cell_runs

    matrix = load_matrix(args.matrix)
    cache = ArtifactCache(args.cache_dir or default_cache_dir())
    cached: dict = {}
    devices = [open_device(alias, args.devices, mode=matrix.execution_mode) for alias in _aliases(args, matrix)]
    plans = {device.name: plan(matrix, device) for device in devices}
    for name, planned in plans.items():
        check_some_cell_runs(matrix, planned, name)
    check_models(matrix)
    for name, planned in plans.items():
        _plan_on(planned, name, cache, cached)
    return 0


def _plan_on(planned, device: str, cache, cached: dict) -> None:
    from harness.convert.cache import cache_key

    for item in planned:
        conversion = item.conversion
        if conversion is None:
            print(f"skip  {item.cell.label:<60} {item.skip_reason}")
            continue
        if conversion not in cached:
            cached[conversion] = cache.lookup(cache_key(conversion)) is not None
        state = "cached" if cached[conversion] else "to convert"
        print(f"run   {item.cell.label:<60} {conversion.converter} -> .{conversion.format} ({state})")
    runs = sum(1 for p in planned if not p.skip_reason)
    print(f"{len(planned)} cells on {device}: {runs} to run, {len(planned) - runs} skipped; "
          f"{sum(1 for v in cached.values() if not v)} of {len(cached)} conversions to do")


def _devices(args) -> int:
    from harness.devices.android.attached import describe_attached
    from harness.devices.inventory import device_aliases, open_device

    print("aliases:")
    for alias, platform in device_aliases(args.devices).items():
        device = open_device(alias, args.devices)
        if platform == "host":
            about = ", ".join(f"{k}={v}" for k, v in device.facts().items())
        else:
            about = ", ".join(f"{k}={v}" for k, v in device.settings().items())
        print(f"  {alias:<12} {platform:<8} {about}")
    print("attached Android devices:")
    lines = describe_attached()
    print("\n".join(f"  {line}" for line in lines) if lines else "  none")
    print("attached iPhones and iPads:")
    lines = _attached_iphones()
    print("\n".join(f"  {line}" for line in lines) if lines else "  none")
    return 0


def _attached_iphones() -> list[str]:
    try:
        from harness.devices.ios.attached import describe_attached
    except ImportError as error:
        return [f"(pymobiledevice3 is missing: {error}; `make venv` installs it)"]
    return describe_attached()


def _fetch_tool(args) -> int:
    from harness.devices.android.tools import fetch_benchmark_model

    path = fetch_benchmark_model(args.abi, args.cache_dir or default_cache_dir(), args.url)
    print(f"{path}: cli mode uses it for LiteRT cells on {args.abi} phones unless tools.benchmark_model is set")
    return 0


def _inspect(args) -> int:
    from harness.convert.verify import host_delegates
    from harness.runtimes import runtime_for_format
    from harness.runtimes.describe import describe
    from harness.runtimes.inspection import inspect_file

    inspection = inspect_file(args.file)
    runtime = runtime_for_format(inspection.format)
    reader = runtime.load_reader()
    delegations = [reader.delegation(args.file, inspection, d) for d in host_delegates(runtime, inspection)]
    if args.json:
        print(json.dumps({"file": str(args.file), **inspection.model_dump(mode="json"),
                          "delegation": [d.model_dump(mode="json") | {"share": d.share} for d in delegations]},
                         indent=1))
    else:
        print(describe(args.file, inspection, delegations))
    return 0


def _cache(args) -> int:
    import time

    from harness.convert.cache import ArtifactCache
    from harness.convert.cache_admin import cache_entries, prune

    cache = ArtifactCache(args.cache_dir or default_cache_dir())
    if args.cache_command == "prune":
        if args.older_than is not None and not 0 <= args.older_than < 1e6:
            raise ConfigError(f"--older-than {args.older_than:g}: expected a number of days from 0 to 1000000")
        removed, freed = prune(cache, args.older_than)
        print(f"{cache.root}: removed {len(removed)} entries, freed {freed / 1e6:.1f} MB")
        return 0
    entries = cache_entries(cache)
    for entry in entries:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.last_used))
        print(f"{entry.key[:12]}  {entry.size_bytes / 1e6:9.1f} MB  {used}  {entry.label}")
    print(f"{cache.root}: {len(entries)} entries, {sum(e.size_bytes for e in entries) / 1e6:.1f} MB")
    return 0


def _schema(args) -> int:
    from harness.config.matrix_schema import MatrixFile
    from harness.protocol.messages import protocol_schema

    text = json.dumps(protocol_schema() if args.protocol else MatrixFile.model_json_schema(), indent=2) + "\n"
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _runtimes(args) -> int:
    import platform

    from harness.builds.build import LIST_FILES, build_runtime
    from harness.builds.size_table import write_size_table
    from harness.builds.toolchains import load_toolchains
    from harness.results import RunStore

    if (args.run is None) == (args.matrix is None):
        raise ConfigError("runtimes build takes a run folder or --matrix, one of the two")
    store = RunStore.open(args.run) if args.run else None
    folder = store.folder if store else _matrix_operator_lists(args)
    toolchains = load_toolchains(args.toolchains)
    names = args.runtime or [n for n, f in LIST_FILES.items() if (folder / "operator_lists" / f).is_file()]
    built = {}
    for name in names:
        for abi in args.abi or [platform.machine()]:
            manifest = build_runtime(folder, name, abi, args.kind, args.output, toolchains)
            built[(name, abi)] = manifest
            figure = manifest.binary_bytes()
            said = f"{figure[0]} bytes" if figure else "; ".join(manifest.notes) or manifest.status
            print(f"{name} {abi} {args.kind}: {manifest.status}, {len(manifest.operators)} operators, {said} "
                  f"({args.output / name / abi / f'{args.kind}-{manifest.key}'})")
    if store is None:
        print("no size table: it sets builds beside a run's latencies; `harness runtimes build RUN` after a bench run")
        return 0
    table = write_size_table(store.folder, built if args.kind == "selective" else {})
    print(f"size table: {table}")
    return 0


def _matrix_operator_lists(args) -> Path:
    """The matrix's files converted for the device (cached), their operator lists in a folder under --output."""
    from harness.cli_progress import ProgressPrinter
    from harness.config.matrix import load_matrix
    from harness.convert.cache import ArtifactCache
    from harness.devices.inventory import open_device
    from harness.run.bench import convert_for_operator_lists
    from harness.run.conversions import ConversionFailure

    matrix = load_matrix(args.matrix)
    device = open_device(args.device, args.devices, mode=matrix.execution_mode)
    folder = args.output / "matrices" / f"{matrix.name}-{device.name}"
    with ProgressPrinter() as progress:
        artifacts = convert_for_operator_lists(matrix, device, ArtifactCache(args.cache_dir or default_cache_dir()),
                                               folder, progress)
    failed = sum(isinstance(artifact, ConversionFailure) for artifact in artifacts.values())
    print(f"{len(artifacts) - failed} files converted or cached, {failed} failed; operator lists in "
          f"{folder / 'operator_lists'}")
    return folder


def _size(args) -> int:
    from harness.size import binary_sizes, size_table

    sizes = [size for path in args.files for size in binary_sizes(path)]
    print(json.dumps([s.to_json() for s in sizes], indent=1) if args.json else size_table(sizes))
    return 0


COMMANDS = {"size": _size, "runtimes": _runtimes,
            "bench": _bench, "plan": _plan, "inspect": _inspect, "devices": _devices, "schema": _schema,
            "fetch-tool": _fetch_tool, "report": _report, "compare": _compare, "cache": _cache}

if __name__ == "__main__":
    sys.exit(main())

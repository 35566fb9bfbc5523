"""A converted file described for people: what `harness inspect` prints."""

from __future__ import annotations

import json
from pathlib import Path

from harness.runtimes.inspection import Delegation, Inspection


def _operator_lines(inspection: Inspection) -> list[str]:
    lines = [f"operators ({len(inspection.operators)} kinds, {sum(op.count for op in inspection.operators)} nodes):"]
    for op in sorted(inspection.operators, key=lambda o: (-o.count, o.name)):
        version = f" v{op.version}" if op.version is not None else ""
        kind = f" [{op.kind}]" if op.kind not in ("builtin", "aten") else ""
        lines.append(f"  {op.count:>5} x {op.name}{version}{kind}")
    return lines


def _delegation_line(delegation: Delegation) -> str:
    share = f"{delegation.share:.0%}" if delegation.share is not None else "unknown share"
    nodes = (f"{delegation.delegated_nodes}/{delegation.total_nodes} nodes" if delegation.total_nodes is not None
             else "node counts not recorded")
    left = ", ".join(delegation.fallback_operators) or "nothing"
    return f"  {delegation.delegate}: {share} ({nodes}); left on the runtime's kernels: {left}"


def describe(path: Path, inspection: Inspection, delegations: list[Delegation]) -> str:
    lines = [f"{path}", f"format: .{inspection.format}, {inspection.format_version}",
             f"size: {inspection.size_bytes:,} bytes",
             f"minimum runtime version: {inspection.min_runtime_version or 'not recorded'}"]
    if inspection.backends:
        lines.append(f"backends built in: {', '.join(inspection.backends)}")
    lines += _operator_lines(inspection)
    if delegations:
        lines.append("delegation on this host:")
        lines += [_delegation_line(d) for d in delegations]
    lines += [f"note: {note}" for note in inspection.notes]
    metadata = json.dumps(inspection.metadata, indent=2, sort_keys=True) if inspection.metadata else "none"
    lines.append(f"metadata: {metadata}")
    return "\n".join(lines)

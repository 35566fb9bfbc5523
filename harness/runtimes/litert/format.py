"""TensorFlow Lite / LiteRT flatbuffers, read and written with the schema ai-edge-litert ships."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from harness.compatibility import RuntimeLimits, newer_version
from harness.models.spec import TensorSpec
from harness.runtimes.base import FormatFunctions
from harness.runtimes.inspection import METADATA_NAME, Delegation, Inspection, Operator, harness_dtype

FILE_IDENTIFIER = b"TFL3"
_BUILTIN_NAMES = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
_CUSTOM = schema.BuiltinOperator.CUSTOM


def _model(path: Path):
    buffer = path.read_bytes()
    if not schema.Model.ModelBufferHasIdentifier(buffer, 0):
        raise ValueError("no TFL3 file identifier; this is not a TensorFlow Lite flatbuffer")
    return schema.Model.GetRootAsModel(buffer, 0)


def _operator_code(model, index: int) -> tuple[str, int, str]:
    code = model.OperatorCodes(index)
    builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())  # the schema keeps small codes in both fields
    if builtin == _CUSTOM:
        name = (code.CustomCode() or b"?").decode()
        return name, code.Version(), "flex" if name.startswith("Flex") else "custom"
    return _BUILTIN_NAMES.get(builtin, f"BUILTIN_{builtin}"), code.Version(), "builtin"


def _metadata_entries(model) -> dict[str, bytes]:
    entries = {}
    for index in range(model.MetadataLength()):
        entry = model.Metadata(index)
        buffer = model.Buffers(entry.Buffer())
        entries[entry.Name().decode()] = buffer.DataAsNumpy().tobytes() if buffer.DataLength() else b""
    return entries


def inspect(path: Path) -> Inspection:
    model = _model(path)
    counts: Counter = Counter()
    for graph_index in range(model.SubgraphsLength()):
        graph = model.Subgraphs(graph_index)
        for op_index in range(graph.OperatorsLength()):
            counts[graph.Operators(op_index).OpcodeIndex()] += 1
    operators = []
    for index in range(model.OperatorCodesLength()):
        name, version, kind = _operator_code(model, index)
        operators.append(Operator(name=name, count=counts[index], version=version, kind=kind))
    entries = _metadata_entries(model)
    minimum = entries.get("min_runtime_version", b"").rstrip(b"\0").decode() or None
    metadata = json.loads(entries[METADATA_NAME]) if METADATA_NAME in entries else None
    notes: tuple[str, ...] = ()
    if any(o.kind == "flex" for o in operators):
        notes = ("needs TensorFlow Select ops (Flex delegate): the runtime must be linked with them",)
    return Inspection(format="tflite", size_bytes=path.stat().st_size, format_version=f"TFLite schema v{model.Version()}",
                      min_runtime_version=minimum, operators=tuple(operators), metadata=metadata, notes=notes)


def embed_metadata(path: Path, metadata: dict) -> None:
    """Add the harness's metadata as a named entry in the model's metadata table, which runtimes ignore."""
    model = schema.ModelT.InitFromPackedBuf(path.read_bytes(), 0)
    if any(getattr(b, "offset", 0) > 1 for b in model.buffers or []):
        raise ValueError("weights stored outside the flatbuffer (models over 2 GB) are not rewritten")
    payload = schema.BufferT()
    payload.data = np.frombuffer(json.dumps(metadata, sort_keys=True).encode(), dtype=np.uint8)
    model.buffers.append(payload)
    entry = schema.MetadataT()
    entry.name, entry.buffer = METADATA_NAME, len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name not in (METADATA_NAME, METADATA_NAME.encode())]
    model.metadata.append(entry)
    import flatbuffers

    builder = flatbuffers.Builder(path.stat().st_size + 4096)
    builder.Finish(model.Pack(builder), file_identifier=FILE_IDENTIFIER)
    path.write_bytes(builder.Output())


def delegation(path: Path, inspection: Inspection, delegate: str) -> Delegation:
    """Which nodes the host's LiteRT hands to XNNPACK, read from the interpreter's graph after delegation."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = OpResolverType.AUTO if delegate == "xnnpack" else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    interpreter = Interpreter(model_path=str(path), experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    nodes = interpreter._get_ops_details()
    originals = {n["index"]: n for n in nodes if n["op_name"] != "DELEGATE"}
    covered = _delegated_nodes(originals, [n for n in nodes if n["op_name"] == "DELEGATE"])
    fallback = sorted({n["op_name"] for index, n in originals.items() if index not in covered})
    return Delegation(delegate=delegate, total_nodes=len(originals), delegated_nodes=len(covered),
                      fallback_operators=tuple(fallback))


def _delegated_nodes(originals: dict[int, dict], delegate_nodes: list[dict]) -> set[int]:
    """A delegate node replaces a convex partition: walk back from its outputs to its inputs."""
    producer = {int(t): index for index, node in originals.items() for t in node["outputs"]}
    covered: set[int] = set()
    for node in delegate_nodes:
        boundary = {int(t) for t in node["inputs"]}
        pending = [int(t) for t in node["outputs"]]
        while pending:
            tensor = pending.pop()
            index = producer.get(tensor)
            if tensor in boundary or index is None or index in covered:
                continue
            covered.add(index)
            pending.extend(int(t) for t in originals[index]["inputs"] if t >= 0)
    return covered


def input_signature(path: Path) -> tuple[TensorSpec, ...]:
    from ai_edge_litert.interpreter import Interpreter

    details = Interpreter(model_path=str(path)).get_input_details()
    return tuple(TensorSpec(tuple(int(n) for n in d["shape"]), harness_dtype(d["dtype"].__name__, path))
                 for d in details)


def incompatibility(inspection: Inspection, limits: RuntimeLimits, device: str) -> str | None:
    """The converter records the lowest runtime version its operator versions need, in TensorFlow's numbering."""
    needed, available = inspection.min_runtime_version, limits.tflite_version
    if needed and available and newer_version(needed, available):
        newest = ", ".join(f"{op.name} v{op.version}" for op in inspection.operators if (op.version or 1) > 1)
        return (f"the model needs TFLite runtime {needed} or newer (operator versions: "
                f"{newest or 'see harness inspect'}); {device} has {available}")
    return None


READER = FormatFunctions(inspect, embed_metadata, delegation, input_signature, incompatibility)

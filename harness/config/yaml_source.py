"""Read YAML keeping each node's line, so validation errors can name file, line and key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import ConfigError
from harness.names import SAFE_NAME, SAFE_NAME_RULE
from harness.registry import suggest

MAX_YAML_BYTES = 1 << 20  # 1 MiB
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 100_000
ABSOLUTE_PATH = r"^(/[\w.-]*[\w-][\w.-]*)+$"  # no '.' or '..' steps, nothing a shell would read
PATTERN_RULES = {SAFE_NAME: SAFE_NAME_RULE,
                 ABSOLUTE_PATH: "an absolute path of letters, digits, '_', '.' and '-', without '.' or '..' steps"}


@dataclass(frozen=True)
class YamlSource:
    path: Path
    text: str
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """The 1-based line of the deepest node that ``loc`` reaches."""
        node, line = self.root, None
        for key in loc:
            if node is None:
                break
            line = node.start_mark.line + 1
            node = _child(node, key)
        return node.start_mark.line + 1 if node is not None else line


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(key):
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def read_yaml(path: Path) -> YamlSource:
    """Read a small YAML file, refusing what a hand-written configuration never holds: bytes that are not
    UTF-8, more than MAX_YAML_BYTES, nesting deeper than MAX_YAML_DEPTH, more than MAX_YAML_NODES values
    (aliases counted as expanded) and a key given twice in one mapping."""
    text = _read_text(path)
    try:
        _check_depth(text, path)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            _check_tree(root, path)
        data = yaml.SafeLoader("").construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"invalid YAML: {problem}", file=str(path), line=mark.line + 1 if mark else None) from None
    return YamlSource(path, text, data, root)


def _read_text(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", file=str(path)) from None
    if len(raw) > MAX_YAML_BYTES:
        raise ConfigError(f"larger than {MAX_YAML_BYTES // 1024} KiB; expected a hand-written YAML file", file=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise ConfigError(f"byte 0x{raw[error.start]:02x} at offset {error.start} is not UTF-8; expected UTF-8 text",
                          file=str(path), line=line) from None


def _check_depth(text: str, path: Path) -> None:
    """Nesting is counted on the event stream, which PyYAML reads without recursing."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ConfigError(f"nested deeper than {MAX_YAML_DEPTH} levels", file=str(path),
                                  line=event.start_mark.line + 1 if event.start_mark else None)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_tree(root: yaml.Node, path: Path) -> None:
    """Walk the composed nodes (aliases expanded) without recursing: size, depth, and keys given twice."""
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    count = 0
    while stack:
        node, loc = stack.pop()
        count += 1
        if count > MAX_YAML_NODES or len(loc) > MAX_YAML_DEPTH:
            limit = f"more than {MAX_YAML_NODES} values" if count > MAX_YAML_NODES else f"deeper than {MAX_YAML_DEPTH} levels"
            raise ConfigError(f"{limit} once aliases are expanded", file=str(path), line=node.start_mark.line + 1)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*loc, i)) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key_node.tag != "tag:yaml.org,2002:merge":
                    if key in first_line:
                        raise ConfigError(f"key given twice (first on line {first_line[key]}); expected each key once",
                                          file=str(path), line=key_node.start_mark.line + 1,
                                          key=_dotted((*loc, key)))
                    first_line[key] = key_node.start_mark.line + 1
                stack.append((key_node, loc))
                stack.append((value_node, (*loc, key if key is not None else "?")))


def validate(source: YamlSource, model: type[BaseModel]) -> BaseModel:
    """Validate with pydantic; the first problem becomes one ConfigError line."""
    if not isinstance(source.data, dict):
        raise ConfigError("expected a mapping at the top level", file=str(source.path), line=1)
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        raise _config_error(source, error, model) from None


def _config_error(source: YamlSource, error: ValidationError, model: type[BaseModel]) -> ConfigError:
    # A misspelled key shows up as both an unknown key and a missing one; the unknown key is the cause.
    first = min(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = tuple(part for part in first["loc"] if not _is_union_tag(part))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        hint = suggest(str(loc[-1]), sorted(_field_names(model)))
        message = "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
    elif first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] == "string_pattern_mismatch":
        pattern = str((first.get("ctx") or {}).get("pattern"))
        message = f"{first['input']!r} is not allowed: expected {PATTERN_RULES.get(pattern, f'text matching {pattern}')}"
    more = error.error_count() - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(message, file=str(source.path), line=source.line_of(loc), key=_dotted(loc) or None)


def _field_names(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for kind in _nested_models(field.annotation):
            names |= _field_names(kind)
    return names


def _nested_models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [kind for arg in getattr(annotation, "__args__", ()) or () for kind in _nested_models(arg)] + [
        kind for arg in getattr(annotation, "__metadata__", ()) or () for kind in _nested_models(arg)]


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds the union member's type name ("str", "UserModelEntry", "list[int]") to the location.
    return isinstance(part, str) and (part[:1].isupper() or "[" in part or part in {"str", "int", "float"})


def _dotted(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text

"""Load curated YAML safely, keeping the line of every value for error messages.

Why not ``yaml.safe_load``: it silently keeps the last of two duplicate keys, turns unquoted
dates into ``datetime.date`` objects, expands aliases (a "billion laughs" file can eat memory)
and forgets where each value came from. Here the file is *composed* into nodes by PyYAML's C
parser (no object is ever constructed from a tag), then walked once to build plain ``dict``,
``list``, ``str``, ``int``, ``float``, ``bool`` and ``None`` values plus a map from the path of
each value to its 1-based line. Lines cost no second parse.

Rejected, each as :class:`~coopkg.errors.RecordError` naming file and line:
syntax errors, duplicate keys, non-string keys, any explicit or unknown tag (``!!python/object``,
``!foo``, ``!!binary``, ``!!set``), aliases (``*a``) and merge keys (``<<``), unquoted
timestamps (dates must be quoted strings), and more than one document.

Also rejected: plain (unquoted) values that YAML readers do not agree on. PyYAML implements YAML
1.1, where ``012`` is octal 10, ``9:30`` is the base-60 number 570, ``1_000`` is 1000 and ``no``
is false; a YAML 1.2 reader (editors, linters, other languages) sees 12, text, text and text, and
reads ``1e3`` or ``09`` as numbers where PyYAML keeps text. The same file must not mean two things,
so any such value must be quoted (text) or written as a plain decimal number / ``true`` / ``false``.

>>> data, lines = loads("a: 1\\nb:\\n  - x\\n  - y\\n", "t.yaml")
>>> data
{'a': 1, 'b': ['x', 'y']}
>>> lines[("b", 1)]
4
>>> loads("a: 1\\na: 2\\n", "t.yaml")
Traceback (most recent call last):
...
coopkg.errors.RecordError: t.yaml:2: a: duplicate key 'a' (first at line 1)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coopkg.errors import Location, RecordError

try:  # the C parser is ~10x faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader with a memoised implicit-tag resolver.

    Why: even with the C parser, PyYAML resolves every scalar's tag in Python by trying regular
    expressions in turn; at national scale (1.4 million scalars) that was a quarter of load time.
    Data files repeat the same short values (kinds, levels, dates, roles) constantly. We have no
    path resolvers, so descending and ascending are no-ops.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _resolve(kind, value, tuple(implicit) if isinstance(implicit, list) else implicit)


@lru_cache(maxsize=1 << 16)
def _resolve(kind: Any, value: Any, implicit: Any) -> str:
    tag = yaml.resolver.Resolver.resolve(_RESOLVER, kind, value, implicit)
    plain = kind is yaml.ScalarNode and isinstance(implicit, tuple) and implicit[0]
    return _AMBIGUOUS if plain and _ambiguous(tag, value) else tag


_RESOLVER = yaml.resolver.Resolver()

Path_ = tuple[str | int, ...]
LineMap = dict[Path_, int]

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"}
#: the tag :func:`_resolve` gives a plain scalar whose meaning depends on the YAML version
_AMBIGUOUS = "coopkg:ambiguous"
# the only plain forms accepted as numbers and booleans: both YAML versions read them alike
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+][0-9]+)?|[-+]?(?:0|[1-9][0-9]*)\.")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# YAML 1.2 core schema numbers (spec 1.2.2, section 10.3.2), for text that YAML 1.1 keeps as a string
_YAML12_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_YAML12_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def _ambiguous(tag: str, text: str) -> bool:
    """True when plain ``text``, resolved by YAML 1.1 to ``tag``, is not read alike by YAML 1.2."""
    if tag == _T + "int":
        return not _DECIMAL_INT.fullmatch(text)
    if tag == _T + "float":
        return not _DECIMAL_FLOAT.fullmatch(text)  # also refuses .inf and .nan: no field wants them
    if tag == _T + "bool":
        return text not in _BOOLS
    if tag == _T + "str" and text[:1] in "0123456789+-.":
        return bool(_YAML12_INT.fullmatch(text) or _YAML12_FLOAT.fullmatch(text))
    return False


def _yaml12(text: str) -> Any:
    """What a YAML 1.2 core-schema reader makes of a plain scalar (for error messages only)."""
    if _YAML12_INT.fullmatch(text):
        return int(text[2:], 8 if text[1] == "o" else 16) if text[:2] in ("0o", "0x") else int(text)
    if _YAML12_FLOAT.fullmatch(text):
        return float(text)
    return _BOOLS.get(text, text)


def _ambiguity(text: str) -> str:
    """Why plain ``text`` is refused, with both readings and what to write instead."""
    yaml11 = yaml.safe_load(text)
    yaml12 = _yaml12(text)
    if type(yaml11) is type(yaml12) and yaml11 == yaml12:
        readings = f"YAML reads it as {yaml11!r}, but only plain decimal numbers are accepted"
    else:
        readings = f"YAML 1.1 (PyYAML) reads it as {yaml11!r}, YAML 1.2 as {yaml12!r}"
    other = "true or false" if isinstance(yaml11, bool) else "a plain decimal number"
    return f'ambiguous unquoted value {text!r}: {readings}; write "{text}" (quoted) for text, or {other}'


def load(path: Path, display: str | None = None) -> tuple[Any, LineMap]:
    """Read and parse ``path``; ``display`` is the name used in error messages.

    :raises RecordError: on any problem listed in the module docstring, or an unreadable file.
    """
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(Location(name, 1), f"cannot read file: {exc}") from exc
    return loads(text, name)


def loads(text: str, name: str) -> tuple[Any, LineMap]:
    """Parse YAML ``text``; ``name`` is the file name used in error messages."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise RecordError(Location(name, line), f"YAML error: {exc.problem or exc}") from exc
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise RecordError(Location(name, line), f"YAML syntax error: {exc.problem}") from exc
        except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
            raise RecordError(Location(name, 1), f"YAML error: {exc}") from exc
    finally:
        loader.dispose()
    lines: LineMap = {}
    if node is None:
        return None, lines
    walker = _Walker(name, lines)
    return walker.value(node, ()), lines


class _Walker:
    """Turns a composed node tree into plain values, recording lines, refusing anything unsafe."""

    def __init__(self, name: str, lines: LineMap) -> None:
        self.name = name
        self.lines = lines
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, path: Path_, problem: str) -> RecordError:
        return RecordError(Location(self.name, node.start_mark.line + 1, _field(path)), problem)

    def value(self, node: yaml.Node, path: Path_) -> Any:
        if id(node) in self.seen:
            line = self.lines.get(path, node.start_mark.line + 1)
            raise RecordError(
                Location(self.name, line, _field(path)), "YAML aliases (*name) are not allowed; write the value out"
            )
        self.seen.add(id(node))
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _T + "map":
                raise self.fail(node, path, f"YAML tag {node.tag!r} is not allowed")
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _T + "seq":
                raise self.fail(node, path, f"YAML tag {node.tag!r} is not allowed")
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        previous: tuple[str, yaml.Node] | None = None
        for key_node, value_node in node.value:
            if node.flow_style and _split_by_comma(key_node, value_node):
                raise self.fail(key_node, (*path, key_node.value), _comma_fix(key_node.value, previous))
            if key_node.tag == _T + "merge":
                raise self.fail(key_node, path, "YAML merge keys (<<) are not allowed")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _T + "str":
                raise self.fail(key_node, path, "keys must be plain strings")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in first:
                raise self.fail(key_node, (*path, key), f"duplicate key {key!r} (first at line {first[key]})")
            first[key] = line
            self.lines[(*path, key)] = line
            out[key] = self.value(value_node, (*path, key))
            previous = (key, value_node)
        return out

    def scalar(self, node: yaml.Node, path: Path_) -> Any:
        tag = node.tag
        if tag == _AMBIGUOUS:
            raise self.fail(node, path, _ambiguity(node.value))
        if tag == _T + "timestamp":
            raise self.fail(node, path, f'dates must be quoted strings: write "{node.value}"')
        if tag not in _SCALAR_TAGS:
            raise self.fail(node, path, f"YAML tag {tag!r} is not allowed")
        text = node.value
        if tag == _T + "str":
            return text
        if _resolve(yaml.ScalarNode, text, (True, False)) != tag:  # explicit, as in ``!!int 012``
            raise self.fail(node, path, f"YAML tag {tag!r} is not allowed")
        if tag == _T + "null":
            return None
        if tag == _T + "bool":
            return _BOOLS[text]
        if tag == _T + "int":
            return int(text)
        return float(text)


def _field(path: Path_) -> str:
    """``a.b[0].c``: the field notation of :mod:`coopkg.records.load`'s messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _split_by_comma(key: yaml.Node, value: yaml.Node) -> bool:
    """A bare word with no ``:`` after it inside ``{…}``: what a comma in an unquoted value makes."""
    return (
        isinstance(key, yaml.ScalarNode)
        and not key.style  # plain: '' from the C parser, None from the Python one
        and isinstance(value, yaml.ScalarNode)
        and value.tag == _T + "null"
        and value.value == ""
    )


def _comma_fix(word: str, previous: tuple[str, yaml.Node] | None) -> str:
    if previous is not None and isinstance(previous[1], yaml.ScalarNode):
        key, value = previous[0], previous[1].value
        return (
            f"a comma inside {{…}} ends a value, so {word!r} became a field of its own; "
            f'quote the whole value: {key}: "{value}, {word}"'
        )
    return f"a comma inside {{…}} separates fields, so {word!r} has no value; quote a value that contains a comma"


def line_of(lines: LineMap, path: Path_) -> int:
    """Line of ``path`` or, failing that, of its nearest recorded ancestor (1 when none)."""
    for cut in range(len(path), -1, -1):
        line = lines.get(path[:cut])
        if line is not None:
            return line
    return 1

"""Say what is wrong with a record in the curator's terms, and how to fix it.

Why: pydantic's messages describe its own machinery ("Input should be a valid string",
``figures[0].value.int``, ``note.function-after[_clean_text(), str]``). The common YAML pitfalls
behind them have a one-line fix — quote a number that is meant as text, write digits unquoted
where a number is meant, write a mapping where one is expected — and the message says it.
"""

from __future__ import annotations

import re
from typing import Any

#: location parts pydantic adds for union members and validator wrappers (not field names); a
#: model member of a union is named by its class (``RelativeDate``), and field names are lowercase
_TAG = re.compile(
    r"(int|float|str|bool|none|list|dict|function|constrained|literal|is-instance|lax|strict|json)\b.*|[A-Z]\w*"
)


def field_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """``loc`` without pydantic's union and validator tags (``value.int`` -> ``value``)."""
    return tuple(p for p in loc if isinstance(p, int) or not _TAG.fullmatch(str(p)))


def first_error(errors: list[Any]) -> Any:
    """The error to report of one failed validation: the first, unless it only says that a value
    does not have the type of one branch of a union and a later error on the same field says what
    is wrong in the branch it does fit (``kind: [a, a]`` is a list, so "'a' is listed twice", not
    "expected text")."""
    first = errors[0]
    if not str(first["type"]).endswith("_type"):
        return first
    path = field_path(tuple(first["loc"]))
    for err in errors[1:]:
        here = field_path(tuple(err["loc"]))
        if here[: len(path)] == path and not str(err["type"]).endswith("_type"):
            return err
    return first


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def problem(err: dict[str, Any]) -> str:
    """The message for one pydantic error (``ValidationError.errors()`` item)."""
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        return f"unknown field {field_path(err['loc'])[-1]!r}"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_type":
        if value is None:
            return 'has no value; if it came from a comma inside {…}, quote the whole value: en: "Metro Hotel, Hohhot"'
        if isinstance(value, bool | int | float):
            return f'expected text, got {_shown(value)}; quote the value as written: "{_shown(value)}"'
        if isinstance(value, dict | list):
            return f"expected text, got a {'mapping' if isinstance(value, dict) else 'list'}"
    if kind in ("int_type", "float_type", "int_parsing", "float_parsing", "int_from_float"):
        if isinstance(value, str):
            return f"expected a number, got the text {value!r}; write digits without quotes (value: 12)"
        if kind == "int_from_float" or isinstance(value, float):
            return f"expected a whole number, got {_shown(value)}"
    if kind == "dict_type":
        return f"expected a mapping such as {{en: …, zh: …}}, got {_shown(value)}"
    if kind == "list_type":
        return f"expected a list such as [a, b], got {_shown(value)}; write [{_shown(value)}] for one item"
    return str(err["msg"]).removeprefix("Value error, ")

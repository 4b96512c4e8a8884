"""Result messages: the shape's own ``sh:message`` (templated), or one made from the constraint.

SHACL 2.1.5 lets a message name the focus node, the value node, the path and the constraint's
parameters as ``{$name}`` or ``{?name}``; they are replaced here by the terms in N-Triples-like
form. A shape without ``sh:message`` gets a generated message that names the component and its
parameters, as pySHACL's do; the words differ from pySHACL's, so the engines are compared on
everything but the message where a shape has none.

>>> render("{$this} has {?value}, needs {$minCount}", {"this": ox.NamedNode("http://x/a"),
...        "value": ox.Literal("3"), "minCount": 5})
'<http://x/a> has "3", needs 5'
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from coopkg.check.shacl_model import Constraint, PathExpr, Shape, Term, show_path

_VAR = re.compile(r"\{[$?]([A-Za-z_][A-Za-z0-9_]*)\}")

_DEFAULTS = {
    "ClassConstraintComponent": "Value is not an instance of {$class}",
    "DatatypeConstraintComponent": "Value is not a well-formed literal of datatype {$datatype}",
    "NodeKindConstraintComponent": "Value is not of node kind {$nodeKind}",
    "MinExclusiveConstraintComponent": "Value is not greater than {$minExclusive}",
    "MinInclusiveConstraintComponent": "Value is not greater than or equal to {$minInclusive}",
    "MaxExclusiveConstraintComponent": "Value is not less than {$maxExclusive}",
    "MaxInclusiveConstraintComponent": "Value is not less than or equal to {$maxInclusive}",
    "MinLengthConstraintComponent": "Value is shorter than {$minLength} characters",
    "MaxLengthConstraintComponent": "Value is longer than {$maxLength} characters",
    "PatternConstraintComponent": "Value does not match the pattern {$pattern}",
    "LanguageInConstraintComponent": "Value's language tag is not one of {$languageIn}",
    "InConstraintComponent": "Value is not one of {$in}",
    "NodeConstraintComponent": "Value does not conform to the shape {$node}",
    "NotConstraintComponent": "Value conforms to the shape {$not}",
    "AndConstraintComponent": "Value does not conform to every shape of sh:and",
    "OrConstraintComponent": "Value does not conform to any shape of sh:or",
    "XoneConstraintComponent": "Value does not conform to exactly one shape of sh:xone",
    "MinCountConstraintComponent": "Fewer than {$minCount} values on {$this} for {$path}",
    "MaxCountConstraintComponent": "More than {$maxCount} values on {$this} for {$path}",
    "HasValueConstraintComponent": "Missing the value {$hasValue} on {$this}",
    "UniqueLangConstraintComponent": "More than one value with the same language tag on {$this} for {$path}",
    "QualifiedMinCountConstraintComponent": "Fewer than {$qualifiedMinCount} values conform to {$qualifiedValueShape}",
    "QualifiedMaxCountConstraintComponent": "More than {$qualifiedMaxCount} values conform to {$qualifiedValueShape}",
    "EqualsConstraintComponent": "Value is not in both {$path} and {$equals}",
    "DisjointConstraintComponent": "Value is in both {$path} and {$disjoint}",
    "LessThanConstraintComponent": "Value is not less than the values of {$lessThan}",
    "LessThanOrEqualsConstraintComponent": "Value is not less than or equal to the values of {$lessThanOrEquals}",
    "SPARQLConstraintComponent": "A solution of the SPARQL constraint {$sparql}",
    "ClosedConstraintComponent": "Predicate {$path} is not allowed on {$this} (closed shape)",
}


def pick(messages: list[ox.Literal]) -> ox.Literal | None:
    """The one message a one-message result keeps: untagged first, then English, then the first."""
    if not messages:
        return None
    for m in messages:
        if not m.language:
            return m
    return next((m for m in messages if m.language.lower().startswith("en")), messages[0])


def messages(
    shape: Shape, c: Constraint, focus: Term, value: Term | None, path: PathExpr | None, own: tuple = ()
) -> list[ox.Literal]:
    """Every message of one result (one per language the shape gives), templated; ``own``: the
    messages a SHACL-SPARQL result brings, used as they are."""
    if own:
        return list(own)
    bindings: dict[str, Any] = {
        k: v for k, v in c.params.items() if k not in ("kinds", "regex", "tags", "members", "query")
    }
    bindings.update(this=focus, focusNode=focus, value=value, path=path or shape.path)
    given = shape.messages or [ox.Literal(_DEFAULTS.get(c.component, f"Does not conform to <{c.iri}>"))]
    return [render_literal(m, bindings) for m in given]


def render_literal(message: ox.Literal, bindings: dict[str, Any]) -> ox.Literal:
    """A message literal templated by :func:`render`, keeping its language tag."""
    text = render(message.value, bindings)
    return ox.Literal(text, language=message.language) if message.language else ox.Literal(text)


def render(template: str, bindings: dict[str, Any]) -> str:
    """Replace each ``{$name}`` / ``{?name}`` that ``bindings`` has; leave the others as written."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in bindings or bindings[name] is None:
            return m.group(0)
        return _show(bindings[name])

    return _VAR.sub(one, template)


def _show(v: Any) -> str:
    if isinstance(v, tuple):  # a path
        return show_path(v)
    if isinstance(v, ox.NamedNode):
        return f"<{v.value}>"
    if isinstance(v, ox.BlankNode):
        return "a blank node"
    if isinstance(v, ox.Literal):
        return f'"{v.value}"' + (f"@{v.language}" if v.language else "")
    if isinstance(v, list):
        return "(" + " ".join(_show(x) for x in v) + ")"
    return str(v)

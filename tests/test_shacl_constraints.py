"""The tables of SHACL Core components (coopkg.check.shacl_constraints) drive the compiler: every
entry's parameter compiles to its component, in the right list; what the tables say about a
parameter (one value, property shapes only) is what the compiler enforces; and together they cover
SHACL Core."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopkg.check.shacl_compile import compile_shapes
from coopkg.check.shacl_constraints import FOCUS, PROPERTY_ONLY, SINGLE, VALUE, component
from coopkg.check.shacl_model import Shape
from coopkg.errors import InputError

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
#: a value each table parameter accepts, and another one (for the single-value check)
SAMPLES = {
    "class": ("ex:C", "ex:D"),
    "datatype": ("xsd:string", "xsd:integer"),
    "nodeKind": ("sh:IRI", "sh:Literal"),
    "minExclusive": ("1", "2"),
    "minInclusive": ("1", "2"),
    "maxExclusive": ("1", "2"),
    "maxInclusive": ("1", "2"),
    "minLength": ("1", "2"),
    "maxLength": ("1", "2"),
    "flags": ('"i"', '"m"'),
    "pattern": ('"a"', '"b"'),
    "languageIn": ('("en")', '("zh")'),
    "in": ("(ex:a)", "(ex:b)"),
    "node": ("ex:T", "ex:U"),
    "not": ("ex:T", "ex:U"),
    "and": ("(ex:T)", "(ex:U)"),
    "or": ("(ex:T)", "(ex:U)"),
    "xone": ("(ex:T)", "(ex:U)"),
    "minCount": ("1", "2"),
    "maxCount": ("1", "2"),
    "hasValue": ("ex:a", "ex:b"),
    "uniqueLang": ("true", "false"),
    "equals": ("ex:q", "ex:r"),
    "disjoint": ("ex:q", "ex:r"),
    "lessThan": ("ex:q", "ex:r"),
    "lessThanOrEquals": ("ex:q", "ex:r"),
    "closed": ("true", "false"),
    "qualifiedValueShape": ("ex:T", "ex:U"),
}
#: what a table parameter activates, where it is not the component of its own name
ACTIVATES = {"flags": set(), "qualifiedValueShape": {"QualifiedMinCountConstraintComponent"}}
#: SHACL 4's constraint components; sh:property is the compiler's own (a shape's property shapes)
SHACL_CORE = {
    *(f"{n}ConstraintComponent" for n in ("Class", "Datatype", "NodeKind", "MinCount", "MaxCount")),
    *(f"{n}ConstraintComponent" for n in ("MinExclusive", "MinInclusive", "MaxExclusive", "MaxInclusive")),
    *(f"{n}ConstraintComponent" for n in ("MinLength", "MaxLength", "Pattern", "LanguageIn", "UniqueLang")),
    *(f"{n}ConstraintComponent" for n in ("Equals", "Disjoint", "LessThan", "LessThanOrEquals")),
    *(f"{n}ConstraintComponent" for n in ("Not", "And", "Or", "Xone", "Node", "Property")),
    *(f"{n}ConstraintComponent" for n in ("QualifiedMinCount", "QualifiedMaxCount", "Closed", "HasValue", "In")),
}


def _compile(body: str) -> Shape:
    triples = [
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(PREFIXES + body, format=ox.RdfFormat.TURTLE)
    ]
    (shape,) = [s for s in compile_shapes([triples]) if s.rule == "http://example.org/S"]
    return shape


def _property_shape(key: str, *values: str) -> str:
    extra = " ; sh:qualifiedMinCount 1" if key == "qualifiedValueShape" else ""
    return f"ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:{key} {', '.join(values)}{extra} ."


def test_the_tables_cover_shacl_core() -> None:
    """Each component is named after the parameter that activates it, but for sh:flags (read by
    sh:pattern) and the qualified counts (read by sh:qualifiedValueShape); sh:property's component
    is the compiler's own."""
    named = {component(key) for key in [*VALUE, *FOCUS]}
    named -= {"FlagsConstraintComponent", "QualifiedValueShapeConstraintComponent"}
    named |= {"QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"}
    assert named | {"PropertyConstraintComponent"} == SHACL_CORE
    assert SAMPLES.keys() == {*VALUE, *FOCUS}


@pytest.mark.parametrize("key", [*VALUE, *FOCUS])
def test_each_parameter_compiles_to_its_component_in_its_list(key: str) -> None:
    shape = _compile(_property_shape(key, SAMPLES[key][0]))
    compiled = shape.value_constraints if key in VALUE else shape.focus_constraints
    other = shape.focus_constraints if key in VALUE else shape.value_constraints
    assert {c.component for c in compiled} == ACTIVATES.get(key, {component(key)})
    assert other == []


@pytest.mark.parametrize("key", sorted(SINGLE & SAMPLES.keys()))
def test_a_second_value_of_a_single_valued_parameter_is_refused(key: str) -> None:
    with pytest.raises(InputError, match=f"more than one sh:{key}$"):
        _compile(_property_shape(key, *SAMPLES[key]))


@pytest.mark.parametrize("key", sorted(SAMPLES.keys() - SINGLE))
def test_a_parameter_that_takes_several_values_compiles_each(key: str) -> None:
    shape = _compile(_property_shape(key, *SAMPLES[key]))
    assert len(shape.value_constraints + shape.focus_constraints) == 2


@pytest.mark.parametrize("key", sorted(PROPERTY_ONLY & SAMPLES.keys()))
def test_a_node_shape_ignores_parameters_of_property_shapes(key: str) -> None:
    shape = _compile(_property_shape(key, SAMPLES[key][0]).replace(" ; sh:path ex:p", ""))
    assert shape.value_constraints == shape.focus_constraints == []


def test_sh_flags_must_be_a_literal_even_without_sh_pattern() -> None:
    with pytest.raises(InputError, match="sh:flags must be a literal"):
        _compile("ex:S sh:targetNode ex:a ; sh:flags ex:i .")


def test_sh_ignored_properties_is_read_only_with_sh_closed_true() -> None:
    assert _compile("ex:S sh:targetNode ex:a ; sh:closed false ; sh:ignoredProperties ex:x .").focus_constraints == []
    with pytest.raises(InputError, match="sh:ignoredProperties must be a well-formed RDF list"):
        _compile("ex:S sh:targetNode ex:a ; sh:closed true ; sh:ignoredProperties ex:x .")

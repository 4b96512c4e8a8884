"""A SPARQL 1.1 tokenizer that reads a query the way Oxigraph's parser does, for the endpoint's checks.

The checks in ``serve_guard`` (``SERVICE``, nesting, ``FROM``) must see the query exactly as the engine
that runs it: a second parser with other rules is a way around them (issue 25: rdflib ends a ``#``
comment only at LF, Oxigraph also at CR, so ``#\\r SERVICE`` was a comment to the check and a
``SERVICE`` call to the engine). The terminals here are those of the SPARQL 1.1 grammar as written in
Oxigraph's ``spargebra`` (the PEG grammar of pyoxigraph 0.5), including its differences from the
spec: whitespace is only space, tab, CR and LF; a comment runs to the first CR or LF; ``\\u`` escapes
are read only inside IRIs and strings; a prefixed name's local part takes at most one run of dots.

One thing in SPARQL's lexical grammar depends on context: ``<`` is the less-than operator right
after an operand inside an expression (``FILTER(?a<?b)``) and starts an IRI anywhere else. Oxigraph
decides it by where its parser is; this tokenizer keeps the small stack of open brackets needed to
decide it the same way (:class:`Tokens`), which also gives the nesting depth. Scanning is one pass of
one regular expression, linear in the length of the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)  # PN_CHARS_BASE as Oxigraph has it (no characters beyond U+FFFF)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"
PREFIX = rf"[{_BASE}][{_CHARS}]*(?:\.+[{_CHARS}]+)*"
LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\.+(?:[{_CHARS}:]|{_PLX})+)?"
VARNAME = rf"[0-9{_U}][0-9{_U}\u00b7\u0300-\u036f\u203f-\u2040]*"

# the order of the alternatives is the grammar's where two terminals can start alike (long strings
# before short ones, DOUBLE before DECIMAL before INTEGER, a prefixed name before a bare keyword)
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<space>(?:[ \t\r\n]|#[^\r\n]*)+)",
            rf"(?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"
            rf'|"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'
            rf"|'(?:[^'\\\r\n]|{_ECHAR}|{_UCHAR})*'"
            rf'|"(?:[^"\\\r\n]|{_ECHAR}|{_UCHAR})*")',
            rf"(?P<var>[?$]{VARNAME})",
            rf"(?P<bnode>_:[0-9{_U}][{_CHARS}]*(?:\.+[{_CHARS}]+)*)",
            rf"(?P<pname>(?:{PREFIX})?:(?:{LOCAL})?)",
            r"(?P<word>[A-Za-z][A-Za-z0-9_]*)",
            r"(?P<number>(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)",
            r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|>>|[{}()\[\].,;*/|^+\-!=<>?~])",
        ]
    )
)
_IRIREF = re.compile(rf'<(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>')

OPERAND_ENDS = frozenset({"var", "string", "number", "langtag", "iri", "pname"})
EXPRESSION, DATA, GROUP, VALUES, BRACKET, REIFIED = "expression", "data", "group", "values", "bracket", "reified"
# after these words the clauses of that level hold no triple patterns: every ( there is an expression
QUERY_FORMS = frozenset({"select", "construct", "describe", "ask", "group", "order", "having"})
NOT_FUNCTIONS = frozenset({"a", "true", "false", "undef", "values"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # string, var, bnode, pname, word, number, langtag, iri, punct, other
    start: int
    end: int
    text: str


class Tokens:
    """Iterate over the tokens of a query (whitespace and comments left out); ``max_depth`` is the
    deepest nesting of ``{ } ( ) [ ] << >>`` seen so far.

    >>> [t.text for t in Tokens("SELECT * { ?s ?p ?o #\\r FILTER(?a<?b) }")]
    ['SELECT', '*', '{', '?s', '?p', '?o', 'FILTER', '(', '?a', '<', '?b', ')', '}']
    >>> [t.kind for t in Tokens("SELECT * { ?s <p> (1 <o>) }")][3:]
    ['var', 'iri', 'punct', 'number', 'iri', 'punct', 'punct']
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.max_depth = 0
        # one entry per open bracket: its kind, and for a brace whether it holds a query form's clauses
        self._stack: list[list[str]] = []
        self._top_mode = ""  # the same for the text outside every brace
        self._prev: Token | None = None
        self._before_prev: Token | None = None
        self._closed_values = False  # the last bracket closed was VALUES' list of variables

    # ----------------------------------------------------------------------------- context
    def _mode(self) -> str:
        for entry in reversed(self._stack):
            if entry[0] in (GROUP, VALUES):
                return entry[1]
        return self._top_mode

    def _set_mode(self, mode: str) -> None:
        for entry in reversed(self._stack):
            if entry[0] in (GROUP, VALUES):
                entry[1] = mode
                return
        self._top_mode = mode

    @property
    def in_data(self) -> bool:
        """Whether the last token is inside VALUES rows or a collection (terms only, no operators)."""
        return bool(self._stack) and self._stack[-1][0] in (VALUES, DATA)

    def _in_expression(self) -> bool:
        return bool(self._stack) and self._stack[-1][0] == EXPRESSION

    def _operand_ended(self) -> bool:
        prev = self._prev
        if prev is None:
            return False
        if prev.kind == "word":
            return prev.text.lower() in ("true", "false")
        return prev.kind in OPERAND_ENDS or (prev.kind == "punct" and prev.text == ")")

    def _paren_kind(self) -> str:
        """Whether a ``(`` opens an expression (where ``<`` can be less-than) or data (a collection, VALUES)."""
        top = self._stack[-1][0] if self._stack else None
        prev, before = self._prev, self._before_prev
        if top == EXPRESSION:
            return EXPRESSION  # a nested bracket, an argument list, IN (...)
        if top in (VALUES, DATA, REIFIED) or (prev is not None and prev.text.lower() == "values"):
            return DATA
        if prev is not None and prev.kind == "word" and prev.text.lower() not in NOT_FUNCTIONS:
            return EXPRESSION  # FILTER(, BIND(, a built-in call, SELECT DISTINCT (, ORDER BY ASC(
        function = prev is not None and prev.kind in ("iri", "pname")
        if function and before is not None and before.text.lower() == "filter":
            return EXPRESSION  # FILTER <function>(...)
        if self._mode():
            return EXPRESSION  # a projection or a solution modifier: no triples at this level
        return DATA  # a collection in a triple pattern

    def _open(self, kind: str) -> None:
        if kind == GROUP and self._values_pending():
            kind = VALUES
        self._stack.append([kind, ""])
        self.max_depth = max(self.max_depth, len(self._stack))

    def _values_pending(self) -> bool:
        """A ``{`` right after ``VALUES ?x`` or ``VALUES (?x ?y)`` holds data rows."""
        prev, before = self._prev, self._before_prev
        if prev is None:
            return False
        if prev.kind == "var" and before is not None and before.text.lower() == "values":
            return True
        return prev.text == ")" and self._closed_values

    def _close(self, kinds: tuple[str, ...]) -> None:
        self._closed_values = False
        if self._stack and self._stack[-1][0] in kinds:
            entry = self._stack.pop()
            self._closed_values = entry[0] == DATA and entry[1] == "values-vars"

    # ----------------------------------------------------------------------------- scanning
    def __iter__(self) -> Iterator[Token]:
        text, n, pos = self.text, len(self.text), 0
        match = _TOKEN.match
        while pos < n:
            if text[pos] == "<":
                token = self._angle(pos)
            else:
                m = match(text, pos)
                if m is None:
                    token = Token("other", pos, pos + 1, text[pos])
                elif m.lastgroup == "space":
                    pos = m.end()
                    continue
                else:
                    token = Token(m.lastgroup or "other", pos, m.end(), m.group())
            self._track(token)
            pos = token.end
            yield token

    def _angle(self, pos: int) -> Token:
        text = self.text
        if self._in_expression() and self._operand_ended():
            end = pos + 2 if text.startswith("<=", pos) else pos + 1
            return Token("punct", pos, end, text[pos:end])
        if text.startswith("<<", pos):
            return Token("punct", pos, pos + 2, "<<")
        m = _IRIREF.match(text, pos)
        if m:
            return Token("iri", pos, m.end(), m.group())
        end = pos + 2 if text.startswith("<=", pos) else pos + 1
        return Token("punct", pos, end, text[pos:end])

    def _track(self, token: Token) -> None:
        if token.kind == "punct":
            t = token.text
            if t == "{":
                self._open(GROUP)
            elif t == "}":
                self._close((GROUP, VALUES))
            elif t == "(":
                kind = self._paren_kind()
                self._open(kind)
                if kind == DATA and self._prev is not None and self._prev.text.lower() == "values":
                    self._stack[-1][1] = "values-vars"
            elif t == ")":
                self._close((EXPRESSION, DATA))
            elif t == "[":
                self._open(BRACKET)
            elif t == "]":
                self._close((BRACKET,))
            elif t == "<<":
                self._open(REIFIED)
            elif t == ">>":
                self._close((REIFIED,))
        elif token.kind == "word":
            lower = token.text.lower()
            if lower in QUERY_FORMS:
                self._set_mode(lower)
        self._before_prev, self._prev = self._prev, token

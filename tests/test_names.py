"""Names say their role: no two modules of ``src/coopkg`` share a file name, and no two modules
define a public top-level class or function of one name, unless the pair is parallel by design.

Why: ``build.py`` in three packages, or four classes called ``Entry``, make a reader (and a
search) land on the wrong one; an import of the wrong ``render`` still type-checks. A pair that is
parallel by design (a CLI module that is the command face of the library module of its name, the
``main`` of a runnable module) is listed below with its reason; the list must stay exact, so an
entry goes when its pair does and a third module joining a pair fails too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "coopkg"

#: file name -> the modules (paths below ``src/coopkg``) that may share it, and why
PARALLEL_MODULES: dict[str, tuple[frozenset[str], str]] = {
    "lookup.py": (frozenset({"cli/lookup.py", "records/lookup.py"}), "`coopkg lookup`, the command face of the lookup"),
    "release.py": (
        frozenset({"cli/release.py", "release/release.py"}),
        "`coopkg release`, the command face of releasing",
    ),
    "schema.py": (frozenset({"cli/schema.py", "records/schema.py"}), "`coopkg schema`, the command face of the schema"),
}

#: public name -> the modules that may each define it, and why
PARALLEL_NAMES: dict[str, tuple[frozenset[str], str]] = {
    "main": (
        frozenset({"cli/main.py", "records/fielddocs.py", "serve/worker.py"}),
        "the entry point of a runnable module (`coopkg`, `python -m`, the query worker process)",
    ),
}


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.name != "__init__.py")


def module_collisions(root: Path) -> dict[str, frozenset[str]]:
    """File name -> the modules below ``root`` that have it, for names more than one has."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for path in _modules(root):
        by_name[path.name].add(path.relative_to(root).as_posix())
    return {name: frozenset(paths) for name, paths in by_name.items() if len(paths) > 1}


def public_definitions(source: str) -> set[str]:
    """Names of the top-level classes and functions of ``source`` without a leading underscore."""
    defs = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {n.name for n in ast.parse(source).body if isinstance(n, defs) and not n.name.startswith("_")}


def name_collisions(root: Path) -> dict[str, frozenset[str]]:
    """Public name -> the modules below ``root`` that define it, for names more than one defines."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for path in _modules(root):
        for name in public_definitions(path.read_text(encoding="utf-8")):
            by_name[name].add(path.relative_to(root).as_posix())
    return {name: frozenset(paths) for name, paths in by_name.items() if len(paths) > 1}


def unexplained(found: dict[str, frozenset[str]], allowed: dict[str, tuple[frozenset[str], str]]) -> list[str]:
    """One line per collision the allowlist does not hold exactly, and per stale allowlist entry."""
    problems = []
    for name, paths in sorted(found.items()):
        if name not in allowed:
            problems.append(f"{name}: {', '.join(sorted(paths))}")
        elif allowed[name][0] != paths:
            problems.append(f"{name}: {', '.join(sorted(paths))} (allowed: {', '.join(sorted(allowed[name][0]))})")
    problems += [f"{name}: allowed but no longer shared" for name in sorted(allowed.keys() - found.keys())]
    return problems


def test_no_two_modules_share_a_file_name() -> None:
    assert unexplained(module_collisions(PACKAGE), PARALLEL_MODULES) == []


def test_no_two_modules_define_one_public_name() -> None:
    assert unexplained(name_collisions(PACKAGE), PARALLEL_NAMES) == []


def test_every_allowance_says_why() -> None:
    for name, (paths, reason) in {**PARALLEL_MODULES, **PARALLEL_NAMES}.items():
        assert len(paths) > 1 and reason.strip(), name


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_checker_finds_shared_file_names(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"a/__init__.py": "", "b/__init__.py": "", "a/cache.py": "", "b/cache.py": "", "a/x.py": ""})
    assert module_collisions(root) == {"cache.py": frozenset({"a/cache.py", "b/cache.py"})}
    assert unexplained(module_collisions(root), {}) == ["cache.py: a/cache.py, b/cache.py"]
    allowed = {"cache.py": (frozenset({"a/cache.py", "b/cache.py"}), "parallel")}
    assert unexplained(module_collisions(root), allowed) == []


def test_checker_finds_shared_public_names(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "a.py": "class Entry: ...\ndef render(): ...\ndef _own(): ...\nx = 1\n",
            "b.py": "def Entry(): ...\nasync def render(): ...\ndef _own(): ...\ndef f():\n    def inner(): ...\n",
            "c.py": "class Other:\n    def render(self): ...\nx = 1\n",
        },
    )
    assert name_collisions(root) == {"Entry": frozenset({"a.py", "b.py"}), "render": frozenset({"a.py", "b.py"})}


def test_checker_rejects_a_third_module_and_a_stale_allowance(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"a.py": "def main(): ...\n", "b.py": "def main(): ...\n", "c.py": "def main(): ...\n"})
    allowed = {
        "main": (frozenset({"a.py", "b.py"}), "entry points"),
        "gone": (frozenset({"a.py", "c.py"}), "was parallel"),
    }
    assert unexplained(name_collisions(root), allowed) == [
        "main: a.py, b.py, c.py (allowed: a.py, b.py)",
        "gone: allowed but no longer shared",
    ]

"""The package's layers (pyproject.toml ``[tool.importlinter]``) hold: no module imports upward,
and no two modules of one layer import each other in a circle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_import_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_runtime_package_ships_no_benchmark_tooling() -> None:
    package = ROOT / "src" / "coopkg"
    names = {p.stem for p in package.rglob("*.py")}
    assert "synth" not in names
    text = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
    for test_only in ("def run_rdflib", "def body_via_dumps", "def iter_union"):
        assert test_only not in text, f"{test_only} is test-only reference code; it lives in tests/"

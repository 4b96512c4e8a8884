"""The CLI: help for every command, README coverage, exact errors, one real subprocess run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import coopkg
from conftest import load
from coopkg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"coopkg {command}" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`coopkg {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_first_screen_has_exactly_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:40])
    blocks = first_screen.split("```sh\n")[1:]
    commands = [b.split("```")[0].strip() for b in blocks]
    assert len(commands) == 2
    assert commands[0].endswith("coopkg build")
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_stats_json_counts_match_the_dataset(dataset) -> None:
    result = CliRunner().invoke(cli, ["stats", "--format", "json"])
    assert result.exit_code == 0
    st = json.loads(result.output)
    assert st["triples"] == len(dataset.triples)
    assert sum(st["graphs"].values()) == len(dataset.quads)
    assert st["sources"]["000_ae355af3523134a3"]["Agreement"] == 2
    assert st["classes"]["Region"] >= 30


def test_stats_table_is_readable() -> None:
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 0
    assert "Per source report" in result.output
    assert "000_ae355af3523134a3" in result.output


def test_unknown_base_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["stats", "--base", "ftp:/x"])
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for --base: base IRI must be an absolute http(s) IRI ending in / or #: 'ftp:/x'"
        in result.output
    )


def test_validate_json_and_turtle_formats() -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["validate", "--format", "json"])
    doc = json.loads(out.output)
    assert set(doc["counts"]) == {"violation", "warning", "info"}
    ttl = runner.invoke(cli, ["validate", "--format", "turtle"])
    assert "sh:ValidationReport" in ttl.output


@pytest.mark.slow
def test_real_subprocess_build(tmp_path: Path) -> None:
    """The installed console script, as a user runs it (not CliRunner)."""
    exe = Path(sys.executable).with_name("coopkg")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "coopkg"]
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.run(
        [*cmd, "build", "--no-site", "--out", str(tmp_path / "dist")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dist" / "coopkg.ttl").stat().st_size > 1000
    assert "SHA256SUMS" in proc.stdout
    bad = subprocess.run(
        [*cmd, "validate", "--data", str(tmp_path / "nowhere")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: no data files under")


def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    from coopkg.progress import Stages

    quiet = CliRunner().invoke(cli, ["build", "--no-site", "--out", str(tmp_path / "d")])
    assert quiet.exit_code == 0
    assert "✓" not in quiet.output  # CliRunner's stderr is not a terminal
    shown = Stages(enabled=True)
    with shown.stage("load records"):
        pass
    assert set(shown.timings) == {"load records"}


def test_the_cache_folder_comes_from_coopkg_cache_unless_given(small_copy: Path, tmp_path: Path) -> None:
    env = {"COOPKG_CACHE": str(tmp_path / "from-env")}
    built = CliRunner().invoke(
        cli, ["build", "--data", str(small_copy), "--out", str(tmp_path / "d"), "-q", "--no-site"], env=env
    )
    assert built.exit_code == 0, built.output
    assert (tmp_path / "from-env" / "build").is_dir()
    given = [
        "build",
        "--data",
        str(small_copy),
        "--out",
        str(tmp_path / "e"),
        "-q",
        "--no-site",
        "--cache",
        str(tmp_path / "opt"),
    ]
    assert CliRunner().invoke(cli, given, env=env).exit_code == 0
    assert (tmp_path / "opt" / "build").is_dir()
    help_text = CliRunner().invoke(cli, ["query", "--help"]).output
    assert "COOPKG_CACHE" in help_text


def test_build_prints_the_count_of_warnings_and_infos_and_the_first_few(small_copy: Path, tmp_path: Path) -> None:
    reference = small_copy / "reference" / "institutions.yaml"
    reference.write_text(
        reference.read_text(encoding="utf-8")
        + '  - id: test-chinese-only-hospital\n    name: {zh: 测试医院}\n    kind: hospital\n    region: "130000"\n',
        encoding="utf-8",
    )
    cache = ["--cache", str(tmp_path / "cache")]  # not the test process's cache of the shipped data
    result = CliRunner().invoke(
        cli, ["build", "--data", str(small_copy), "--no-site", "--out", str(tmp_path / "d"), *cache]
    )
    assert result.exit_code == 0, result.output
    report = coopkg.validate(coopkg.build_dataset(load(small_copy)))
    counts = report.counts()
    assert counts["warning"] >= 1 and counts["info"] > 5
    line = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
    assert f"validation: {line}" in result.output
    shown = [s.strip() for s in result.output.splitlines() if s.strip().startswith(("WARNING:", "INFO:"))]
    assert shown == [r.text() for r in report.results[:5]]
    assert shown[0].startswith("WARNING:") and "test-chinese-only-hospital" in shown[0]
    assert f"and {len(report.results) - 5} more: 'coopkg validate'" in result.output
    quiet = CliRunner().invoke(
        cli, ["build", "--data", str(small_copy), "--no-site", "--out", str(tmp_path / "q"), "-q", *cache]
    )
    assert quiet.exit_code == 0 and quiet.output == ""

"""``coopkg synth``: write a synthetic national-scale data folder (see :mod:`coopkg.synth`).

Kept out of :mod:`coopkg.cli` so the generator only loads when asked for; ``register`` adds the
command to the group.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from .synth import FAULT_KINDS, SCALES, synthesize


def register(cli: click.Group) -> None:
    """Add ``synth`` to ``cli``."""

    @cli.command(name="synth")
    @click.option(
        "--scale",
        type=click.Choice(list(SCALES)),
        required=True,
        help="About how many triples coopkg build will make (tiny is for tests).",
    )
    @click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
    @click.option(
        "-o",
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        required=True,
        help="Data folder to write (new, empty, or one synth wrote before).",
    )
    @click.option(
        "--faults",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help=f"Plant this many validation violations ({', '.join(FAULT_KINDS)}, in turn).",
    )
    @click.option("--measure", is_flag=True, help="Also load and build the folder and print the real count.")
    def synth_cmd(scale: str, seed: int, out: Path, faults: int, measure: bool) -> None:
        """Write synthetic records of national scale into OUT, in the data/ format.

        Regions (34 provinces, prefectures and counties with six-digit codes), institutions of
        every kind, and one sources/<id>.yaml per synthetic report with people, agreements,
        events, programmes and figures. Not real facts: for benchmarks and tests.

        \b
        Example:
            coopkg synth --scale 100k --seed 1 --out /tmp/synth
            coopkg build --data /tmp/synth --out /tmp/synth-dist
            coopkg synth --scale 10k --out /tmp/bad --faults 5 && coopkg validate --data /tmp/bad
        """
        start = time.perf_counter()
        summary = synthesize(scale, seed, out, faults=faults)
        seconds = time.perf_counter() - start
        parts = ", ".join(f"{n:,} {name}" for name, n in summary.counts.items())
        click.echo(f"wrote {summary.files} files to {out}/ in {seconds:.1f} s: {parts}")
        click.echo(f"coopkg build will make {summary.triples:,} triples (counted while writing)")
        if measure:
            from .build import build
            from .load import load_records

            start = time.perf_counter()
            ds = build(load_records(out))
            seconds = time.perf_counter() - start
            click.echo(f"measured: {len(ds.triples):,} triples after load + build ({seconds:.1f} s)")
        for fault in summary.faults:
            click.echo(f"fault {fault.kind}: {' '.join(f'<{iri}>' for iri in fault.focus)} in {fault.file}")

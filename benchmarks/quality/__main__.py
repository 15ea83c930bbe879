"""How right the engine's proposals are, on a set of Klaten needs labelled by a programme person.

    python -m benchmarks.quality [--set PATH] [--baseline-ref REF]

One full pass over the labelled set (benchmarks/quality/klaten.toml), scored against the labels:
precision@1, recall, false proposals at any rank, honest gaps; then stability: (a) a full pass
right after incremental matches, (b) a full pass after an unrelated import of 100 interventions.
Prints the figures, a table of the needs answered wrongly (what engineers read) and the targets.
``--baseline-ref 6860163`` also runs the same benchmark on the engine as it was at that git ref
(its ``graph/`` exported to a temporary directory and put first on the path of a subprocess)
and prints both columns side by side. benchmarks/quality/README.md defines every figure and
says how to read and extend the set.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import graph
from benchmarks.quality.labelled import DEFAULT_SET, LabelledSet, load, ref_of
from benchmarks.quality.metrics import Shown, Verdict, is_false, primary_right
from benchmarks.quality.runs import (
    UNRELATED,
    Pass,
    after_incremental,
    after_unrelated_import,
    config_for,
    full_pass,
    supports_incumbents,
)

ROOT = Path(__file__).resolve().parents[2]
TARGET_PRECISION = 0.95
TARGET_IMPORT_SHARE = 0.02
WIDTH = 40
Figures = dict[str, Any]


def measure(labelled: LabelledSet) -> tuple[Figures, Pass]:
    """Every figure of this engine on ``labelled`` (a JSON-able dict), and the full pass."""
    config = config_for(labelled)
    done = full_pass(labelled, config)
    figures: Figures = {
        "engine": str(Path(graph.__file__).resolve().parent),
        "incumbents": supports_incumbents(),
        **done.scores.figures(),
        "incremental": after_incremental(labelled, config).figures(),
        "unrelated_import": after_unrelated_import(labelled, config).figures(),
    }
    return figures, done


def baseline(ref: str, set_path: Path) -> Figures:
    """The figures of the engine at git ``ref``: its ``graph/`` exported to a temporary
    directory, which a subprocess of this module finds before the working tree's."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "graph"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="quality-baseline-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)])}
        run = subprocess.run(
            [sys.executable, "-m", "benchmarks.quality", "--set", str(set_path), "--json"],
            cwd=tmp,  # the current directory comes first on a module's path
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise SystemExit(f"the benchmark at {ref} failed:\n{run.stderr}")
        figures: Figures = json.loads(run.stdout)
        if not Path(figures["engine"]).is_relative_to(Path(tmp).resolve()):
            raise SystemExit(f"the run at {ref} used {figures['engine']}, not the exported engine")
    figures["engine"] = f"git {ref}"
    return figures


# --- printing --------------------------------------------------------------------------------


def _ratio(value: float, right: int, total: int) -> str:
    return f"{value:.2f} ({right}/{total})" if total else "n/a (0/0)"


def _change(c: Mapping[str, Any]) -> str:
    return f"{c['changed']}/{c['places']} ({c['share']:.1%})"


ROWS: tuple[tuple[str, Callable[[Figures], str]], ...] = (
    ("precision@1", lambda f: _ratio(f["precision_at_1"], f["right_primaries"], f["with_primary"])),
    ("recall", lambda f: _ratio(f["recall"], f["answered_right"], f["needs"])),
    ("false proposals (any rank)", lambda f: str(f["false_proposals"])),
    ("honest gaps (nobody-needs)", lambda f: f"{f['honest_gaps']}/{f['nobody_needs']}"),
    ("stability (a) after incremental", lambda f: _change(f["incremental"])),
    ("  of which primaries", lambda f: str(f["incremental"]["primaries_changed"])),
    (f"stability (b) +{UNRELATED} unrelated", lambda f: _change(f["unrelated_import"])),
    ("  of which primaries", lambda f: str(f["unrelated_import"]["primaries_changed"])),
    ("incumbents passed", lambda f: "yes" if f["incumbents"] else "not supported"),
)


def print_figures(columns: list[tuple[str, Figures]]) -> None:
    print("  " + " " * WIDTH + "".join(f"{name:>22}" for name, _ in columns))
    for label, cell in ROWS:
        print(f"  {label:<{WIDTH}}" + "".join(f"{cell(f):>22}" for _, f in columns))


def print_moved(f: Figures) -> None:
    """The places a stability scenario changed: need, rank, what was shown and what came."""

    def side(text: str) -> str:
        kind, _, ident = text.partition(":")
        return text if not ident else ref_of("O" if kind == "offer" else "P", int(ident))

    for key, name in (("incremental", "(a)"), ("unrelated_import", "(b)")):
        moved = f[key]["moved"]
        if moved:
            places = ", ".join(
                f"{ref_of('N', n)} rank {k}: {side(a)} -> {side(b)}" for n, k, a, b in moved
            )
            for n, line in enumerate(textwrap.wrap(f"stability {name} moved {places}", 94)):
                print(f"  {'' if n == 0 else '  '}{line}")


def targets(f: Figures) -> list[tuple[bool, str]]:
    return [
        (
            f["precision_at_1"] >= TARGET_PRECISION,
            f"precision@1 >= 0.95: {f['precision_at_1']:.2f}",
        ),
        (f["false_proposals"] == 0, f"false proposals 0: {f['false_proposals']}"),
        (
            f["honest_gaps"] == f["nobody_needs"],
            f"every nobody-need a gap or a right person: {f['honest_gaps']}/{f['nobody_needs']}",
        ),
        (
            f["incremental"]["changed"] == 0,
            f"(a) full pass after incremental, 0 changes: {f['incremental']['changed']}",
        ),
        (
            f["unrelated_import"]["share"] <= TARGET_IMPORT_SHARE,
            f"(b) unrelated import <= 2 % changed: {f['unrelated_import']['share']:.1%}",
        ),
    ]


class Describe:
    """Refs and short descriptions of the set's records, for the table engineers read."""

    def __init__(self, labelled: LabelledSet) -> None:
        self.labelled = labelled
        self.villages = {v.code: v.name for v in labelled.villages}
        self.kecamatan = {k.code: k.name for k in labelled.kecamatan}
        self.offers = {o.id: o for o in labelled.offers}
        self.people = {p.id: p for p in labelled.people}

    def side(self, p: Shown) -> str:
        if p.kind == "offer":
            o = self.offers.get(p.side_id)
            if o is None:
                return f"{ref_of('O', p.side_id)} (not in the set)"
            return f"{ref_of('O', o.id)} {o.title} [{', '.join(o.skills)}; {self.offer_place(o)}]"
        person = self.people.get(p.side_id)
        if person is None:
            return f"{ref_of('P', p.side_id)} (not in the set)"
        home = self.place(person.home_village) if person.home_village else "-"
        return (
            f"{ref_of('P', person.id)} {person.name} (person; {', '.join(person.skills)}; {home})"
        )

    def offer_place(self, o: Any) -> str:
        if len(o.kecamatan) == len(self.kecamatan):
            return "whole regency"
        names = [f"Kec. {self.kecamatan[k]}" for k in o.kecamatan]
        names += sorted({self.place(v) for v in o.villages})
        return ", ".join(names)

    def place(self, village: str) -> str:
        return f"{self.kecamatan[village[:8]]}/{self.villages[village]}"


def print_wrong(labelled: LabelledSet, done: Pass) -> None:
    """Every need answered wrongly or shown something it must never see: the need, what was
    shown at each rank and what is wrong with it, the label, and the label's reason."""
    d = Describe(labelled)
    by_need: dict[int, list[Shown]] = {}
    for p in done.shown:
        by_need.setdefault(p.need_id, []).append(p)
    needs = {n.id: n for n in labelled.needs}
    wrong = [v for v in done.scores.verdicts if not v.right or v.false]
    print(f"wrong answers: {len(wrong)} of {done.scores.needs} needs")
    for v in wrong:
        need = needs[v.need_id]
        label = labelled.labels[v.need_id]
        where = d.place(need.village) if need.village else f"Kec. {d.kecamatan[need.kecamatan]}"
        print(f"  {ref_of('N', need.id)} {need.title} [{', '.join(need.skills)}; {where}]")
        for line in _shown_lines(v, by_need.get(v.need_id, []), label, d):
            print(f"      {line}")
        print(f"      label  {_label_text(label)}")
        for n, line in enumerate(textwrap.wrap(label.why, 92)):
            print(f"      {'why' if n == 0 else '':<6} {line}")


def _shown_lines(v: Verdict, mine: list[Shown], label: Any, d: Describe) -> list[str]:
    if not mine:
        return ["shown  gap" if v.gap else "shown  nothing (no proposal and no gap)"]
    lines: list[str] = []
    for n, p in enumerate(sorted(mine)):
        if is_false(label, p):
            mark = "NEVER"
        elif p.rank == 1:
            mark = "right" if primary_right(label, p) else "wrong"
        else:
            mark = "alt"
        lines.append(f"{'shown' if n == 0 else '':<6} {p.rank} {mark:<5} {d.side(p)}")
    return lines


def _label_text(label: Any) -> str:
    def refs(kind: str, ids: frozenset[int]) -> list[str]:
        return [ref_of(kind, i) for i in sorted(ids)]

    ok = refs("O", label.acceptable_offers) + refs("P", label.acceptable_persons)
    never = refs("O", label.never_offers) + refs("P", label.never_persons)
    text = (
        ("nobody (a gap)" + (f", or {', '.join(ok)}" if ok else ""))
        if label.nobody
        else (f"acceptable {', '.join(ok)}")
    )
    return text + (f"; never {', '.join(never)}" if never else "")


def describe_set(labelled: LabelledSet) -> str:
    nobody = sum(1 for label in labelled.labels.values() if label.nobody)
    return (
        f"{len(labelled.needs)} needs over {len(labelled.kecamatan_of_needs())} kecamatan "
        f"({nobody} that no offer can meet), {len(labelled.offers)} offers, "
        f"{len(labelled.people)} facilitators, {len(labelled.programs)} programs, "
        f"{len(labelled.interventions)} interventions"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the labelled set (TOML)")
    parser.add_argument(
        "--baseline-ref", metavar="REF", help="also measure the engine at this git ref"
    )
    parser.add_argument(
        "--json", action="store_true", help="print only the figures, as JSON (used by the baseline)"
    )
    args = parser.parse_args(argv)
    set_path = args.set.resolve()
    labelled = load(set_path)
    if args.json:
        print(json.dumps(measure(labelled)[0]))
        return 0
    print(f"quality on {set_path.relative_to(ROOT) if set_path.is_relative_to(ROOT) else set_path}")
    print(f"  {describe_set(labelled)}")
    sys.stdout.flush()
    columns: list[tuple[str, Figures]] = []
    if args.baseline_ref:
        columns.append((f"before ({args.baseline_ref})", baseline(args.baseline_ref, set_path)))
    after, done = measure(labelled)
    columns.append(("after (working tree)" if columns else "working tree", after))
    print()
    print_figures(columns)
    print_moved(after)
    print()
    print_wrong(labelled, done)
    print()
    print("targets" + (" (working tree)" if args.baseline_ref else ""))
    for ok, text in targets(after):
        print(f"  {'met   ' if ok else 'MISSED'} {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

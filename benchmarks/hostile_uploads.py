"""Time and memory of refusing hostile uploads, beside a normal 2,000-row workbook read in full.

    python -m benchmarks.hostile_uploads [--budget 60] [--code DIR] [--only NAME ...]

Issue 12: a 26 KB XLSX padded to column XFD held a web worker for 30 s and +262 MB, a 414 KB
file of ten million shared strings did the same, and ``titiktemu import --dry-run`` of the
first took 73 s and 837 MB. The files are built here as the tests build them
(``harness/hostile_files.py``), plus zip bombs that lie about their size or tell the truth, a
zip of 200,000 empty parts and a CSV row of a million columns. Each is measured twice, every
time in a fresh process:

- *reader*: ``read_upload`` with the settings' limits, the work the upload page and the API
  do in a web worker before anything is stored;
- *dry run*: ``titiktemu import FILE --dry-run`` (the command's own code, in process through
  Flask's CLI runner) on a SQLite database made once with ``titiktemu db upgrade``.

The file is built in the parent and written to a temporary folder; the child imports
everything, loads the file and says it is ready, then does the one thing. Its time is measured
in the child; its extra memory is the rise of its peak resident set (``VmHWM``, which the parent
samples every 20 ms, so a child stopped at ``--budget`` seconds still has a figure) over the
peak at ready. The baseline is the normal workbook read side by side: each hostile file's
figures are given as a ratio of it. Targets: every hostile file refused in < 2 s with
< 100 MB extra RSS, both ways.

``--code DIR`` measures another checkout (the children run there, with this file and
``harness/hostile_files.py`` copied in when missing), for a before/after; a child that has not
finished after ``--budget`` seconds is stopped and shown as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from harness import hostile_files as hostile

TARGET_S: Final = 2.0
TARGET_MB: Final = 100.0
SAMPLE_S: Final = 0.02
MEMORY_CAP: Final = 4 << 30
ROOT: Final = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    filename: str
    build: Callable[[], bytes]
    hostile: bool = True


def _wide_csv() -> bytes:
    """A ``needs`` CSV whose one data row has a million (empty) columns: 1 MB."""
    return b"email,title,skills,village,needed_from\n" + b"," * 1_000_000 + b"\n"


CASES: Final = [
    Case(
        "normal",
        "normal workbook, 2,000 rows",
        "programs.xlsx",
        lambda: hostile.normal_workbook(2_000, "programs"),
        hostile=False,
    ),
    Case("padded", "rows padded to column XFD", "needs.xlsx", hostile.padded_to_xfd),
    Case("strings", "10 million shared strings", "needs.xlsx", hostile.shared_strings),
    Case(
        "strings-2m",
        "2 million shared strings (34 MB)",
        "needs.xlsx",
        lambda: hostile.shared_strings(2_000_000),
    ),
    Case("lying", "zip bomb lying: 1 KB said, 400 MB", "needs.xlsx", hostile.lying_bomb),
    Case("honest", "zip bomb: styles of 200 MB", "needs.xlsx", hostile.honest_bomb),
    Case("tight", "zip bomb: styles of 90 MB", "needs.xlsx", lambda: hostile.honest_bomb(90 << 20)),
    Case("parts", "zip of 200,000 empty parts", "needs.xlsx", hostile.many_parts),
    Case("wide-csv", "CSV row of a million columns", "needs.csv", _wide_csv),
]
MODES: Final = {"reader": "reader (the page and the API)", "dry-run": "titiktemu import --dry-run"}


@dataclass
class Figure:
    seconds: float
    extra_mb: float
    outcome: str
    finished: bool


# --- the child: one file, one way, then exit ------------------------------------------------


def _hwm_kb(pid: int | str = "self") -> int:
    """Peak resident memory of ``pid`` so far, in kB (``VmHWM``); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def child(mode: str, path: str) -> None:
    """Load the file, say ``ready``, do the one thing, say ``done`` with the time and outcome."""
    import openpyxl  # noqa: F401 - imported before ready: its import is not the work

    from titiktemu.imports.problems import Problems
    from titiktemu.imports.reading import Upload, read_upload
    from titiktemu.settings import Settings

    settings = Settings.from_env()
    limits = getattr(settings, "upload_limits", None)  # None: a checkout without limits
    data = Path(path).read_bytes()
    name = Path(path).name
    if mode == "dry-run":
        from web.app import create_app

        runner = create_app(settings).test_cli_runner()
    print(f"ready {_hwm_kb()}", flush=True)
    clock = time.perf_counter()
    if mode == "reader":
        problems = Problems()
        try:
            extra = (limits,) if limits is not None else ()
            sheets = read_upload(Upload(name, data), None, problems, *extra)
            rows = sum(len(s.rows) for s in sheets)
            outcome = f"read {rows:,} rows, {problems.count:,} problems"
        except Exception as exc:  # the refusal of this checkout, whatever its name
            outcome = f"refused {getattr(exc, 'status', '?')} {getattr(exc, 'code', type(exc))}"
    else:
        result = runner.invoke(args=["import", path, "--dry-run"])
        lines = [line for line in result.output.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        outcome = f"exit {result.exit_code}: {last[:60]}"
    seconds = time.perf_counter() - clock
    answer = {"seconds": seconds, "outcome": outcome, "hwm_kb": _hwm_kb()}
    print("done " + json.dumps(answer), flush=True)


# --- the parent --------------------------------------------------------------------------------


def measure(code: Path, env: dict[str, str], mode: str, path: Path, budget: float) -> Figure:
    """One child in ``code``: its own time, and its peak memory above its peak at ready."""
    command = [sys.executable, "-m", "benchmarks.hostile_uploads", "--child", mode, str(path)]
    process = subprocess.Popen(
        command,
        cwd=code,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=_cap_memory,  # the parent runs no threads, so this is safe
    )
    assert process.stdout is not None
    first = process.stdout.readline().split()
    if len(first) != 2 or first[0] != "ready":
        process.wait()
        raise RuntimeError(f"the child did not start: {first}")
    ready_kb = int(first[1])
    clock = time.perf_counter()
    peak_kb = ready_kb
    while process.poll() is None:
        peak_kb = max(peak_kb, _hwm_kb(process.pid))
        if time.perf_counter() - clock > budget:
            process.kill()
            process.wait()
            extra = (peak_kb - ready_kb) / 1024
            return Figure(
                time.perf_counter() - clock, extra, f"stopped after {budget:.0f} s", False
            )
        time.sleep(SAMPLE_S)
    rest = process.stdout.read()
    done = [line for line in rest.splitlines() if line.startswith("done ")]
    if not done:
        raise RuntimeError(f"the child failed (exit {process.returncode})")
    answer: dict[str, Any] = json.loads(done[-1][5:])
    # The samples may miss the last 20 ms: the child gives its own peak at the end.
    peak_kb = max(peak_kb, int(answer["hwm_kb"]))
    extra = max(0, peak_kb - ready_kb) / 1024
    return Figure(float(answer["seconds"]), extra, str(answer["outcome"]), True)


def _cap_memory() -> None:
    """At most MEMORY_CAP of address space: old code reading a bomb fails, it cannot take the
    machine's memory (and the other processes') with it."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _prepare(code: Path, tmp: Path) -> dict[str, str]:
    """The environment of every child: a SQLite database of its own, upgraded once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env.update(
        TITIKTEMU_INSTANCE_DIR=str(tmp),
        TITIKTEMU_DATABASE_URL=f"sqlite:///{tmp / 'hostile.db'}",
        PYTHONPATH=str(code),
    )
    script = Path(sys.executable).parent / "titiktemu"
    done = subprocess.run(
        [str(script), "db", "upgrade"], cwd=code, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"titiktemu db upgrade failed: {done.stderr[-500:]}")
    return env


def _bring(code: Path) -> None:
    """Copy this benchmark and the file builders into another checkout when it lacks them."""
    for relative in ("benchmarks/hostile_uploads.py", "harness/hostile_files.py"):
        target = code / relative
        if not target.exists():
            shutil.copyfile(ROOT / relative, target)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.0f} MB"


def _time(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.hostile_uploads", description=__doc__
    )
    parser.add_argument("--budget", type=float, default=60.0, help="seconds before a child stops")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--only", nargs="*", help="case names (normal is always measured)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    code = args.code.resolve()
    if code != ROOT:
        _bring(code)
    cases = [c for c in CASES if not args.only or c.name in args.only or not c.hostile]
    load = os.getloadavg()
    print("Titik Temu hostile uploads benchmark: each file refused before it is read")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}; load average {load[0]:.2f}"
    )
    print(f"code: {code}{' (this checkout)' if code == ROOT else ''}; budget {args.budget:.0f} s")
    _print_limits(code)
    print(
        "every figure from a fresh process: the file is built here, the child loads it, then "
        "is timed; extra RSS = peak after - peak at ready"
    )
    figures: dict[tuple[str, str], Figure] = {}
    with tempfile.TemporaryDirectory(prefix="titiktemu-hostile-") as folder:
        tmp = Path(folder)
        env = _prepare(code, tmp)
        paths = {}
        for case in cases:
            path = tmp / case.name / case.filename
            path.parent.mkdir()
            path.write_bytes(case.build())
            paths[case.name] = path
        for mode, title in MODES.items():
            print(f"\n{title}")
            print(f"  {'file':38}{'size':>10}{'time':>12}{'extra RSS':>12}   outcome")
            for case in cases:
                figure = measure(code, env, mode, paths[case.name], args.budget)
                figures[(case.name, mode)] = figure
                size = paths[case.name].stat().st_size
                shown = _time(figure.seconds) if figure.finished else f"> {args.budget:.0f} s"
                print(
                    f"  {case.label:38}{_size(size):>10}{shown:>12}"
                    f"{f'+{figure.extra_mb:,.0f} MB':>12}   {figure.outcome}"
                )
    _print_baseline(cases, figures)
    _print_targets(cases, figures)
    return 0


def _print_limits(code: Path) -> None:
    if code != ROOT:
        print("limits: those of that checkout, if any")
        return
    from titiktemu.settings import UploadLimits

    limits = UploadLimits()
    print(
        f"limits (defaults): {limits.max_unpacked_bytes >> 20} MB unpacked, ratio "
        f"{limits.max_ratio}, {limits.max_parts:,} parts, {limits.max_columns} columns, "
        f"{limits.max_rows:,} rows, {limits.max_cells:,} cells, "
        f"{limits.max_shared_strings:,} shared strings"
    )


def _print_baseline(cases: list[Case], figures: dict[tuple[str, str], Figure]) -> None:
    print("\nbaseline side by side: the normal workbook read in full, each hostile file against it")
    for mode in MODES:
        base = figures[("normal", mode)]
        parts = []
        for case in cases:
            if not case.hostile:
                continue
            figure = figures[(case.name, mode)]
            times = base.seconds / max(figure.seconds, 1e-6)
            word = f"{times:,.0f}x faster" if times >= 1 else f"{1 / times:,.1f}x slower"
            parts.append(f"{case.name} {word}" if figure.finished else f"{case.name} stopped")
        print(
            f"  {mode}: normal {_time(base.seconds)}, +{base.extra_mb:,.0f} MB | "
            + "; ".join(parts)
        )


def _print_targets(cases: list[Case], figures: dict[tuple[str, str], Figure]) -> None:
    print("\ntargets")
    for case in cases:
        if not case.hostile:
            continue
        shown = []
        met = True
        for mode in MODES:
            figure = figures[(case.name, mode)]
            refused = figure.finished and "refused" in figure.outcome.lower()
            ok = refused and figure.seconds < TARGET_S and figure.extra_mb < TARGET_MB
            met = met and ok
            when = _time(figure.seconds) if figure.finished else "stopped"
            read = "" if refused or not figure.finished else " (read, not refused)"
            shown.append(f"{mode} {when} +{figure.extra_mb:,.0f} MB{read}")
        verdict = "met   " if met else "missed"
        print(
            f"  {verdict} {case.label} refused in < {TARGET_S:.0f} s with < {TARGET_MB:.0f} MB "
            f"extra RSS: {'; '.join(shown)}"
        )


if __name__ == "__main__":
    raise SystemExit(main())

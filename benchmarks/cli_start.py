"""How long a ``titiktemu`` command takes to start, in fresh processes.

    python -m benchmarks.cli_start [--runs 15] [--code DIR]

Every operator command, every gunicorn worker and every test that runs the command pays the
start. Each case runs ``--runs`` times in a fresh interpreter (after one untimed run that leaves
bytecode behind, as an installed package has it; ``PYTHONDONTWRITEBYTECODE`` is dropped for the
children); median and worst are printed, and the ratio of the median to the interpreter's own
start (``python -c pass``), measured alternately with it. Target (issue 14): ``titiktemu --help``
under 1 s.

``--code DIR`` runs the same cases against another checkout (its code first on ``sys.path``,
this virtualenv's packages), for a before/after side by side.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
TARGET_S: Final = 1.0
MAIN: Final = "import sys; from web.cli import main; sys.argv[0] = 'titiktemu'; main()"
CASES: Final = {
    "python -c pass (the interpreter)": ["-c", "pass"],
    "titiktemu --help": ["-c", MAIN, "--help"],
    "titiktemu user --help": ["-c", MAIN, "user", "--help"],
    "web app built (a gunicorn worker, a command)": [
        "-c",
        "from web.app import create_app; create_app()",
    ],
}


def _env(code: Path, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(code)
    env["TITIKTEMU_INSTANCE_DIR"] = str(instance)
    return env


def _once(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], env=env, cwd=cwd, check=True, capture_output=True, timeout=120
    )
    return time.perf_counter() - start


def measure(code: Path, runs: int, instance: Path) -> dict[str, list[float]]:
    env = _env(code, instance)
    for args in CASES.values():
        _once(args, env, code)  # leaves bytecode behind, untimed
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(runs):  # alternate the cases, so a busy moment hits them all alike
        for name, args in CASES.items():
            times[name].append(_once(args, env, code))
    return times


def _report(label: str, times: dict[str, list[float]]) -> float:
    base = statistics.median(times["python -c pass (the interpreter)"])
    print(f"\n{label}")
    print(f"  {'case':<46} {'median':>8} {'worst':>8} {'x interpreter':>14}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<46} {median:>7.3f}s {max(values):>7.3f}s {median / base:>13.1f}x")
    return statistics.median(times["titiktemu --help"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--code", type=Path, help="another checkout, measured side by side")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print(f"{args.runs} runs of each case, fresh processes")
    instance = Path(os.environ.get("TMPDIR", "/tmp")) / f"titiktemu-cli-start-{os.getpid()}"
    instance.mkdir(parents=True, exist_ok=True)
    help_now = _report(f"this checkout ({ROOT})", measure(ROOT, args.runs, instance))
    if args.code is not None:
        before = _report(f"baseline ({args.code})", measure(args.code, args.runs, instance))
        print(f"\n  titiktemu --help: {before / help_now:.1f}x faster than the baseline")
    print("\ntargets")
    verdict = "met" if help_now < TARGET_S else "missed"
    print(f"  {verdict}: titiktemu --help starts in < {TARGET_S:.0f} s (median {help_now:.3f} s)")


if __name__ == "__main__":
    main()

"""Bar charts as SVG drawn on the server: no JavaScript, a few hundred bytes, printable."""

from __future__ import annotations

from dataclasses import dataclass

from titiktemu.exports.tables import Table, Value

WIDTH = 320
BAR = 10
GAP = 6
LABEL = 64


@dataclass(frozen=True)
class Bar:
    label: str
    planned: int
    done: int
    y: int
    planned_width: int
    done_width: int


@dataclass(frozen=True)
class Chart:
    """Planned and carried-out households per program, scaled to the largest."""

    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL


def _count(value: Value) -> int:
    return value if isinstance(value, int) else 0


def bar_chart(programs: Table) -> Chart:
    """From the reflection's per-program table: households planned (light) and reached (dark)."""
    column = {name: i for i, name in enumerate(programs.columns)}
    rows = [
        (
            str(r[column["program_code"]]),
            _count(r[column["households_planned"]]),
            _count(r[column["households_carried_out"]]),
        )
        for r in programs.rows
    ]
    top = max((planned for _label, planned, _done in rows), default=0) or 1
    room = WIDTH - LABEL - 40
    bars = [
        Bar(
            label,
            planned,
            done,
            i * (2 * BAR + GAP),
            round(room * planned / top),
            round(room * done / top),
        )
        for i, (label, planned, done) in enumerate(rows)
    ]
    return Chart(bars, max(1, len(bars)) * (2 * BAR + GAP))

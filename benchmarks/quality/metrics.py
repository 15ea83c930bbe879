"""The figures, from what the engine showed and what the labels accept; no engine in here.

Kept apart from running the engine so tests can feed them a hand-made result and check every
figure by hand: a benchmark that miscounts would report progress that is not there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmarks.quality.labelled import NeedLabel

NEED_KINDS = {"need_offer": "offer", "need_person": "person"}


@dataclass(frozen=True, order=True)
class Shown:
    """One need proposal as people would see it: the need, what is proposed, at which rank."""

    need_id: int
    rank: int
    kind: str  # "offer" | "person"
    side_id: int
    score: float = field(default=0.0, compare=False)


def shown(proposals: Iterable[Any]) -> list[Shown]:
    """The need proposals (either kind, any rank) of an engine result, sorted."""
    out: list[Shown] = []
    for p in proposals:
        kind = NEED_KINDS.get(p.kind)
        if kind is None:
            continue
        side = p.offer_id if kind == "offer" else p.person_id
        out.append(Shown(int(p.need_id), int(p.rank or 1), kind, int(side), float(p.score)))
    return sorted(out)


@dataclass(frozen=True)
class Verdict:
    """One need judged against its label."""

    need_id: int
    primary: Shown | None
    gap: bool
    right: bool  # the answer a programme person accepts (right primary, or gap/person if nobody)
    false: tuple[Shown, ...]  # proposals at any rank the label says must never appear


@dataclass(frozen=True)
class Scores:
    needs: int
    with_primary: int
    right_primaries: int
    answered_right: int
    false_proposals: int
    nobody_needs: int
    honest_gaps: int
    verdicts: tuple[Verdict, ...]

    @property
    def precision_at_1(self) -> float:
        return self.right_primaries / self.with_primary if self.with_primary else 0.0

    @property
    def recall(self) -> float:
        return self.answered_right / self.needs if self.needs else 0.0

    def figures(self) -> dict[str, float | int]:
        return {
            "needs": self.needs,
            "with_primary": self.with_primary,
            "right_primaries": self.right_primaries,
            "precision_at_1": self.precision_at_1,
            "answered_right": self.answered_right,
            "recall": self.recall,
            "false_proposals": self.false_proposals,
            "nobody_needs": self.nobody_needs,
            "honest_gaps": self.honest_gaps,
        }


def primary_right(label: NeedLabel, primary: Shown) -> bool:
    """A primary is right when the label accepts it; a nobody-need accepts only a person."""
    if primary.kind == "offer":
        return not label.nobody and primary.side_id in label.acceptable_offers
    return primary.side_id in label.acceptable_persons


def is_false(label: NeedLabel, proposal: Shown) -> bool:
    """Clearly wrong at any rank: an offer or person the label rules out, or any offer at all
    for a need no offer can honestly meet."""
    if proposal.kind == "offer":
        return label.nobody or proposal.side_id in label.never_offers
    return proposal.side_id in label.never_persons


def judge(
    labels: Mapping[int, NeedLabel], proposals: Iterable[Shown], gaps: Iterable[int]
) -> Scores:
    """Score one pass: ``proposals`` are the shown need proposals, ``gaps`` the need ids reported
    as gaps. Proposals and gaps for needs without a label are ignored."""
    by_need: dict[int, list[Shown]] = {}
    for p in proposals:
        by_need.setdefault(p.need_id, []).append(p)
    gap_ids = set(gaps)
    verdicts: list[Verdict] = []
    for need_id in sorted(labels):
        label = labels[need_id]
        mine = sorted(by_need.get(need_id, []))
        firsts = [p for p in mine if p.rank == 1]
        primary = min(firsts, key=lambda p: (p.kind != "offer", p.side_id)) if firsts else None
        gap = need_id in gap_ids
        # Without a primary, only a nobody-need reported as a gap is answered right.
        right = primary_right(label, primary) if primary is not None else label.nobody and gap
        false = tuple(p for p in mine if is_false(label, p))
        verdicts.append(Verdict(need_id, primary, gap, right, false))
    with_primary = [v for v in verdicts if v.primary is not None]
    nobody = [v for v in verdicts if labels[v.need_id].nobody]
    return Scores(
        needs=len(verdicts),
        with_primary=len(with_primary),
        right_primaries=sum(1 for v in with_primary if v.right),
        answered_right=sum(1 for v in verdicts if v.right),
        false_proposals=sum(len(v.false) for v in verdicts),
        nobody_needs=len(nobody),
        honest_gaps=sum(1 for v in nobody if v.right),
        verdicts=tuple(verdicts),
    )


@dataclass(frozen=True)
class Change:
    """How much a second pass moved what the first one showed."""

    changed: int  # (need, rank) places whose proposal differs, appeared or vanished
    places: int  # (need, rank) places shown in either pass
    primaries_changed: int
    needs: int
    #: Each changed place: (need id, rank, before, after), a side as "offer:12" or "-".
    moved: tuple[tuple[int, int, str, str], ...] = ()

    @property
    def share(self) -> float:
        return self.changed / self.places if self.places else 0.0

    def figures(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "places": self.places,
            "share": self.share,
            "primaries_changed": self.primaries_changed,
            "needs": self.needs,
            "moved": [list(m) for m in self.moved],
        }


def change(before: Iterable[Shown], after: Iterable[Shown]) -> Change:
    """Compare two passes place by place: the proposal at (need, rank) is the same when it
    proposes the same kind and side; a place shown in only one pass counts as changed."""
    first = {(p.need_id, p.rank): (p.kind, p.side_id) for p in before}
    second = {(p.need_id, p.rank): (p.kind, p.side_id) for p in after}
    places = set(first) | set(second)
    moved = sorted(key for key in places if first.get(key) != second.get(key))
    needs = {need for need, _ in places}

    def side(found: tuple[str, int] | None) -> str:
        return "-" if found is None else f"{found[0]}:{found[1]}"

    return Change(
        changed=len(moved),
        places=len(places),
        primaries_changed=sum(1 for _, rank in moved if rank == 1),
        needs=len(needs),
        moved=tuple((n, k, side(first.get((n, k))), side(second.get((n, k)))) for n, k in moved),
    )

"""The suggested path: per step of the person's needs, the structure the radar proposes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .parts import Entry, PathStep
from .person import NEEDS, Person

__all__ = ["JointStep", "joint_steps", "suggest_path"]


@dataclass(frozen=True)
class JointStep:
    """One step of the path as the person walks it: one structure (``entry_id``, ``None``
    when the radar has none) for one or more consecutive roles of one need."""

    need: str
    roles: tuple[str, ...]
    entry_id: str | None


def joint_steps(path: Sequence[PathStep]) -> tuple[JointStep, ...]:
    """The path with consecutive steps of one need at the same structure made one step
    (BGE, entry door and financing, is one visit, never an arrow to itself)."""
    out: list[JointStep] = []
    for st in path:
        last = out[-1] if out else None
        if (
            last is not None
            and last.need == st.need
            and st.entry_id is not None
            and last.entry_id == st.entry_id
        ):
            out[-1] = JointStep(last.need, (*last.roles, st.role), last.entry_id)
        else:
            out.append(JointStep(st.need, (st.role,), st.entry_id))
    return tuple(out)


def suggest_path(person: Person, entries: Mapping[str, tuple[Entry, ...]]) -> tuple[PathStep, ...]:
    """The nearest sensible choice per step: within reach and open within the person's hours
    when possible (a relay inside the person's own QPV first), else the nearest."""
    steps: list[PathStep] = []
    needs = person.short_needs or ()
    covered: set[str] = set()
    for need in needs:
        for role in NEEDS[need]:
            steps.append(PathStep(need, role, _pick(role, entries.get(role, ()))))
            covered.add(role)
    for role in person.roles:  # roles asked directly
        if role not in covered:
            steps.append(PathStep(role, role, _pick(role, entries.get(role, ()))))
    return tuple(steps)


def _pick(role: str, es: Sequence[Entry]) -> str | None:
    if not es:
        return None

    def score(e: Entry) -> tuple[int, int, float]:
        trust = 0 if (role == "relay" and e.in_home_qpv) else 1
        usable = 0 if (e.within_reach and e.open_within_hours is not False) else 1
        return (usable, trust, e.best_minutes if e.best_minutes is not None else math.inf)

    return min(es, key=score).id

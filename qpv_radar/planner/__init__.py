"""Planner runs on a territory: coverage gaps by slot, accessibility indicators, where to hold
permanences (:mod:`.runs`), over checked inputs (:mod:`.inputs`)."""

from __future__ import annotations

from .._defaults import ROLES
from .._errors import NoStructureError, PlannerError
from .inputs import (
    Capacity,
    candidate_problems,
    read_candidates,
    resident_origins,
    structures,
    structures_with_role,
)
from .many import ManyResult, accessibility_many, coverage_many
from .runs import CoverageResult, Mode, accessibility, coverage, permanences, slot_travel_times

__all__ = [
    "ROLES",
    "Capacity",
    "CoverageResult",
    "ManyResult",
    "Mode",
    "NoStructureError",
    "PlannerError",
    "accessibility",
    "accessibility_many",
    "candidate_problems",
    "coverage",
    "coverage_many",
    "permanences",
    "read_candidates",
    "resident_origins",
    "slot_travel_times",
    "structures",
    "structures_with_role",
]

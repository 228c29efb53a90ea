"""Exceptions raised by qpv_radar.

Every error the user can cause is a subclass of :class:`QpvRadarError`, mixed with the
closest built-in so that ``except ValueError`` keeps working. Messages say what is wrong
*and* what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "ChecksumError",
    "CrsError",
    "DataNotAvailableError",
    "EngineUnavailableError",
    "InputFileError",
    "InputProblem",
    "LanguageError",
    "NetworkError",
    "PersonError",
    "QpvError",
    "QpvRadarError",
    "ServicePeriodError",
    "TerritoryError",
    "TimetableError",
    "UnknownDatasetError",
    "UnreachableError",
]


class QpvRadarError(Exception):
    """Base class of every error raised on purpose by qpv_radar.

    Parameters
    ----------
    *args
        The message (English), as for any exception.
    fr
        The same message in French, for the people-facing outputs (the CLI prints it by
        default); messages without one are shown in English.
    """

    def __init__(self, *args: object, fr: str | None = None) -> None:
        super().__init__(*args)
        self.fr = fr

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"fr"`` or ``"en"``), English when no French was given."""
        fr: str | None = getattr(self, "fr", None)  # subclasses with their own __init__
        return fr if lang == "fr" and fr else str(self)


class UnknownDatasetError(QpvRadarError, KeyError):
    """A dataset path that is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataNotAvailableError(QpvRadarError, OSError):
    """A dataset is neither cached, nor in the mirror, nor downloadable."""


class ChecksumError(QpvRadarError, ValueError):
    """A file's SHA-256 does not match the registry."""


class LanguageError(QpvRadarError, ValueError):
    """An unknown output language (use "fr" or "en")."""


class TerritoryError(QpvRadarError, ValueError):
    """A territory file is missing, malformed or names unknown sources."""


class CrsError(QpvRadarError, ValueError):
    """Missing or inconsistent coordinate reference system (or lon/lat swapped)."""


class QpvError(QpvRadarError, ValueError):
    """QPV data used in a way it cannot support (e.g. locating points in a commune-level list)."""


class NetworkError(QpvRadarError, ValueError):
    """A street network cannot be built or used (empty, wrong input…)."""


class UnreachableError(QpvRadarError, ValueError):
    """A point cannot be attached to the network or reached."""


class PersonError(QpvRadarError, ValueError):
    """A person's description (radar input) that cannot be used: unknown need or mode, empty
    hour range, a structure id not on the radar."""


class EngineUnavailableError(QpvRadarError, RuntimeError):
    """A travel mode whose routing engine is not available in this installation."""


class TimetableError(QpvRadarError, ValueError):
    """A GTFS feed is malformed or unusable."""


class ServicePeriodError(TimetableError):
    """A date outside a GTFS feed's service period, or a date without service.

    ``day`` and ``period`` (first and last dates of the feed), when known, let a caller say
    so in its own words (the radar turns them into a notice).
    """

    def __init__(
        self,
        *args: object,
        fr: str | None = None,
        day: date | None = None,
        period: tuple[date, date] | None = None,
    ) -> None:
        super().__init__(*args, fr=fr)
        self.day = day
        self.period = period


@dataclass(frozen=True)
class InputProblem:
    """One problem found in an input file.

    Parameters
    ----------
    row
        1-based data row number (header excluded), or ``None`` for file-level problems.
    column
        Column (field) concerned, or ``None``.
    problem
        What is wrong.
    fix
        How to fix it.
    """

    row: int | None
    column: str | None
    problem: str
    fix: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        loc = ", ".join(where) or "file"
        return f"{loc}: {self.problem} — {self.fix}"


class InputFileError(QpvRadarError, ValueError):
    """An input file has one or more problems; all of them are listed at once.

    Parameters
    ----------
    path
        The file (or a description of the input).
    problems
        Every problem found.
    """

    def __init__(self, path: object, problems: Iterable[InputProblem]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        lines = [f"{self.path}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  … and {len(self.problems) - 50} more")
        super().__init__("\n".join(lines))

"""Exceptions raised by qpv_radar.

Every error the user can cause is a subclass of :class:`QpvRadarError`, mixed with the
closest built-in so that ``except ValueError`` keeps working. Messages say what is wrong
*and* what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ._messages import LANGS, Message

__all__ = [
    "CacheEntryError",
    "ChecksumError",
    "CliInputError",
    "CrsError",
    "DataNotAvailableError",
    "ExportError",
    "FeedUpdateError",
    "InputFileError",
    "InputProblem",
    "LanguageError",
    "ModeUnavailableError",
    "NetworkError",
    "NoStructureError",
    "OpeningHoursError",
    "OptionError",
    "PersonError",
    "PlannerError",
    "QpvError",
    "QpvRadarError",
    "RadarFileError",
    "ServicePeriodError",
    "SitingError",
    "SlotError",
    "TerritoryError",
    "TimetableError",
    "UnknownDatasetError",
    "UnreachableError",
    "WebRequestError",
]


class QpvRadarError(Exception):
    """Base class of every error raised on purpose by qpv_radar.

    Parameters
    ----------
    code
        A code of the message catalogue (:mod:`qpv_radar._messages`), worded in each language
        from ``params``; or, for messages not yet in the catalogue, the English text itself.
    **params
        The values the catalogue's words are formatted with (kept as :attr:`params`).
    """

    def __init__(self, code: str = "", /, **params: Any) -> None:
        self.msg = Message(code, params)
        super().__init__(self.msg.text("en"))

    @property
    def code(self) -> str:
        """The catalogue code (or the plain English text)."""
        return self.msg.code

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameters of the message."""
        return self.msg.params

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"fr"`` or ``"en"``): the catalogue's words, or the plain
        English text of a message not yet in the catalogue."""
        if lang not in LANGS:
            raise LanguageError("errors.language", lang=lang, langs=", ".join(LANGS))
        msg: Message | None = getattr(self, "msg", None)  # subclasses with their own __init__
        if msg is None:
            return str(self)
        return msg.text(lang)


class UnknownDatasetError(QpvRadarError, KeyError):
    """A dataset path that is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataNotAvailableError(QpvRadarError, OSError):
    """A dataset is neither cached, nor in the mirror, nor downloadable."""


class FeedUpdateError(QpvRadarError, OSError):
    """A fresh GTFS feed cannot be obtained from the national access point (offline, an error
    answer, a file that is not an intact, complete GTFS): the feed in use stays in use."""


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


class ModeUnavailableError(QpvRadarError, ValueError):
    """A travel mode the territory's networks cannot route (transit without a GTFS feed, an
    unknown mode)."""


class OptionError(QpvRadarError, ValueError):
    """A parameter value a function cannot use (``k < 1``, an unknown role, layout or paper, a
    negative window, no time band…)."""


class PlannerError(OptionError):
    """Planner options that cannot give a meaningful answer (negative window, unknown method,
    unknown role…)."""


class SlotError(OptionError):
    """A time slot that cannot be understood (``weekday-09:00``, ``sunday-10:00``…)."""


class NoStructureError(QpvRadarError, ValueError):
    """A role none of the territory's structures holds: every QPV would look 100 % uncovered."""


class SitingError(QpvRadarError, ValueError):
    """Siting inputs that cannot give an answer (no candidate, no demand…)."""


class ExportError(QpvRadarError, ValueError):
    """An output path that cannot be written (unknown format, geometry needed, …)."""


class CliInputError(QpvRadarError, ValueError):
    """A command-line argument that cannot be understood."""


class WebRequestError(QpvRadarError, ValueError):
    """A request to the local web page's server that cannot be answered (bad JSON, too large,
    no access token, another site's page); ``status`` is its HTTP status (4xx)."""

    def __init__(self, code: str = "", /, status: int = 400, **params: object) -> None:
        self.status = status
        super().__init__(code, **params)


class RadarFileError(QpvRadarError, ValueError):
    """A radar JSON file that is not one (wrong type, version or content)."""


class CacheEntryError(QpvRadarError, ValueError):
    """A cache entry that is damaged, truncated or made for other inputs (it is rebuilt with a
    warning; callers never see this error)."""


class OpeningHoursError(QpvRadarError, ValueError):
    """Opening hours that cannot be read (OSM syntax, French weekday columns, slots)."""


class TimetableError(QpvRadarError, ValueError):
    """A GTFS feed is malformed or unusable."""


class ServicePeriodError(TimetableError):
    """A date outside a GTFS feed's service period, or a date without service.

    ``day`` and ``period`` (first and last dates of the feed), when known, let a caller say
    so in its own words (the radar turns them into a notice).
    """

    def __init__(
        self,
        code: str = "",
        /,
        *,
        day: date | None = None,
        period: tuple[date, date] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code, day=day, period=period, **params)
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
    problem: str | Message
    fix: str | Message

    def text(self, lang: str = "en") -> str:
        """The problem in ``lang``: catalogue messages worded, plain text as it is."""
        where = []
        if self.row is not None:
            where.append(Message("input.row", {"row": self.row}).text(lang))
        if self.column is not None:
            where.append(Message("input.column", {"column": self.column}).text(lang))
        loc = ", ".join(where) or Message("input.file").text(lang)
        return f"{loc}: {self.what(lang)}"

    def what(self, lang: str = "en") -> str:
        """``problem — fix`` in ``lang``, without the place."""
        problem, fix = (x if isinstance(x, str) else x.text(lang) for x in (self.problem, self.fix))
        return f"{problem} — {fix}"

    def __str__(self) -> str:
        return self.text("en")


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
        super().__init__(self._text("en"))

    def _text(self, lang: str) -> str:
        if len(self.problems) == 1 and self.problems[0].row is None and not self.problems[0].column:
            # one problem with the whole file: one line
            p = self.problems[0]
            return f"{self.path}: {p.what(lang)}"
        lines = [Message("input.problems", {"path": self.path, "n": len(self.problems)}).text(lang)]
        lines += [f"  - {p.text(lang)}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(Message("input.more", {"n": len(self.problems) - 50}).text(lang))
        return "\n".join(lines)

    def message(self, lang: str = "en") -> str:
        """Every problem in ``lang`` (problems given as catalogue messages are worded in it)."""
        if lang not in LANGS:
            raise LanguageError("errors.language", lang=lang, langs=", ".join(LANGS))
        return self._text(lang)

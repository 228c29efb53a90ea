"""The schema of a territory file, checked with pydantic v2 before anything is read.

Every section and key is declared here: an unknown key is refused with the closest known one
("did you mean …"), a value of the wrong type with an example of the right one, the CRS is
checked with pyproj (a projected CRS in metres), the timezone with :mod:`zoneinfo`, actor
loaders and their options against :data:`qpv_radar.actors.loaders.LOADERS` (the loaders'
signatures), street formats against :data:`qpv_radar.networks.readers.STREET_FORMATS`.
Errors are catalogue messages (:mod:`qpv_radar._messages`), all listed in one
:class:`~qpv_radar.TerritoryError`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ._defaults import DEFAULT_TIMEZONE, LAMBERT93
from ._messages import Message

__all__ = ["Lines", "TerritoryModel", "did_you_mean", "problems_of"]

#: How a key of each name is written, shown when its value has the wrong type.
EXAMPLES: dict[str, str] = {
    "name": 'name = "my_area"',
    "label": 'label = "My area"',
    "communes": 'communes = ["34172", "34057"]',
    "crs": 'crs = "EPSG:2154"',
    "timezone": 'timezone = "Europe/Paris"',
    "default_when": 'default_when = "2024-01-16T09:00"',
    "source": 'source = "actors/structures.csv"',
    "loader": 'loader = "generic"',
    "format": 'format = "osm"',
    "generation": "generation = 2024",
    "note": 'note = "…"',
    "note_en": 'note_en = "…"',
    "file": 'file = "annuaire_local.csv"',
    "pan_dataset": 'pan_dataset = "662ba9a3f7d9ff84a3060d0a"',
    "pan_resources": 'pan_resources = ["350c3f75-…"]',
    "perimeters": 'perimeters = "qpv/perimetres.geojson"',
    "indicators": 'indicators = "qpv/indicateurs.csv"',
    "qpv": '[qpv] perimeters = "…"',
    "actors": '[[actors]] loader = "generic" source = "…"',
    "streets": '[streets] source = "…"',
    "gtfs": '[[gtfs]] source = "…"',
    "directory": '[directory] file = "annuaire_local.csv"',
    "walk": 'walk = "osm/walk.graphml"',
    "bike": 'bike = "osm/bike.graphml"',
    "car": 'car = "osm/car.graphml"',
}


@dataclass(frozen=True)
class Lines(Message):
    """Several messages, one per line, worded in the same language."""

    items: tuple[Message, ...] = ()

    def text(self, lang: str = "en") -> str:
        """Every message in ``lang``, one per line (``  - …``)."""
        return "\n".join(f"  - {m.text(lang)}" for m in self.items)


def did_you_mean(word: str, choices: Any) -> Message:
    """``(did you mean 'x'?)`` for the closest of ``choices``, or an empty message."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    if not close:
        return Message("schema.nothing")
    return Message("schema.did_you_mean", {"name": close[0]})


def _custom(code: str, /, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(code, code, {k: str(v) for k, v in ctx.items()})


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        """A bare string is the ``source`` of the table."""
        return {"source": data} if isinstance(data, str) else data


class SourceTable(_Table):
    """A source given as a string or as a table (``[qpv] perimeters``, ``indicators``)."""

    source: str = Field(min_length=1)
    loader: str = ""
    format: str = ""


class ActorsTable(_Table):
    """One ``[[actors]]`` table: a loader, a source, and the loader's own options."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)
    source: str = Field(min_length=1)
    loader: str

    @field_validator("loader")
    @classmethod
    def _known_loader(cls, value: str) -> str:
        from .actors.loaders import LOADERS

        if value not in LOADERS:
            raise _custom(
                "schema.loader_unknown",
                name=value,
                suggestion=_suggest(value, LOADERS),
                choices=", ".join(LOADERS),
            )
        return value

    @model_validator(mode="after")
    def _known_options(self) -> ActorsTable:
        from .actors.loaders import loader_options

        accepted = loader_options(self.loader)
        for key in self.model_extra or {}:
            if key not in accepted:
                raise _custom(
                    "schema.option_unknown",
                    key=key,
                    loader=self.loader,
                    suggestion=_suggest(key, accepted),
                    choices=", ".join(accepted) or "—",
                )
        return self


class StreetsTable(_Table):
    """The ``[streets]`` table: a source, its format, and optionally one graph per mode."""

    source: str = Field(min_length=1)
    format: str = ""
    loader: str = ""
    walk: str | None = None
    bike: str | None = None
    car: str | None = None

    @field_validator("format", "loader")
    @classmethod
    def _known_format(cls, value: str) -> str:
        from .networks.readers import STREET_FORMATS

        if value and value not in STREET_FORMATS:
            raise _custom(
                "schema.format_unknown",
                name=value,
                suggestion=_suggest(value, STREET_FORMATS),
                choices=", ".join(STREET_FORMATS),
            )
        return value


class GtfsTable(_Table):
    """One ``[[gtfs]]`` table: a feed, and where its fresh versions are published."""

    source: str = Field(min_length=1)
    pan_dataset: str = ""
    pan_resources: list[str] = Field(default_factory=list)


class QpvTable(_Table):
    """The ``[qpv]`` table."""

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return data

    perimeters: SourceTable | None = None
    indicators: SourceTable | None = None
    generation: int | None = None
    note: str = ""
    note_en: str = ""

    @field_validator("generation")
    @classmethod
    def _generation(cls, value: int | None) -> int | None:
        if value is not None and value not in (2015, 2024):
            raise _custom("schema.generation", value=value)
        return value


class DirectoryTable(_Table):
    """The ``[directory]`` table: the local directory's file."""

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return data

    file: str = Field(min_length=1)


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else ""


class TerritoryModel(BaseModel):
    """A whole territory file."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[^/\\\x00-\x1f]+$")
    label: str | None = None
    communes: list[str] = Field(default_factory=list)
    crs: str = LAMBERT93
    timezone: str = DEFAULT_TIMEZONE
    default_when: datetime | str | None = None
    qpv: QpvTable = Field(default_factory=QpvTable)
    actors: list[ActorsTable] = Field(default_factory=list)
    streets: StreetsTable | None = None
    gtfs: list[GtfsTable] = Field(default_factory=list)
    directory: DirectoryTable | None = None

    @field_validator("communes")
    @classmethod
    def _insee(cls, value: list[str]) -> list[str]:
        import re

        for code in value:
            if not re.fullmatch(r"\d{5}|2[AB]\d{3}", code):
                raise _custom("schema.commune_code", code=repr(code))
        return value

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str) -> str:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(value)
        except CRSError as exc:
            raise _custom("schema.crs_invalid", crs=repr(value)) from exc
        units = {ax.unit_name for ax in crs.axis_info}
        if not crs.is_projected or not units <= {"metre", "meter"}:
            raise _custom("schema.crs_not_metric", crs=repr(value))
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise _custom(
                "schema.timezone",
                tz=repr(value),
                suggestion=_suggest(value, sorted(available_timezones())),
            ) from exc
        return value

    @field_validator("default_when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            raise _custom("schema.when", value=value.isoformat())
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError as exc:
                raise _custom("schema.when", value=repr(value)) from exc
        return value


def problems_of(error: ValidationError) -> Lines:
    """Every problem of a failed validation as catalogue messages (one per line)."""
    items: list[Message] = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        where = _where(loc)
        key = str(next((p for p in reversed(loc) if isinstance(p, str)), ""))
        kind = e["type"]
        if kind.startswith("schema."):
            ctx = dict(e.get("ctx") or {})
            if "suggestion" in ctx:
                s = ctx["suggestion"]
                ctx["suggestion"] = (
                    Message("schema.did_you_mean", {"name": s}) if s else Message("schema.nothing")
                )
            items.append(Message("schema.at", {"where": where, "what": Message(kind, ctx)}))
        elif kind == "extra_forbidden":
            parent = _parent_keys(loc[:-1])
            sug = did_you_mean(key, parent)
            items.append(
                Message("schema.key_unknown", {"where": where, "key": key, "suggestion": sug})
            )
        elif kind == "missing":
            items.append(
                Message(
                    "schema.key_missing",
                    {"where": where, "key": key, "example": EXAMPLES.get(key, key)},
                )
            )
        else:
            got = repr(e.get("input"))
            got = got if len(got) <= 60 else got[:57] + "…"
            items.append(
                Message(
                    "schema.key_type",
                    {"where": where, "got": got, "example": EXAMPLES.get(key, key)},
                )
            )
    return Lines("schema.nothing", {}, tuple(items))


_SECTION = {"actors": "[[actors]]", "gtfs": "[[gtfs]]"}
_TABLES = ("qpv", "streets", "directory")


def _where(loc: tuple[Any, ...]) -> str:
    """``[[actors]] #2 loader``, ``[qpv] generation``, ``communes[1]``… for a pydantic loc."""
    if not loc:
        return "—"
    head, rest = str(loc[0]), list(loc[1:])
    if head in _SECTION:
        out = _SECTION[head]
        if rest and isinstance(rest[0], int):
            out += f" #{rest.pop(0) + 1}"
    elif head in _TABLES and rest:
        out = f"[{head}]"
    else:
        out = head
    for p in rest:
        out += f"[{p + 1}]" if isinstance(p, int) else f" {p}"
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The table model inside a field's annotation (``list[X]``, ``X | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _parent_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys known at ``loc`` (for "did you mean")."""
    model: type[BaseModel] | None = TerritoryModel
    for p in loc:
        if isinstance(p, int):
            continue
        field = model.model_fields.get(p) if model is not None else None
        if field is None:
            return ()
        model = _model_in(field.annotation)
    return tuple(model.model_fields) if model is not None else ()

"""The versioned schema of a radar JSON file (``radar --json`` / :meth:`Radar.to_json`).

:func:`check_radar_dict` runs before :meth:`Radar.from_dict`: a file of another type or
version, or with a missing field or a field of the wrong type, is refused with a
:class:`~qpv_radar.RadarFileError` naming the field (``entries.relay[2].minutes``), never a
bare ``KeyError``. Text fields are data: they are kept as they are (the renderers escape them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._errors import RadarFileError

__all__ = ["RADAR_FILE_VERSIONS", "check_radar_dict"]

#: Versions of the radar file this code reads.
RADAR_FILE_VERSIONS: tuple[int, ...] = (1,)

_Num = float | int


class _Loose(BaseModel):
    """Known fields checked; fields added by later minor versions let through."""

    model_config = ConfigDict(extra="allow")


class _Leg(_Loose):
    mode: str
    minutes: _Num
    coords: list[list[_Num]] = Field(default_factory=list)


class _Entry(_Loose):
    id: str
    role: str
    name: str
    roles: list[str]
    lon: _Num
    lat: _Num
    minutes: dict[str, _Num | None]
    legs: list[_Leg] = Field(default_factory=list)
    arrival: str | None = None
    next_opening: str | None = None


class _Person(_Loose):
    lon: _Num
    lat: _Num
    when: str
    until: str
    modes: list[str]
    needs: list[str]
    max_minutes: _Num


class _Step(_Loose):
    need: str
    role: str
    entry_id: str | None


class _Ring(_Loose):
    minutes: _Num
    mode: str
    geometry: dict[str, Any]


class _RadarFile(_Loose):
    type: Literal["qpv_radar.Radar"]
    version: int
    person: _Person
    territory: str
    entries: dict[str, list[_Entry]]
    path: list[_Step]
    rings: list[_Ring]
    notices: list[dict[str, Any]] = Field(default_factory=list)
    attribution: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    home_qpv_geometry: dict[str, Any] | None = None


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "—"


def check_radar_dict(d: Any, *, file: str = "radar JSON") -> None:
    """Check a radar dict against the schema of its version.

    Raises
    ------
    RadarFileError
        Not a radar (``type``), a version this code does not read, or fields missing or of
        the wrong type (each named, at most five).
    """
    if not isinstance(d, Mapping) or d.get("type") != "qpv_radar.Radar":
        raise RadarFileError("radar_file.type", file=file)
    version = d.get("version")
    if version is not None and version not in RADAR_FILE_VERSIONS:
        raise RadarFileError(
            "radar_file.version",
            file=file,
            version=repr(version),
            versions=", ".join(map(str, RADAR_FILE_VERSIONS)),
        )
    try:
        _RadarFile.model_validate(dict(d))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        fields = "; ".join(
            f"{_field(tuple(e['loc']))} ({e['type'].replace('_', ' ')})" for e in errors[:5]
        )
        if len(errors) > 5:
            fields += " …"
        raise RadarFileError("radar_file.fields", file=file, fields=fields) from exc

"""The rows of the local directory: one checked :class:`DirectoryRow` per line of the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from ..._errors import InputProblem
from ..._messages import LANGS, Message, text
from .. import hours
from .._common import fold
from ..model import KIND_ROLES, ROLES, coordinate_problems, parse_decimal

#: Environment variable naming the user's data folder (default: platformdirs' user data dir).
DATA_ENV = "QPV_RADAR_DATA"
ACTIONS: tuple[str, ...] = ("correct", "add", "permanence", "remove")
COLUMNS: tuple[str, ...] = (
    "action",
    "id",
    "name",
    "kind",
    "roles",
    "address",
    "lon",
    "lat",
    "host",
    "hours",
    "phone",
    "email",
    "website",
    "note",
    "author",
    "date",
)
_ALIASES = {
    "kind_of_row": "action",
    "nom": "name",
    "type": "kind",
    "adresse": "address",
    "longitude": "lon",
    "latitude": "lat",
    "lieu": "host",
    "horaires": "hours",
    "telephone": "phone",
    "courriel": "email",
    "e-mail": "email",
    "site": "website",
    "site web": "website",
    "auteur": "author",
}
_ACTION_WORDS = {
    "correct": "correct",
    "corriger": "correct",
    "correction": "correct",
    "add": "add",
    "ajouter": "add",
    "ajout": "add",
    "permanence": "permanence",
    "remove": "remove",
    "retirer": "remove",
    "supprimer": "remove",
}
_CLOSED = {
    "ferme definitivement",
    "fermee definitivement",
    "definitivement ferme",
    "definitivement fermee",
    "closed permanently",
    "permanently closed",
}
_ROLE_WORDS = {fold(text(f"role.short.{r}", lang)): r for r in ROLES for lang in LANGS} | {
    r: r for r in ROLES
}
_FIELDS = ("name", "kind", "roles", "address", "hours", "phone", "email", "website")
_PHONE = re.compile(r"^[0-9+ .()\-]{6,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _p(row: int | None, column: str | None, code: str, **params: Any) -> InputProblem:
    """A problem worded by the catalogue (``directory.<code>`` and ``directory.<code>.fix``)."""
    return InputProblem(
        row, column, Message(f"directory.{code}", params), Message(f"directory.{code}.fix", params)
    )


@dataclass(frozen=True)
class DirectoryRow:
    """One checked row of the local directory (see the module docstring for the columns).

    ``hours`` is OSM ``opening_hours`` syntax (French input converted); ``closed`` is set by
    « fermé définitivement ». ``row`` is the data row number in the file (header excluded; 0
    for a row not yet written).
    """

    action: str
    id: str
    author: str
    date: date
    name: str | None = None
    kind: str | None = None
    roles: tuple[str, ...] = ()
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    host: str | None = None
    hours: str | None = None
    closed: bool = False
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    note: str | None = None
    row: int = field(default=0, compare=False)

    @property
    def source(self) -> str:
        """« annuaire local (author, date) »: the source of what this row changes."""
        return f"annuaire local ({self.author}, {self.date.isoformat()})"

    def cells(self) -> dict[str, str]:
        """The row as CSV cells (:data:`COLUMNS`)."""
        out = {c: "" for c in COLUMNS}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("row", "closed") or v is None:
                continue
            if f.name == "roles":
                out["roles"] = "|".join(v)
            elif f.name == "date":
                out["date"] = v.isoformat()
            elif f.name in ("lon", "lat"):
                out[f.name] = f"{v:.6f}"
            else:
                out[f.name] = str(v)
        if self.closed:
            out["hours"] = "fermé définitivement"
        return out

    @classmethod
    def parse(
        cls, cells: Mapping[str, str], row: int
    ) -> tuple[DirectoryRow | None, list[InputProblem]]:
        """Check one row of cells; the row (``None`` when unusable) and its problems."""
        c = {k: " ".join(str(v or "").split()) for k, v in cells.items()}
        problems: list[InputProblem] = []
        action = _ACTION_WORDS.get(fold(c.get("action", "")))
        if action is None:
            problems.append(_p(row, "action", "bad_action", value=c.get("action", "")))
        author = c.get("author", "")
        if not author:
            problems.append(_p(row, "author", "no_author"))
        day = _parse_date(c.get("date", ""))
        if day is None:
            problems.append(_p(row, "date", "bad_date", value=c.get("date", "")))
        values: dict[str, Any] = {
            k: (c.get(k) or None) for k in ("name", "address", "host", "note")
        }
        values.update(_contact(c, row, problems))
        values.update(_kind_roles(c, row, problems))
        values.update(_place(c, row, problems))
        values.update(_hours(c, row, action, problems))
        ident = c.get("id", "")
        if action is not None:
            ident = _check_action(action, ident, values, row, problems)
        if problems or action is None or day is None:
            return None, problems
        return cls(action=action, id=ident, author=author, date=day, row=row, **values), []


def _parse_date(value: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _contact(c: Mapping[str, str], row: int, problems: list[InputProblem]) -> dict[str, Any]:
    phone, email, site = c.get("phone") or None, c.get("email") or None, c.get("website") or None
    if phone and not (_PHONE.match(phone) and sum(ch.isdigit() for ch in phone) >= 6):
        problems.append(_p(row, "phone", "bad_phone", value=phone))
    if email and not _EMAIL.match(email):
        problems.append(_p(row, "email", "bad_email", value=email))
    if site and site.startswith("www."):
        site = "https://" + site
    if site and not re.match(r"^https?://[^\s/]+\.[^\s]+$", site):
        problems.append(_p(row, "website", "bad_website", value=site))
    return {"phone": phone, "email": email, "website": site}


def _kind_roles(c: Mapping[str, str], row: int, problems: list[InputProblem]) -> dict[str, Any]:
    kind = c.get("kind") or None
    if kind is not None and kind not in KIND_ROLES:
        problems.append(_p(row, "kind", "bad_kind", value=kind, kinds=", ".join(KIND_ROLES)))
    roles: list[str] = []
    for part in re.split(r"[|,;+/]", c.get("roles", "")):
        if not part.strip():
            continue
        role = _ROLE_WORDS.get(fold(part))
        if role is None:
            problems.append(
                _p(row, "roles", "bad_role", value=part.strip(), roles=", ".join(ROLES))
            )
        elif role not in roles:
            roles.append(role)
    return {"kind": kind, "roles": tuple(r for r in ROLES if r in roles)}


def _place(c: Mapping[str, str], row: int, problems: list[InputProblem]) -> dict[str, Any]:
    raw_lon, raw_lat = c.get("lon", ""), c.get("lat", "")
    if not raw_lon and not raw_lat:
        return {"lon": None, "lat": None}
    lon, lat = parse_decimal(raw_lon), parse_decimal(raw_lat)
    bad = coordinate_problems([lon], [lat], [row], lon_col="lon", lat_col="lat")
    if bad:
        problems.append(_p(row, "lon/lat", "bad_lonlat", lon=raw_lon, lat=raw_lat))
        return {"lon": None, "lat": None}
    return {"lon": lon, "lat": lat}


def _hours(
    c: Mapping[str, str], row: int, action: str | None, problems: list[InputProblem]
) -> dict[str, Any]:
    value = c.get("hours", "")
    if not value:
        return {"hours": None, "closed": False}
    if fold(value) in _CLOSED:
        if action != "correct":
            problems.append(_p(row, "hours", "closed_not_correct"))
        return {"hours": None, "closed": True}
    if hours.is_valid(value):
        return {"hours": value, "closed": False}
    try:
        return {"hours": hours.from_french(value), "closed": False}
    except ValueError as exc:
        problems.append(_p(row, "hours", "bad_hours", value=value, detail=str(exc)))
        return {"hours": None, "closed": False}


def _check_action(
    action: str, ident: str, v: dict[str, Any], row: int, problems: list[InputProblem]
) -> str:
    """Problems of what each action needs; the id (``local:…`` made for an addition)."""
    placed = v["host"] is not None or v["lon"] is not None
    if action == "add":
        if not v["name"]:
            problems.append(_p(row, "name", "add_needs_name"))
        if not v["roles"] and not KIND_ROLES.get(v["kind"] or "other"):
            problems.append(_p(row, "roles", "add_needs_roles", roles=", ".join(ROLES)))
        if not placed:
            problems.append(_p(row, "lon/lat", "add_needs_place"))
        slug = re.sub(r"[^a-z0-9]+", "-", fold(ident or v["name"] or "")).strip("-")
        return ident if ident.startswith("local:") else f"local:{slug}"
    if not ident:
        problems.append(_p(row, "id", "no_id", action=action))
    if action == "permanence":
        if not v["hours"] and not any(q.row == row and q.column == "hours" for q in problems):
            problems.append(_p(row, "hours", "permanence_needs_hours"))
        if not placed:
            problems.append(_p(row, "host", "permanence_needs_place"))
    elif action == "correct" and not (
        v["closed"]
        or v["lon"] is not None
        or any(v[f] for f in _FIELDS if f != "roles")
        or v["roles"]
    ):
        problems.append(_p(row, None, "nothing_to_correct"))
    return ident

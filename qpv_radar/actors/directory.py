"""The local directory: what a relay knows that the published sources do not.

One CSV file per territory, editable in a spreadsheet (UTF-8, ``,`` or ``;`` separated, the
separator is detected; new files are written with ``;`` and a UTF-8 byte-order mark, as French
spreadsheets expect). It is layered over the published sources by
:func:`~qpv_radar.actors.load_actors` and never modifies them. Its place:

1. ``[directory] file = "…"`` in the territory file (relative to it), else
2. ``$QPV_RADAR_DATA/directory/<territory>.csv``, else
3. ``<user data folder>/qpv_radar/directory/<territory>.csv`` (:mod:`platformdirs`).

Header (fixed; French names are accepted too, in brackets; blank columns may be left out):

``action`` (correct | add | permanence | remove; « corriger », « ajouter », « retirer »),
``id`` (the structure: an id of ``qpv-radar actors list``; for ``add``, blank or ``local:…``),
``name`` [nom], ``kind`` [type], ``roles`` [rôles] (relay, entry_door, support_financing,
employment, mobility or their French short names, separated by ``|``), ``address`` [adresse],
``lon``, ``lat`` (WGS84), ``host`` [lieu] (for a permanence or an addition: the id of the
structure where it takes place), ``hours`` [horaires] (OSM syntax ``Mo 09:00-12:00`` or
French « lun 9-12, mar 14h-17h »; in a correction, « fermé définitivement » removes the
structure), ``phone`` [téléphone], ``email`` [courriel], ``website`` [site], ``note``,
``author`` [auteur], ``date`` (``2026-03-02`` or ``02/03/2026``).

What each action does (:func:`apply_directory`):

* ``correct`` — the fields given replace the source's; ``source`` becomes « annuaire local
  (author, date) », the fields changed are listed in ``local_fields``;
* ``add`` — a structure the sources lack, id ``local:…``;
* ``permanence`` — the structure ``id`` holds sessions at another place (``host`` or
  ``lon``/``lat``) on the weekly ``hours``: an extra row at that place, open only then, its
  ``permanence_of`` the structure's id, ``mobile`` true;
* ``remove`` — the structure is dropped (listed in the summary
  ``actors.attrs["directory"]``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from .._errors import InputFileError, InputProblem
from .._io import check_file, check_text_encoding
from .._messages import LANGS, Message, text
from ..territory import Territory
from . import hours
from ._common import fold
from .model import KIND_ROLES, ROLES, coordinate_problems, normalise_dtypes, parse_decimal

__all__ = [
    "ACTIONS",
    "COLUMNS",
    "DATA_ENV",
    "DirectoryRow",
    "append_row",
    "apply_directory",
    "directory_path",
    "read_directory",
    "write_directory",
]

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


# ---- the file ---------------------------------------------------------------------------------


def directory_path(territory: Territory) -> Path:
    """Where the territory's local directory lives (see the module docstring)."""
    if territory.directory is not None:
        return territory.directory
    env = os.environ.get(DATA_ENV)
    if env:
        root = Path(env).expanduser()
    else:
        import platformdirs

        root = Path(platformdirs.user_data_dir("qpv_radar"))
    return root / "directory" / f"{territory.name}.csv"


def _separator(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def read_directory(path: str | Path) -> list[DirectoryRow]:
    """Read and check a local directory file.

    Raises
    ------
    InputFileError
        Every bad row at once (row number, column, problem and fix), or a header with unknown
        columns or without ``action``, ``id``, ``author``, ``date``.
    """
    p = check_file(path)
    body = check_text_encoding(p)
    sep = _separator(body.splitlines()[0])
    reader = csv.reader(io.StringIO(body), delimiter=sep)
    header = [_ALIASES.get(fold(h), fold(h)) for h in next(reader)]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in ("action", "id", "author", "date") if h not in header]
    if unknown or missing:
        probs = [_p(None, h, "unknown_column", columns=", ".join(COLUMNS)) for h in unknown]
        probs += [_p(None, h, "missing_column", columns=", ".join(COLUMNS)) for h in missing]
        raise InputFileError(p, probs)
    rows: list[DirectoryRow] = []
    problems: list[InputProblem] = []
    for n, cells in enumerate(reader, start=1):
        if not any(x.strip() for x in cells):
            continue
        if len(cells) > len(header):
            problems.append(_p(n, None, "too_many_cells", n=len(cells), m=len(header)))
            continue
        row, probs = DirectoryRow.parse(dict(zip(header, cells, strict=False)), n)
        problems += probs
        if row is not None:
            rows.append(row)
    problems += _duplicate_additions(rows)
    if problems:
        raise InputFileError(p, problems)
    return rows


def _duplicate_additions(rows: Sequence[DirectoryRow]) -> list[InputProblem]:
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        if r.action != "add":
            continue
        if r.id in seen:
            out.append(_p(r.row, "id", "duplicate_add", id=r.id, other=seen[r.id]))
        seen.setdefault(r.id, r.row)
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # a file the user keeps, not a private temporary
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_directory(rows: Iterable[DirectoryRow], path: str | Path) -> Path:
    """Write the directory atomically, the previous version kept as ``<file>.bak``.

    The separator of the existing file is kept (new files: ``;``, UTF-8 with a byte-order
    mark). Both files are replaced with :func:`os.replace`: a reader never sees half a file.

    Returns
    -------
    Path
        The file written.
    """
    p = Path(path).expanduser()
    p.parent.mkdir(parents=True, exist_ok=True)
    sep = ";"
    if p.is_file():
        old = p.read_bytes()
        first = old.decode("utf-8", errors="replace").removeprefix("\ufeff").split("\n", 1)[0]
        sep = _separator(first)
        _atomic_write(p.with_name(p.name + ".bak"), old)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), delimiter=sep, lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r.cells())
    _atomic_write(p, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    return p


# ---- layering over the sources ---------------------------------------------------------------


def _resolver(actors: gpd.GeoDataFrame) -> dict[str, str]:
    """Id → row id, merged duplicates' ids included."""
    out = {str(i): str(i) for i in actors.index}
    if "merged_ids" in actors.columns:
        for rid, ms in zip(actors.index, actors["merged_ids"], strict=True):
            for m in ms or ():
                out.setdefault(str(m), str(rid))
    return out


def _record(r: DirectoryRow, where: Point, address: str | None) -> dict[str, Any]:
    kind = r.kind or "other"
    return {
        "id": r.id,
        "name": r.name,
        "roles": r.roles or KIND_ROLES.get(kind, ()),
        "kind": kind,
        "address": address,
        "commune_code": None,
        "commune": None,
        "phone": r.phone,
        "email": r.email,
        "website": r.website,
        "opening_hours": r.hours,
        "mobile": False,
        "source": r.source,
        "vintage": r.date.isoformat(),
        "geometry": where,
        "local_fields": ("added",),
        "permanence_of": None,
    }


def _host_place(
    r: DirectoryRow, frame: pd.DataFrame, ids: Mapping[str, str], problems: list[InputProblem]
) -> tuple[Point, str | None, str | None] | None:
    """(point, address, host id) of a row placed at a host or at lon/lat."""
    if r.host:
        hid = ids.get(r.host)
        if hid is None:
            problems.append(_p(r.row, "host", "unknown_host", id=r.host))
            return None
        h = frame.loc[hid]
        parts = [str(x) for x in (h["name"], h["address"]) if isinstance(x, str) and x]
        point = cast(Point, h.geometry)
        return point, r.address or ", ".join(parts) or None, hid
    assert r.lon is not None and r.lat is not None
    return Point(r.lon, r.lat), r.address, None


def apply_directory(
    actors: gpd.GeoDataFrame, rows: Sequence[DirectoryRow], *, path: object = ""
) -> gpd.GeoDataFrame:
    """Layer the local directory over the sources' actors (a new frame; ``actors`` untouched).

    Order: additions, corrections, permanences (built from the corrected structure), removals.
    Columns ``local_fields`` (what the directory changed: field names, ``added``,
    ``permanence``) and ``permanence_of`` are added; ``attrs["directory"]`` summarises.

    Raises
    ------
    InputFileError
        Rows naming an id that is neither in the sources nor added locally (every one listed).
    """
    frame = actors.copy()
    frame["local_fields"] = [()] * len(frame)
    frame["permanence_of"] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    problems: list[InputProblem] = []
    ids = _resolver(frame)
    new: list[dict[str, Any]] = []
    for r in (r for r in rows if r.action == "add"):
        if r.id in ids:
            problems.append(_p(r.row, "id", "add_exists", id=r.id))
            continue
        place = _host_place(r, frame, ids, problems)
        if place is not None:
            new.append(_record(r, place[0], place[1]))
    frame = _concat(frame, new)
    ids = _resolver(frame)
    summary: dict[str, Any] = {"path": str(path), "corrected": [], "added": [n["id"] for n in new]}
    summary |= {"permanences": [], "removed": []}
    for r in (r for r in rows if r.action == "correct"):
        if r.id not in ids:
            problems.append(_p(r.row, "id", "unknown_id", id=r.id))
        elif r.closed:
            summary["removed"].append((ids[r.id], frame.at[ids[r.id], "name"], "closed", r.source))
        else:
            _correct(frame, ids[r.id], r)
            summary["corrected"].append(ids[r.id])
    perms: dict[str, dict[str, Any]] = {}
    for r in (r for r in rows if r.action == "permanence"):
        if r.id not in ids:
            problems.append(_p(r.row, "id", "unknown_id", id=r.id))
            continue
        place = _host_place(r, frame, ids, problems)
        if place is not None:
            _permanence(frame.loc[ids[r.id]], r, place, perms)
    for r in (r for r in rows if r.action == "remove"):
        if r.id not in ids:
            problems.append(_p(r.row, "id", "unknown_id", id=r.id))
        else:
            summary["removed"].append((ids[r.id], frame.at[ids[r.id], "name"], "removed", r.source))
    if problems:
        raise InputFileError(path, sorted(problems, key=lambda q: q.row or 0))
    frame = _concat(frame, list(perms.values()))
    summary["permanences"] = list(perms)
    gone = {x[0] for x in summary["removed"]}
    keep = ~(frame.index.isin(list(gone)) | frame["permanence_of"].isin(list(gone)))
    out = normalise_dtypes(gpd.GeoDataFrame(frame[keep], crs=actors.crs))
    out.attrs["directory"] = summary
    return out


def _concat(frame: gpd.GeoDataFrame, records: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not records:
        return frame
    add = gpd.GeoDataFrame(records, geometry="geometry", crs=frame.crs)
    add.index = pd.Index(add["id"].to_numpy(dtype=object), dtype=object)
    for col in ("merged_ids", "colocated_with"):
        if col in frame.columns:
            add[col] = [()] * len(add)
    add = add[[c for c in frame.columns if c in add.columns]]
    out = gpd.GeoDataFrame(pd.concat([frame, add]), geometry=frame.geometry.name, crs=frame.crs)
    return out


def _correct(frame: gpd.GeoDataFrame, rid: str, r: DirectoryRow) -> None:
    changed = list(frame.at[rid, "local_fields"])
    for name, col in (
        ("name", "name"),
        ("kind", "kind"),
        ("address", "address"),
        ("hours", "opening_hours"),
        ("phone", "phone"),
        ("email", "email"),
        ("website", "website"),
    ):
        value = getattr(r, name)
        if value is not None:
            frame.at[rid, col] = value
            changed.append(col)
    if r.roles:
        frame.at[rid, "roles"] = r.roles
        changed.append("roles")
    if r.lon is not None and r.lat is not None:
        frame.loc[[rid], frame.geometry.name] = gpd.GeoSeries(
            [Point(r.lon, r.lat)], index=[rid], crs=frame.crs
        )
        changed.append("geometry")
    frame.at[rid, "local_fields"] = tuple(dict.fromkeys(changed))
    frame.at[rid, "source"] = r.source
    frame.at[rid, "vintage"] = r.date.isoformat()


def _permanence(
    s: pd.Series,
    r: DirectoryRow,
    place: tuple[Point, str | None, str | None],
    perms: dict[str, dict[str, Any]],
) -> None:
    """One permanence row (several rows at the same place add their hours up)."""
    where, address, host = place
    pid = f"{s.name}@{host}" if host else f"{s.name}@{where.x:.5f},{where.y:.5f}"
    if pid in perms:
        perms[pid]["opening_hours"] = f"{perms[pid]['opening_hours']}, {r.hours}"
        return
    rec = {k: s[k] for k in s.index if k in ("name", "roles", "kind", "phone", "email", "website")}
    perms[pid] = rec | {
        "id": pid,
        "address": address,
        "commune_code": None,
        "commune": None,
        "opening_hours": r.hours,
        "mobile": True,
        "source": r.source,
        "vintage": r.date.isoformat(),
        "geometry": where,
        "local_fields": ("permanence",),
        "permanence_of": str(s.name),
    }


def append_row(rows: Sequence[DirectoryRow], new: DirectoryRow) -> list[DirectoryRow]:
    """The rows with ``new`` appended (numbered after the last one)."""
    last = max((r.row for r in rows), default=0)
    return [*rows, replace(new, row=last + 1)]

"""The local directory edited from the page: the same checks and the same file as
``qpv-radar directory``."""

from __future__ import annotations

from datetime import date
from typing import Any

from .._errors import InputFileError, WebRequestError
from .inputs import MAX_TEXT, number, text_field
from .state import TerritoryData

__all__ = ["directory_rows", "save_row"]

_ACTIONS = ("correct", "add", "permanence")
_FIELDS = ("id", "name", "kind", "roles", "address", "host", "hours", "phone", "email",
           "website", "note", "author", "date")  # fmt: skip


def directory_rows(data: TerritoryData) -> list[dict[str, Any]]:
    """The rows of the directory file, as cells (``row``: their number in the file)."""
    return [r.cells() | {"row": r.row} for r in data.rows()]


def _cells(body: dict[str, Any]) -> dict[str, str]:
    action = body.get("action")
    if action not in _ACTIONS:
        raise WebRequestError("web.error.choice", field="action", value=repr(action)[:30],
                              valid=", ".join(_ACTIONS))  # fmt: skip
    cells = {"action": str(action)}
    for f in _FIELDS:
        cells[f] = text_field(body, f, MAX_TEXT)
    cells["date"] = cells["date"] or date.today().isoformat()
    if body.get("closed") is True:
        cells["hours"] = "fermé définitivement"
    if body.get("lon") not in (None, "") or body.get("lat") not in (None, ""):
        cells["lon"] = repr(number(body, "lon"))
        cells["lat"] = repr(number(body, "lat"))
    return cells


def save_row(data: TerritoryData, body: dict[str, Any], lang: str) -> dict[str, str]:
    """Check one new row, layer the whole directory over the sources, then write the file
    atomically and keep the new structures for the next radars.

    Raises
    ------
    WebRequestError
        The row's problems (every one, in ``lang``), or a bad body.
    """
    from ..actors.directory import DirectoryRow, append_row, write_directory

    cells = _cells(body)
    with data.lock:
        rows = data.rows()
        new, problems = DirectoryRow.parse(cells, len(rows) + 1)
        try:
            if new is None:
                raise InputFileError(data.directory, problems)
            rows = append_row(rows, new)
            actors = data.layered(rows)
        except InputFileError as err:
            raise WebRequestError("web.error.directory", status=422,
                                  problems=err.message(lang)) from None  # fmt: skip
        data.directory.parent.mkdir(parents=True, exist_ok=True)
        write_directory(rows, data.directory)
        data.actors = actors
    return new.cells()

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

from .files import directory_path, read_directory, write_directory
from .layer import append_row, apply_directory
from .rows import ACTIONS, COLUMNS, DATA_ENV, DirectoryRow

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

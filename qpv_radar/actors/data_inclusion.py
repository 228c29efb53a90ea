"""data·inclusion structures and services (schema v1), the national register of inclusion offers.

Input: the ``structures`` export (JSON array, JSON Lines or CSV), optionally the ``services``
export. Fields follow the v1 schema (``id, source, nom, date_maj`` required; ``latitude,
longitude`` WGS84; ``code_insee``; ``horaires_accueil`` in OSM opening_hours syntax;
``reseaux_porteurs`` and, for services, ``thematiques``; lists may be JSON arrays or, in CSV,
comma-separated).

Roles and kind:

* ``reseaux_porteurs`` → kind and roles through :data:`RESEAU_KINDS` (e.g. ``adie`` → ``adie``,
  ``reseau-bge`` → ``bge``, ``france-travail`` → ``france_travail``, ``mobin``/``wimoov`` →
  ``mobility``); the first mapped network gives the kind;
* each service's ``thematiques`` add roles to its structure (:func:`roles_for_thematique`):
  ``creer-une-entreprise--definir…``/``--structurer…`` (v1) and ``creation-activite…`` (v0)
  → ``entry_door``; ``creer-une-entreprise--developper…`` and ``…financ…`` →
  ``support_financing``; ``mobilite…`` → ``mobility``; ``trouver-un-emploi…``,
  ``preparer-sa-candidature…``, ``choisir-un-metier…``, ``se-former…`` → ``employment``.

Structures without coordinates (common in real exports: remote-only offers) are skipped and
logged; swapped or out-of-France coordinates are problems. ``horaires_accueil`` that does not
parse is logged and kept as unknown (``None``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd

from .._errors import InputFileError, InputProblem
from .._io import check_file, check_text_encoding
from . import hours
from ._common import fold, log_bad_hours, read_table
from .model import KIND_ROLES, actors_frame

__all__ = ["RESEAU_KINDS", "read_data_inclusion", "roles_for_thematique"]

RESEAU_KINDS: dict[str, str] = {
    "adie": "adie",
    "reseau-bge": "bge",
    "initiative-france": "initiative",
    "france-active": "france_active",
    "reseau-entreprendre": "reseau_entreprendre",
    "chambres-consulaires": "chambre_consulaire",
    "france-travail": "france_travail",
    "mission-locale": "mission_locale",
    "maisons-de-l-emploi": "maison_emploi",
    "alliance-villes-emploi": "maison_emploi",
    "plie": "plie",
    "cap-emploi-reseau-cheops": "cap_emploi",
    "afpa": "afpa",
    "epide": "insertion",
    "ecoles-de-la-deuxieme-chance": "insertion",
    "aci": "insertion",
    "ai": "insertion",
    "ei": "insertion",
    "etti": "insertion",
    "eiti": "insertion",
    "geiq": "insertion",
    "inae": "insertion",
    "fcsf": "centre_social",
    "mjc": "mjc",
    "ccas-cias": "ccas",
    "france-service": "france_services",
    "msap": "france_services",
    "pimms-mediation": "mediation",
    "mobin": "mobility",
    "wimoov": "mobility",
}

REQUIRED_STRUCTURE = ("id", "source", "nom", "date_maj")
REQUIRED_SERVICE = ("id", "source", "structure_id", "nom", "description", "date_maj")


def roles_for_thematique(thematique: str) -> tuple[str, ...]:
    """Roles implied by one data·inclusion thematique (v1 or v0 value)."""
    t = thematique.strip().lower()
    if t.startswith("creer-une-entreprise"):
        if "developper" in t or "financ" in t:
            return ("support_financing",)
        return ("entry_door",)
    if t.startswith("creation-activite"):
        return ("support_financing",) if "financ" in t else ("entry_door",)
    if t.startswith("mobilite"):
        return ("mobility",)
    employment = ("trouver-un-emploi", "preparer-sa-candidature", "choisir-un-metier", "se-former")
    if t.startswith(employment):
        return ("employment",)
    return ()


def _records(path: Path) -> list[dict[str, Any]]:
    """Read a JSON array, JSON Lines or CSV file into dicts."""
    p = check_file(path)
    if p.suffix.lower() == ".csv":
        return [{str(k): v for k, v in r.items()} for r in read_table(p).to_dict("records")]
    text = check_text_encoding(p)
    try:
        if p.suffix.lower() in (".jsonl", ".ndjson"):
            data: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            p, [InputProblem(None, None, f"not valid JSON ({exc})", "fix the JSON syntax")]
        ) from exc
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise InputFileError(
            p,
            [InputProblem(None, None, "expected a JSON array of objects", "export as JSON array")],
        )
    if not data:
        raise InputFileError(p, [InputProblem(None, None, "no record", "export the records")])
    return data


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError:
            pass
    return [v.strip() for v in text.split(",") if v.strip()]


def _missing(recs: Iterable[dict[str, Any]], required: tuple[str, ...]) -> list[InputProblem]:
    return [
        InputProblem(i, k, "missing required field", f"fill {k!r} (schema v1)")
        for i, r in enumerate(recs, start=1)
        for k in required
        if r.get(k) in (None, "")
    ]


def read_data_inclusion(
    structures: str | Path,
    services: str | Path | None = None,
    *,
    communes: Collection[str] | None = None,
    vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Read data·inclusion structures (and services) into the actor schema.

    Parameters
    ----------
    structures
        Structures export (JSON array, JSON Lines ``.jsonl`` or CSV).
    services
        Services export; their ``thematiques`` add roles to their structure.
    communes
        INSEE codes to keep (by ``code_insee``); all when ``None``.
    vintage
        Vintage label (default: the latest ``date_maj``).

    Returns
    -------
    geopandas.GeoDataFrame
        The actor schema; ids ``di:<id>``; structures with no mapped role keep ``roles=()``.

    Raises
    ------
    InputFileError
        Missing required fields, services pointing to unknown structures, bad coordinates,
        code_insee not 5 characters… all listed at once per file.
    """
    sp = Path(structures)
    recs = _records(sp)
    _check_structures(sp, recs)
    extra_roles = _service_roles(Path(services), recs) if services is not None else {}
    records, rows, bad = _actor_records(recs, extra_roles, communes, vintage)
    log_bad_hours(sp, bad)
    return actors_frame(records, path=sp, rows=rows, skip_missing_coordinates=True)


def _check_structures(sp: Path, recs: list[dict[str, Any]]) -> None:
    """Raise on structures missing a required field or with a code_insee not 5 characters."""
    problems = _missing(recs, REQUIRED_STRUCTURE)
    for i, r in enumerate(recs, start=1):
        code = r.get("code_insee")
        if code not in (None, "") and len(str(code).strip()) != 5:
            problems.append(
                InputProblem(i, "code_insee", f"{code!r} is not a 5-character INSEE code", "fix it")
            )
    if problems:
        raise InputFileError(sp, problems)


def _service_roles(vp: Path, recs: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Structure id → the roles its services' ``thematiques`` add; raises on services missing
    a required field or pointing to an unknown structure."""
    extra_roles: dict[str, set[str]] = {}
    srv = _records(vp)
    sproblems = _missing(srv, REQUIRED_SERVICE)
    known = {str(r["id"]) for r in recs}
    for i, s in enumerate(srv, start=1):
        sid = str(s.get("structure_id", ""))
        if sid and sid not in known:
            sproblems.append(
                InputProblem(
                    i,
                    "structure_id",
                    f"unknown structure {sid!r}",
                    "export the services with their structures",
                )
            )
            continue
        roles = extra_roles.setdefault(sid, set())
        for t in _list(s.get("thematiques")):
            roles.update(roles_for_thematique(t))
    if sproblems:
        raise InputFileError(vp, sproblems)
    return extra_roles


def _actor_records(
    recs: list[dict[str, Any]],
    extra_roles: dict[str, set[str]],
    communes: Collection[str] | None,
    vintage: str | None,
) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """The loader records of the structures kept (``communes``), their row numbers, and the
    opening hours that do not parse (kept as unknown)."""
    dates = sorted(str(r["date_maj"]) for r in recs)
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    bad: list[str] = []
    for i, r in enumerate(recs, start=1):
        code = str(r.get("code_insee") or "").strip() or None
        if communes is not None and code not in set(communes):
            continue
        reseaux = [fold(x) for x in _list(r.get("reseaux_porteurs"))]
        kinds = [RESEAU_KINDS[x] for x in reseaux if x in RESEAU_KINDS]
        kind = kinds[0] if kinds else "other"
        roles = {role for k in kinds for role in KIND_ROLES.get(k, ())}
        roles |= extra_roles.get(str(r["id"]), set())
        oh = r.get("horaires_accueil") or None
        if oh is not None and not hours.is_valid(str(oh)):
            bad.append(f"row {i}: {oh!r} is not valid opening_hours syntax")
            oh = None
        address = ", ".join(
            str(x) for x in (r.get("adresse"), r.get("complement_adresse")) if x not in (None, "")
        )
        town = " ".join(str(x) for x in (r.get("code_postal"), r.get("commune")) if x)
        records.append(
            {
                "id": f"di:{r['id']}",
                "name": r["nom"],
                "kind": kind,
                "roles": tuple(roles),
                "address": ", ".join(x for x in (address, town) if x) or None,
                "commune_code": code,
                "commune": r.get("commune"),
                "phone": r.get("telephone"),
                "email": r.get("courriel"),
                "website": r.get("site_web") or r.get("lien_source"),
                "opening_hours": oh,
                "mobile": False,
                "source": f"data·inclusion — {r['source']}",
                "vintage": vintage or dates[-1],
                "lon": r.get("longitude"),
                "lat": r.get("latitude"),
            }
        )
        rows.append(i)
    return records, rows, bad

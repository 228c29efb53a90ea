"""The local directory as data·inclusion schema v1 ``structures`` and ``services``.

What a relay adds or corrects can be sent upstream to data·inclusion, the national register of
support services: :func:`to_data_inclusion` turns the local entries into schema v1 records
(structures added, corrected or holding permanences; one service per added structure and per
permanence, ``horaires_accueil`` in OSM syntax, ``thematiques`` from the roles) and
:func:`validate_data_inclusion` checks them with :mod:`jsonschema` against the schema of the
``data-inclusion-schema`` package (the JSON Schema data·inclusion publishes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import geopandas as gpd

from .._errors import InputFileError, InputProblem
from .._messages import Message
from .directory import DirectoryRow

__all__ = ["ROLE_THEMES", "schemas", "to_data_inclusion", "validate_data_inclusion"]

#: data·inclusion v1 ``thematiques`` of each role.
ROLE_THEMES: dict[str, tuple[str, ...]] = {
    "relay": (
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
    ),
    "entry_door": ("creer-une-entreprise--definir-son-projet-de-creation-dentreprise",),
    "support_financing": (
        "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",
        "creer-une-entreprise--developper-son-entreprise",
    ),
    "employment": (
        "trouver-un-emploi--repondre-a-des-offres-demploi",
        "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
    ),
    "mobility": ("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
}
#: data·inclusion ``reseaux_porteurs`` of each kind of structure.
KIND_NETWORKS: dict[str, str] = {
    "adie": "adie",
    "bge": "reseau-bge",
    "initiative": "initiative-france",
    "france_active": "france-active",
    "reseau_entreprendre": "reseau-entreprendre",
    "cci": "chambres-consulaires",
    "cma": "chambres-consulaires",
    "chambre_consulaire": "chambres-consulaires",
    "france_travail": "france-travail",
    "mission_locale": "mission-locale",
    "maison_emploi": "maisons-de-l-emploi",
    "plie": "plie",
    "cap_emploi": "cap-emploi-reseau-cheops",
    "afpa": "afpa",
    "centre_social": "fcsf",
    "ccas": "ccas-cias",
    "mjc": "mjc",
    "france_services": "france-service",
}
_POSTCODE = re.compile(r"\b(\d{5})\b")


@cache
def schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas of data·inclusion v1: ``{"structures": …, "services": …}``."""
    from data_inclusion.schema import v1

    return {
        "structures": v1.Structure.model_json_schema(),
        "services": v1.Service.model_json_schema(),
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _structure(a: Mapping[str, Any], sid: str, source: str, day: str) -> dict[str, Any]:
    address = _text(a.get("address"))
    m = _POSTCODE.search(address or "")
    kind = str(a.get("kind") or "other")
    geom = a["geometry"]
    return {
        "source": source,
        "id": sid,
        "nom": str(a["name"])[:150],
        "date_maj": day,
        "adresse": address,
        "code_postal": m.group(1) if m else None,
        "code_insee": _text(a.get("commune_code")),
        "commune": _text(a.get("commune")),
        "telephone": _text(a.get("phone")),
        "courriel": _text(a.get("email")),
        "site_web": _text(a.get("website")),
        "horaires_accueil": _text(a.get("opening_hours")),
        "longitude": round(float(geom.x), 7),
        "latitude": round(float(geom.y), 7),
        "reseaux_porteurs": [KIND_NETWORKS[kind]] if kind in KIND_NETWORKS else None,
    }


def _service(
    a: Mapping[str, Any], structure_id: str, sid: str, source: str, day: str, description: str
) -> dict[str, Any]:
    s = _structure(a, sid, source, day)
    themes = [t for r in a.get("roles") or () for t in ROLE_THEMES.get(r, ())]
    return {
        "source": source,
        "structure_id": structure_id,
        "id": sid,
        "nom": s["nom"],
        "description": description,
        "date_maj": day,
        **{
            k: s[k]
            for k in (
                "adresse",
                "code_postal",
                "code_insee",
                "commune",
                "telephone",
                "courriel",
                "horaires_accueil",
                "longitude",
                "latitude",
            )
        },
        "thematiques": list(dict.fromkeys(themes)) or None,
        "modes_accueil": ["en-presentiel"],
        "publics": ["residents-qpv-frr"],
    }


def to_data_inclusion(
    actors: gpd.GeoDataFrame,
    rows: Sequence[DirectoryRow],
    *,
    territory: str,
    describe: Mapping[str, str],
) -> dict[str, list[dict[str, Any]]]:
    """The local entries as data·inclusion v1 records.

    Parameters
    ----------
    actors
        The territory's actors with the directory applied
        (:func:`~qpv_radar.actors.load_actors`).
    rows
        The directory's rows.
    territory
        The territory's name (the ``source`` is ``qpv-radar-<territory>``).
    describe
        Service descriptions (people's words, from the catalogue): ``service`` with ``{name}``,
        ``permanence`` with ``{name}``, ``{place}`` and ``{hours}``.

    Returns
    -------
    dict
        ``{"structures": [...], "services": [...]}``; removals are not exported.
    """
    source = f"qpv-radar-{territory}"
    structures: dict[str, dict[str, Any]] = {}
    services: list[dict[str, Any]] = []
    for r in rows:
        day = r.date.isoformat()
        if r.action not in ("add", "correct") or r.id not in actors.index:
            continue  # removals are not exported; a closed structure is not in actors
        structures.setdefault(r.id, _structure(actors.loc[r.id], r.id, source, day))
        if r.action == "add":
            a = actors.loc[r.id]
            text = describe["service"].format(name=a["name"])
            services.append(_service(a, r.id, f"{r.id}--service", source, day, text))
    held = actors["permanence_of"] if "permanence_of" in actors.columns else []
    for pid, of in zip(actors.index, held, strict=True):
        if not of or of not in actors.index:
            continue
        p = actors.loc[pid]
        day = str(p["vintage"])
        structures.setdefault(of, _structure(actors.loc[of], of, source, day))
        text = describe["permanence"].format(
            name=p["name"], place=p["address"] or "", hours=p["opening_hours"]
        )
        services.append(_service(p, of, str(pid), source, day, text))
    return {"structures": list(structures.values()), "services": services}


def validate_data_inclusion(
    doc: Mapping[str, Sequence[Mapping[str, Any]]], *, path: object = "data·inclusion"
) -> None:
    """Check every record against the data·inclusion v1 JSON Schema (formats included).

    Raises
    ------
    InputFileError
        Every record that does not conform: its list and position, the field and why.
    """
    import jsonschema

    problems: list[InputProblem] = []
    for kind, schema in schemas().items():
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for n, rec in enumerate(doc.get(kind, ()), start=1):
            for err in sorted(validator.iter_errors(rec), key=lambda e: list(e.path)):
                where = ".".join(str(x) for x in err.path) or None
                problems.append(
                    InputProblem(
                        n,
                        f"{kind}.{where}" if where else kind,
                        Message(
                            "directory.schema_problem", {"id": rec.get("id"), "detail": err.message}
                        ),
                        Message("directory.schema_problem.fix", {}),
                    )
                )
    if problems:
        raise InputFileError(path, problems)

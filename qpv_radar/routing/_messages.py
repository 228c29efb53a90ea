"""Reasons shown to people when a travel time is missing, in French (default) or English."""

from __future__ import annotations

from typing import Any

from .._errors import LanguageError

_MODES = {
    "fr": {"walk": "piéton", "bike": "vélo", "car": "voiture"},
    "en": {"walk": "walk", "bike": "bike", "car": "car"},
}

_TEXT = {
    "too_far": {
        "fr": "trop loin du réseau {mode} : rue utilisable la plus proche à {dist} "
        "(distance d'accroche max. {max_snap:.0f} m)",
        "en": "too far from the {mode} network: nearest usable street {dist} away "
        "(max snap distance {max_snap:.0f} m)",
    },
    "cut_off": {
        "fr": "plus long que la limite ({limit:.0f} s)",
        "en": "longer than the cut-off ({limit:.0f} s)",
    },
    "no_path": {
        "fr": "aucun chemin (sens uniques ou règles d'accès)",
        "en": "no path (one-way streets or access rules)",
    },
    "not_connected": {
        "fr": "non relié : départ et arrivée sont sur des parties séparées du réseau",
        "en": "not connected: origin and destination are on separate parts of the network",
    },
    "origin": {"fr": "départ : {reason}", "en": "origin {reason}"},
    "destination": {"fr": "arrivée : {reason}", "en": "destination {reason}"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"fr"`` or ``"en"``, else raise :class:`LanguageError`."""
    if lang not in ("fr", "en"):
        raise LanguageError(f"unknown language {lang!r}: use 'fr' or 'en'.")
    return lang


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang``, formatted with ``values`` (``mode`` is translated)."""
    if "mode" in values:
        values["mode"] = _MODES[lang].get(values["mode"], values["mode"])
    return _TEXT[key][lang].format(**values)


def distance(metres: float) -> str:
    """``850 m`` or ``10.5 km`` (``10,5 km`` has no place here: same digits in both languages)."""
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"

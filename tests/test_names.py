"""Place names keep their real French capitalisation (« Près d'Arènes », « Pas du Loup »)."""

from __future__ import annotations

import pytest

from qpv_radar._names import french_place_name
from qpv_radar.qpv import load_qpv


@pytest.mark.parametrize(
    ("raw", "right"),
    [
        ("Près D'Arènes", "Près d'Arènes"),
        ("Près D’Arènes", "Près d’Arènes"),
        ("Pas Du Loup - Val De Croze", "Pas du Loup - Val de Croze"),
        ("Croix D'Argent", "Croix d'Argent"),
        ("Val-De-Croze", "Val-de-Croze"),
        # first word of the name or of a part after a spaced dash: kept
        ("La Mosson", "La Mosson"),
        ("Mosson - La Paillade", "Mosson - La Paillade"),
        ("Le Petit Bard - Pergola", "Le Petit Bard - Pergola"),
        # never capitalises, never touches names written in capitals or already right
        ("Près d'Arènes", "Près d'Arènes"),
        ("LES HAUTS DE MASSANE", "LES HAUTS DE MASSANE"),
        ("Saint-Martin", "Saint-Martin"),
        ("Lemasson", "Lemasson"),
    ],
)
def test_french_place_name(raw: str, right: str) -> None:
    assert french_place_name(raw) == right


def test_builtin_qpv_names_read_right() -> None:
    names = set(load_qpv("montpellier")["nom_qp"])
    assert "Près d'Arènes" in names
    assert "Pas du Loup - Val de Croze" in names
    assert not any(" D'" in n or " Du " in n or " De " in n for n in names)

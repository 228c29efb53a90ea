"""Tests of territory declarations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from qpv_radar import TerritoryError, load_territory
from qpv_radar.territory import builtin_territories


def test_montpellier_is_built_in_and_default() -> None:
    assert "montpellier" in builtin_territories()
    t = load_territory()
    assert t.name == "montpellier"
    assert t.default_when == datetime(2024, 1, 16, 9, 0)
    assert t.qpv is not None and t.qpv.source.endswith("qp.geojson")
    assert {a.loader for a in t.actors} >= {"montpellier_mpt", "france_services"}
    assert t.gtfs[0].source.endswith("TAM_MMM_GTFS.zip")


def test_registry_source_resolves_through_cache(mirror: Path) -> None:
    t = load_territory("montpellier")
    assert t.qpv is not None
    assert t.qpv.resolve().is_file()


def test_user_territory_with_local_file(tmp_path: Path) -> None:
    (tmp_path / "perims.geojson").write_text('{"type":"FeatureCollection","features":[]}')
    f = tmp_path / "my.toml"
    f.write_text('name = "mine"\ncommunes = ["38185"]\n[qpv]\nperimeters = "perims.geojson"\n')
    t = load_territory(f)
    assert t.communes == ("38185",)
    assert t.qpv is not None and t.qpv.resolve() == tmp_path / "perims.geojson"


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("name = ", "not valid TOML"),
        ('label = "x"', "missing 'name'"),
        ('name = "x"\ndefault_when = "mardi"', "ISO date-time"),
        ('name = "x"\n[[actors]]\nloader = "france_services"', "'source' key"),
    ],
)
def test_bad_territory_files(tmp_path: Path, content: str, match: str) -> None:
    f = tmp_path / "t.toml"
    f.write_text(content)
    with pytest.raises(TerritoryError, match=match):
        load_territory(f)


def test_unknown_territory_and_missing_local_source(tmp_path: Path) -> None:
    with pytest.raises(TerritoryError, match="built-in"):
        load_territory("atlantis")
    f = tmp_path / "t.toml"
    f.write_text('name = "x"\n[qpv]\nperimeters = "nowhere.geojson"\n')
    t = load_territory(f)
    assert t.qpv is not None
    with pytest.raises(TerritoryError, match=r"nowhere\.geojson"):
        t.qpv.resolve()

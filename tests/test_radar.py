"""The radar model: Person, compute_radar, Radar (JSON/GeoJSON), on real structures and QPVs."""

from __future__ import annotations

import json
import math
from datetime import datetime, time

import geopandas as gpd
import pytest
from _radar_data import (
    MOSSON,
    TUESDAY,
    StraightLines,
    person,
    real_actors,
    real_qpv,
)

from qpv_radar import OptionError, PersonError, UnreachableError
from qpv_radar.radar import Person, Radar, blur_lonlat, compute_radar, needs_to_roles
from qpv_radar.render import labels


@pytest.fixture(scope="module")
def actors() -> gpd.GeoDataFrame:
    return real_actors()


@pytest.fixture(scope="module")
def qpv() -> gpd.GeoDataFrame:
    return real_qpv()


def _radar(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, **kw: object) -> Radar:
    k = int(kw.pop("k", 5))  # type: ignore[call-overload]
    return compute_radar("montpellier", person(**kw), k=k, actors=actors, qpv=qpv)


@pytest.fixture(scope="module")
def radar(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> Radar:
    return _radar(actors, qpv)


# ---- needs and person -----------------------------------------------------------------------


def test_needs_map_to_roles_in_path_order() -> None:
    assert needs_to_roles(["creation"]) == (
        ("creation",),
        ("relay", "entry_door", "support_financing"),
    )
    assert needs_to_roles(["emploi"])[1] == ("relay", "employment")
    assert needs_to_roles(["mobilite"])[1] == ("mobility",)
    # data·inclusion thematiques (v0 and v1 code lists) and English aliases
    assert needs_to_roles(["creation-activite--financer-son-projet"])[0] == ("creation",)
    assert needs_to_roles(["trouver-un-emploi--repondre-a-des-offres-demploi"])[0] == ("emploi",)
    assert needs_to_roles(["mobilite--preparer-un-permis"])[1] == ("mobility",)
    assert needs_to_roles(["job", "employment"])[1] == ("relay", "employment")
    # roles directly
    assert needs_to_roles(["entry_door"]) == ((), ("entry_door",))


def test_unknown_need_lists_the_valid_ones() -> None:
    with pytest.raises(PersonError) as exc:
        needs_to_roles(["creation", "cuisine", "sante--x"])
    msg = str(exc.value)
    assert "'cuisine'" in msg and "'sante--x'" in msg
    for valid in ("creation", "emploi", "mobilite", "entry_door", "creation-activite"):
        assert valid in msg


def test_unknown_need_rejected_by_person() -> None:
    with pytest.raises(PersonError, match="unknown need"):
        person(needs=("boulangerie",))


def test_empty_hour_range() -> None:
    with pytest.raises(PersonError, match="empty hour range"):
        person(until="08:00")
    with pytest.raises(PersonError, match="empty hour range"):
        person(until=time(9, 0))


def test_unknown_mode() -> None:
    with pytest.raises(PersonError, match="teleport"):
        person(modes=("walk", "teleport"))


def test_person_defaults_and_until_forms() -> None:
    p = Person(*MOSSON, when=TUESDAY)
    assert p.modes == ("walk", "transit")
    assert p.needs == ("creation",)
    assert p.max_minutes == 45
    assert p.end == datetime(2024, 1, 16, 12, 0)
    assert person(until=time(11, 30)).end == datetime(2024, 1, 16, 11, 30)
    assert Person.from_dict(p.to_dict()) == p


# ---- compute_radar ----------------------------------------------------------------------------


def test_home_qpv_and_roles(radar: Radar) -> None:
    assert radar.home_qpv_name == "Mosson"
    assert radar.roles == ("relay", "entry_door", "support_financing", "employment")


def test_entries_ranked_by_time_and_complete(radar: Radar, actors: gpd.GeoDataFrame) -> None:
    for role, entries in radar.entries.items():
        assert entries, role
        times = [e.best_minutes for e in entries]
        assert times == sorted(times)  # type: ignore[type-var]
        assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
        for e in entries:
            assert role in e.roles
            assert set(e.minutes) == {"walk", "bike"}
            assert e.best_minutes == min(v for v in e.minutes.values() if v is not None)
            assert e.distance_m > 0
            src = actors.loc[e.id]
            assert e.name == src["name"]
            assert e.lon == pytest.approx(src.geometry.x)


def test_k_nearest_plus_home_qpv(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    r = _radar(actors, qpv, k=2)
    relays = r.entries["relay"]
    in_qpv = [e for e in relays if e.in_home_qpv]
    assert in_qpv, "the Mosson has Maisons pour tous inside"
    assert all(e.qpv_name == "Mosson" for e in in_qpv)
    outside = [e for e in relays if not e.in_home_qpv]
    # every kept structure is among the 2 nearest or inside the person's QPV
    assert len(relays) <= 2 + len(in_qpv)
    nearest_two = sorted(relays, key=lambda e: e.best_minutes or math.inf)[:2]
    assert all(e in nearest_two for e in outside)
    # and every relay of the territory inside the Mosson is kept
    loc = gpd.sjoin(actors, qpv[qpv["nom_qp"] == "Mosson"], predicate="within")
    mosson_relays = {i for i in loc.index if "relay" in tuple(actors.loc[i, "roles"])}
    assert mosson_relays <= {e.id for e in relays}


def test_open_on_arrival_and_next_opening(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    # Tuesday 06:00–08:00: everything with known hours is closed on arrival and opens later.
    early = _radar(actors, qpv, when=datetime(2024, 1, 16, 6, 0), until="08:00")
    known = [e for es in early.entries.values() for e in es if e.opening_hours]
    assert known
    for e in known:
        assert e.open_on_arrival is False
        assert e.next_opening is not None and e.next_opening > e.arrival  # type: ignore[operator]
        assert e.open_within_hours is False
    # Sunday: the next opening is on Monday or later
    sunday = _radar(actors, qpv, when=datetime(2024, 1, 21, 10, 0))
    for e in (e for es in sunday.entries.values() for e in es if e.opening_hours):
        assert e.open_on_arrival is False
        assert e.next_opening is not None and e.next_opening.date() >= datetime(2024, 1, 22).date()
    # Tuesday morning: the Maisons pour tous are open on arrival
    assert any(e.open_on_arrival for e in early.entries["relay"]) is False
    assert all(
        e.open_on_arrival
        for e in _radar(actors, qpv).entries["relay"]
        if e.opening_hours and e.id.startswith("mpt:")
    )


def test_suggested_path_and_agent_override(radar: Radar) -> None:
    steps = [(s.need, s.role) for s in radar.path]
    assert steps == [
        ("creation", "relay"),
        ("creation", "entry_door"),
        ("creation", "support_financing"),
        ("emploi", "relay"),
        ("emploi", "employment"),
    ]
    relay = radar.entry(radar.path[0].entry_id)  # type: ignore[arg-type]
    assert relay.in_home_qpv  # a trusted relay inside the person's own QPV first
    other = radar.entries["entry_door"][-1]
    changed = radar.choose("entry_door", other.id)
    assert changed.first_choice("entry_door") == other
    assert [s.chosen_by for s in changed.path if s.role == "entry_door"] == ["agent"]
    with pytest.raises(PersonError, match="Valid ids"):
        radar.choose("entry_door", "nope:0")


def test_json_round_trip(radar: Radar, tmp_path: object) -> None:
    text = radar.to_json()
    back = Radar.from_json(text)
    assert back == radar
    assert back.rings[0].geometry.equals(radar.rings[0].geometry)
    assert json.loads(text)["person"]["needs"] == ["creation", "emploi"]


def test_to_frame(radar: Radar) -> None:
    df = radar.to_frame()
    assert df.crs == "EPSG:4326"
    assert len(df) == sum(len(es) for es in radar.entries.values())
    assert {"role", "rank", "name", "minutes_walk", "minutes_bike", "open_on_arrival"} <= set(df)
    first = radar.entries["relay"][0]
    row = df[(df["role"] == "relay") & (df["id"] == first.id)].iloc[0]
    assert row["minutes_bike"] == pytest.approx(first.minutes["bike"])
    assert row.geometry.x == pytest.approx(first.lon)


def test_geojson_blurs_home(radar: Radar) -> None:
    gj = radar.to_geojson()
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    n_entries = sum(len(es) for es in radar.entries.values())
    assert kinds.count("structure") == n_entries
    assert kinds.count("ring") == len(radar.rings) == 5
    assert kinds.count("route") == len(radar.roles)
    home = gj["features"][0]["geometry"]["coordinates"]
    assert (home[0], home[1]) != MOSSON
    assert radar.to_geojson(exact_home=True)["features"][0]["geometry"]["coordinates"] == list(
        MOSSON
    )
    json.dumps(gj)  # serialisable


def test_blur_is_deterministic_and_close() -> None:
    a = blur_lonlat(*MOSSON)
    assert a == blur_lonlat(*MOSSON)
    pts = gpd.GeoSeries(gpd.points_from_xy([MOSSON[0], a[0]], [MOSSON[1], a[1]]), crs=4326)
    m = pts.to_crs(2154)
    assert 0 < m.iloc[0].distance(m.iloc[1]) <= 71


def test_nothing_within_reach_still_useful(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    r = _radar(actors, qpv, max_minutes=1, needs=("entry_door",))
    [notice] = r.notices
    assert notice.code == "nothing_within" and notice.role == "entry_door"
    [nearest] = r.entries["entry_door"]
    assert not nearest.within_reach
    assert notice.nearest == nearest.name
    assert notice.nearest_minutes == pytest.approx(nearest.best_minutes)
    text = labels.notice_text(notice, "fr")
    assert text.startswith("rien à moins de 1 min")
    assert f"le plus proche : {nearest.name} à" in text
    assert "nearest" in labels.notice_text(notice, "en")


def test_home_outside_territory(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    with pytest.raises(UnreachableError, match="outside the montpellier territory"):
        _radar(actors, qpv, lon=2.3522, lat=48.8566)  # Paris


def test_k_must_be_positive(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    with pytest.raises(OptionError, match="k must be"):
        _radar(actors, qpv, k=0)


def test_need_without_structures(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    # Montpellier's sources hold no mobility platform: said plainly, and the rest still works.
    r = _radar(actors, qpv, needs=("mobilite", "emploi"))
    assert r.entries["mobility"] == ()
    assert any(n.code == "no_structure" and n.role == "mobility" for n in r.notices)
    [step] = [s for s in r.path if s.role == "mobility"]
    assert step.entry_id is None and r.first_choice("mobility") is None
    assert r.entries["employment"]
    assert (
        labels.notice_text(r.notices[0]) == "aucune structure « Mobilité » connue sur ce territoire"
    )
    from qpv_radar.render.map import radar_map

    assert "aucune structure" in radar_map(r).get_root().render()


def test_any_router_plugs_in(actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> None:
    # Any object with the methods of RadarNetworks: here straight lines at fixed speeds.
    r = compute_radar(
        "montpellier",
        person(modes=("walk",)),
        actors=actors,
        qpv=qpv,
        networks=StraightLines(),
    )
    home = gpd.GeoSeries(gpd.points_from_xy([MOSSON[0]], [MOSSON[1]]), crs=4326).to_crs(2154)
    for e in (e for es in r.entries.values() for e in es):
        dest = gpd.GeoSeries(gpd.points_from_xy([e.lon], [e.lat]), crs=4326).to_crs(2154)
        expected = dest.distance(home.iloc[0]).iloc[0] * 1.3 / 1.25 / 60
        assert e.minutes["walk"] == pytest.approx(expected)
    first = r.first_choice("relay")
    assert first is not None and first.legs[0].coords[-1] == (first.lon, first.lat)
    assert [g.minutes for g in r.rings] == [5, 10, 15, 20, 30]

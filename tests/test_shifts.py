"""Shift reachability per QPV (issue 16): Montpellier's 12 QPVs × 3 workplaces × 2 starts × 2 ends
× 3 days, the table, its sentences, and the arrive-by answers it rests on."""

from __future__ import annotations

import argparse
import time as clock
from datetime import date, time
from pathlib import Path

import pandas as pd
import pytest

from qpv_radar.cli import shifts

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "workplaces_montpellier.csv"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    shifts.register(parser.add_subparsers())
    args = parser.parse_args(["shifts", *argv])
    return int(args.func(args))


def test_shifts_table_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "shifts.csv"
    t0 = clock.perf_counter()
    argv = ["--workplaces", str(EXAMPLE), "--start", "05:30,06:00", "--end", "21:00,22:30",
            "--days", "mar,sam,dim", "--from-date", "2024-01-15", "--out", str(out),
            "--map", str(tmp_path / "shifts.html")]  # fmt: skip
    assert _run(*argv) == 0
    took = clock.perf_counter() - t0
    assert took < 60
    table = pd.read_csv(out)
    assert table["code_qp"].nunique() == 12 and table["workplace"].nunique() == 3
    assert len(table) == 12 * 3 * 4 * 3 * 3  # QPV × workplaces × moments × days × modes
    assert set(table["day"]) == {"2024-01-16", "2024-01-20", "2024-01-21"}
    assert table["share"].between(0, 1).all()
    # Euromédecine is at Mosson's door: everyone there by bike at 05:30
    mosson = table[(table.nom_qp == "Mosson") & (table.workplace == "Euromédecine")]
    assert (mosson[mosson["mode"] == "bike"]["share"] == 1).all()
    # a start is reached by fewer people on Sunday than on Tuesday, never more (by transit)
    tr = table[(table["mode"] == "transit") & (table.kind == "start")]
    by_day = tr.groupby("day")["share"].mean()
    assert by_day["2024-01-21"] <= by_day["2024-01-16"]
    # the last departure home: by public transport only, after the end, within 3 hours
    ends = table[table.kind == "end"]
    street = ends[ends["mode"] != "transit"]
    assert street["last_departure"].isna().all() and street["last_share"].isna().all()
    tr_end = ends[ends["mode"] == "transit"].dropna(subset=["last_departure"])
    assert len(tr_end) > 0.5 * len(ends[ends["mode"] == "transit"])
    last = pd.to_datetime(tr_end["last_departure"])
    end = pd.to_datetime(tr_end["day"] + " " + tr_end["time"])
    assert ((last >= end) & (last <= end + pd.Timedelta(hours=3))).all()
    assert tr_end["last_share"].between(0, 1).all()
    text = capsys.readouterr().out
    assert "dernier départ en transports pour rentrer : " in text
    assert "en transports, partir de chez soi au plus tard à " in text
    assert "à Mosson, peuvent être à Euromédecine à 5\u00a0h\u00a030 : " in text
    assert "% des habitants en transports ; " in text and "à vélo" in text
    page = (tmp_path / "shifts.html").read_text(encoding="utf-8")
    assert page.count("être à Euromédecine à 5\u00a0h\u00a030 · en transports") >= 1
    # one switchable layer per day × moment × workplace × mode
    for day in ("mardi 16 janvier 2024", "samedi 20 janvier 2024", "dimanche 21 janvier 2024"):
        assert f"{day} · être à Odysseum à 6\u00a0h\u00a000 · à vélo" in page


def test_arrive_by_share_is_the_reverse_search(tmp_path: Path) -> None:
    """A start's transit share counts the origins whose latest departure exists in the window."""
    import geopandas as gpd

    from qpv_radar import Networks
    from qpv_radar.analysis.shifts import shift_reachability
    from qpv_radar.planner.inputs import resident_origins

    nets = Networks("montpellier")
    qpv, origins = resident_origins("montpellier", nets.street_network("walk"))
    wp = pd.read_csv(EXAMPLE)
    wp = gpd.GeoDataFrame(wp, geometry=gpd.points_from_xy(wp.lon, wp.lat), crs=4326)
    wp = wp.set_index("name")[["geometry"]].iloc[:1]
    mine = origins[origins.code_qp == "QP034005"]
    got = shift_reachability(nets, wp, mine, qpv, starts=[time(5, 30)], ends=[],
                             days=[date(2024, 1, 16)], modes=["transit"])  # fmt: skip
    when = pd.Timestamp("2024-01-16 05:30").to_pydatetime()
    tt = nets.travel_times(mine, wp, mode="transit", arrive_by=when, window_minutes=60)
    ok = tt["departure"].notna().to_numpy()
    w = mine["population"].to_numpy(float)
    assert got["share"].iloc[0] == pytest.approx((w * ok).sum() / w.sum())


def test_last_departure_home_gets_home_and_is_the_last(tmp_path: Path) -> None:
    """Each origin's last departure home is a real journey within the limit (a forward search
    from it says so), after the end; where it is exact (the first search) no departure a second
    later arrives by the same time."""
    import geopandas as gpd

    from qpv_radar import Networks
    from qpv_radar.analysis import shifts as sh
    from qpv_radar.planner.inputs import resident_origins

    nets = Networks("montpellier")
    _qpv, origins = resident_origins("montpellier", nets.street_network("walk"))
    wp = pd.read_csv(EXAMPLE)
    wp = gpd.GeoDataFrame(wp, geometry=gpd.points_from_xy(wp.lon, wp.lat), crs=4326)
    wp = wp.set_index("name")[["geometry"]].loc[["Odysseum"]]  # across the city from Mosson
    mine = origins[origins.code_qp == "QP034005"]
    end = pd.Timestamp("2024-01-16 22:30").to_pydatetime()
    pairs = pd.DataFrame({"workplace": wp.index[0], "origin": mine.index})
    got = sh._last_home(nets, mine, wp, end, 60.0, 180.0, pairs)
    walk = nets.travel_times(wp, mine, mode="walk")["travel_time"].to_numpy()
    assert [x == sh.WALK for x in got] == list(walk <= 3600)
    last = [pd.Timestamp(x) for x in got if x != sh.WALK and not pd.isna(x)]
    assert (walk > 3600).sum() >= 5 and len(last) >= 5  # tram 1, end to end, ~50 min
    checked = 0
    top = end + pd.Timedelta(minutes=180)
    for origin, dep in zip(mine.index, got, strict=True):
        if dep == sh.WALK or pd.isna(dep):
            continue
        dep = pd.Timestamp(dep)
        assert end <= dep <= top
        home = mine.loc[[origin]]
        fwd = nets.travel_times(wp, home, mode="transit", departure=dep.to_pydatetime())
        took = float(fwd["travel_time"].iloc[0])
        assert took <= 3600 + 1  # gets home within the hour (door to door, waits included)
        checked += 1
        if top - dep <= pd.Timedelta(minutes=60):  # exact: nothing later arrives by then
            later = dep + pd.Timedelta(seconds=1)
            fwd = nets.travel_times(wp, home, mode="transit", departure=later.to_pydatetime())
            after = float(fwd["travel_time"].iloc[0])
            assert not later + pd.Timedelta(seconds=after) <= top
    assert checked >= 5

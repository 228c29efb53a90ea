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
    text = capsys.readouterr().out
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

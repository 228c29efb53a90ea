"""Coverage over many territories on a real LocalCluster (issue 13), on real data.

Three territories: Montpellier (built in: streets + TaM), Grenoble (built here from national
data: ANCT 2024 list, TAG timetable with calendar_dates only, no streets) and Rennes (its 2015
perimeters, national structures, no streets, no GTFS: walked in a straight line).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from qpv_radar import planner
from qpv_radar.territories import new_territory
from qpv_radar.territory import load_territory

distributed = pytest.importorskip("dask.distributed")
dask_geopandas = pytest.importorskip("dask_geopandas")

OPTS = {"role": "employment", "minutes": 30.0, "slots": ["weekday-09:00"], "mode": "transit"}


@pytest.fixture(scope="module")
def territories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("territories")
    out = {"montpellier": "montpellier"}
    grenoble = new_territory(
        "grenoble", communes=["38185"], gtfs=["gtfs/grenoble_sem_tag_2023-04/SEM-GTFS.zip"]
    )
    out["grenoble"] = str(grenoble.write(folder / "grenoble.toml"))
    out["rennes"] = str(new_territory("rennes", communes=["35238"]).write(folder / "rennes.toml"))
    return out


@pytest.fixture(scope="module")
def client() -> object:
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    cl = distributed.Client(cluster)
    yield cl
    cl.close()
    cluster.close()


def test_new_territories_follow_the_national_data(territories: dict[str, str]) -> None:
    rennes = load_territory(territories["rennes"])
    assert rennes.streets is None and rennes.gtfs == () and rennes.crs == "EPSG:2154"
    assert "ligne droite" in rennes.qpv_note and "straight line" in rennes.qpv_note_en
    from qpv_radar.qpv import load_qpv

    qpv = load_qpv(rennes)
    # Rennes' five 2015 perimeters, Saint-Malo's left out; population from the file
    assert sorted(qpv["code_qp"]) == ["QP035002", "QP035003", "QP035004", "QP035005", "QP035006"]
    assert bool(qpv["is_perimeter"].all()) and qpv["pop_mun"].sum() > 30_000
    grenoble = load_territory(territories["grenoble"])
    g = load_qpv(grenoble)
    assert len(g) >= 3 and not bool(g["is_perimeter"].any())  # ANCT's lists, flagged
    # origins honestly at the commune's centre, never "a grid inside each perimeter"
    assert "centre de la commune" in grenoble.qpv_note and "grille" not in grenoble.qpv_note
    assert "grid" not in grenoble.qpv_note_en
    assert grenoble.default_when is not None and grenoble.default_when.weekday() == 1


def test_many_equals_single_runs_failures_and_skips(
    territories: dict[str, str], client: object, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "broken"\n[qpv]\nperimeters = "nowhere.geojson"\n', "utf-8")
    files = [*territories.values(), str(broken)]
    res = planner.coverage_many(files, out_dir=tmp_path / "out", client=client, **OPTS)
    status = dict(zip(res.summary["territory"], res.summary["status"], strict=True))
    assert status == {"montpellier": "ok", "grenoble": "ok", "rennes": "ok", "broken": "failed"}
    assert "default_when" in res.failed["error"].iat[0]
    walking = dict(zip(res.summary["territory"], res.summary["walking"], strict=True))
    assert walking["montpellier"] == "streets" and walking["rennes"] == "straight_line"
    modes = dict(zip(res.summary["territory"], res.summary["mode"], strict=True))
    assert modes == {"montpellier": "transit", "grenoble": "transit", "rennes": "walk"} | {
        "broken": modes["broken"]
    }

    combined = gpd.read_parquet(res.dataset)
    assert set(combined["territory"].astype(str)) == {"montpellier", "grenoble", "rennes"}
    assert dask_geopandas.read_parquet(res.dataset).npartitions == 3
    for name, path in territories.items():
        opts = dict(OPTS, mode="walk") if name == "rennes" else OPTS
        single = planner.coverage(path, **opts).table  # type: ignore[arg-type]
        part = combined[combined["territory"].astype(str) == name]
        part = part.drop(columns=["territory", "walking", "notice", "note"])
        key = ["code_qp", "slot"]
        pd.testing.assert_frame_equal(
            pd.DataFrame(part.drop(columns="geometry")).sort_values(key).reset_index(drop=True),
            pd.DataFrame(single.drop(columns="geometry")).sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )
        a = part.sort_values(key).geometry.reset_index(drop=True)
        b = single.sort_values(key).geometry.reset_index(drop=True)
        assert a.geom_equals_exact(b, tolerance=1e-9).all()
    # Grenoble's population is unknown (ANCT's lists): NaN shares and counts, never 0
    gre = combined[combined["territory"].astype(str) == "grenoble"]
    assert not gre["population_known"].any() and gre["share_uncovered"].isna().all()
    assert gre["population"].isna().all() and gre["pop_uncovered"].isna().all()
    mtp = combined[combined["territory"].astype(str) == "montpellier"]
    assert mtp["population_known"].all() and mtp["population"].gt(0).all()
    unknown = dict(
        zip(res.summary["territory"], res.summary["n_qpv_population_unknown"], strict=True)
    )
    assert unknown["grenoble"] == gre["code_qp"].nunique() and unknown["montpellier"] == 0
    assert "n_qpv_population_unknown" in pd.read_csv(res.summary_csv).columns
    # the notice of the walked territory is in its rows
    rennes_rows = combined[combined["territory"].astype(str) == "rennes"]
    assert set(rennes_rows["notice"]) == {"many.walk_instead"}
    assert rennes_rows["note"].str.contains("ligne droite").all()

    # a re-run skips the unchanged territories; a changed file is computed again
    touched = Path(territories["rennes"])
    touched.write_text(touched.read_text("utf-8") + "\n# changed\n", "utf-8")
    again = planner.coverage_many(files, out_dir=tmp_path / "out", client=client, **OPTS)
    status = dict(zip(again.summary["territory"], again.summary["status"], strict=True))
    assert status == {
        "montpellier": "skipped",
        "grenoble": "skipped",
        "rennes": "ok",
        "broken": "failed",
    }
    assert len(gpd.read_parquet(again.dataset)) == len(combined)
    shutil.rmtree(tmp_path / "out")


def test_accessibility_many_equals_single_runs_and_skips(
    territories: dict[str, str], client: object, tmp_path: Path
) -> None:
    opts = {"roles": ["employment"], "modes": ["walk", "transit"], "slots": ["weekday-09:00"]}
    files = [territories["grenoble"], territories["rennes"]]
    res = planner.accessibility_many(files, out_dir=tmp_path, client=client, **opts)
    assert dict(zip(res.summary["territory"], res.summary["status"], strict=True)) == {
        "grenoble": "ok",
        "rennes": "ok",
    }
    modes = dict(zip(res.summary["territory"], res.summary["mode"], strict=True))
    assert modes == {"grenoble": "walk,transit", "rennes": "walk"}
    assert res.dataset == tmp_path / "accessibility" and res.summary_csv.is_file()
    combined = gpd.read_parquet(res.dataset)
    assert dask_geopandas.read_parquet(res.dataset).npartitions == 2
    assert combined.crs.to_epsg() == 4326 and combined.geometry.notna().all()
    for name, path in zip(["grenoble", "rennes"], files, strict=True):
        o = dict(opts, modes=["walk"]) if name == "rennes" else opts
        single = planner.accessibility(path, **o)  # type: ignore[arg-type]
        part = combined[combined["territory"].astype(str) == name]
        part = pd.DataFrame(
            part.drop(columns=["territory", "walking", "notice", "note", "geometry"])
        )
        key = ["code_qp", "mode", "while_open"]
        pd.testing.assert_frame_equal(
            part.sort_values(key).reset_index(drop=True),
            single.sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )
    rennes = combined[combined["territory"].astype(str) == "rennes"]
    assert set(rennes["notice"]) == {"many.walk_instead"} and rennes["population_known"].all()
    gre = combined[combined["territory"].astype(str) == "grenoble"]
    assert gre["share_within_30"].isna().all() and not gre["population_known"].any()
    assert gre["median_min"].notna().all()  # times from the commune's centre are still given
    again = planner.accessibility_many(files, out_dir=tmp_path, client=client, **opts)
    assert set(again.summary["status"]) == {"skipped"}

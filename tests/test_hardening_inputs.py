"""Issue 12, inputs: each class of bad input is refused (or warned about) with a clear error.

One test per class: territory files (schema: sections, keys, types, CRS, timezone, loaders and
their options, formats, encodings, dates), radar JSON files (versioned schema), GTFS zips
(declared sizes, damaged members, frequencies, times going backwards), street files (GraphML,
OSM XML), actor sources (encodings, unknown kinds and roles, rows left out, no structure) and
QPV perimeters repaired a lot (bow-ties).
"""

from __future__ import annotations

import json
import logging
import re
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from qpv_radar import (
    InputFileError,
    RadarFileError,
    TerritoryError,
    fetch,
    load_territory,
)
from qpv_radar.actors import load_actors, read_generic
from qpv_radar.actors.france_services import read_france_services
from qpv_radar.networks.gtfs.read import parse_feed
from qpv_radar.networks.readers import read_street_file
from qpv_radar.qpv import read_qpv
from qpv_radar.radar.model import Radar

# --- territory files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('name = "x"\n[[actor]]\nloader = "generic"\nsource = "a.csv"\n', "did you mean 'actors'"),
        ('name = "x"\ncommunes = "34172"\n', 'communes = ["34172"'),
        ('name = "x"\ncommunes = [34172.0]\n', "communes[1]: 34172.0 has the wrong type"),
        ('name = "x"\ncommunes = ["3417"]\n', "not an INSEE commune code"),
        ('name = "x"\ntimezone = "Europe/Pari"\n', "did you mean 'Europe/Paris'"),
        ('name = "x"\ncrs = "EPSG:4326"\n', "not a projected CRS in metres"),
        ('name = "x"\ncrs = "EPSG:999999"\n', "not a coordinate reference system"),
        ('name = "x"\n[streets]\nsource = "s.osm"\nformat = "osmx"\n', "did you mean 'osm'"),
        ('name = "x"\n[streets]\nsource = "s.osm"\nwalks = "w.osm"\n', "did you mean 'walk'"),
        (
            'name = "x"\n[[actors]]\nloader = "france_service"\nsource = "a.csv"\n',
            "unknown actor loader 'france_service' (did you mean 'france_services'?)",
        ),
        (
            'name = "x"\n[[actors]]\nloader = "generic"\nsource = "a.csv"\nid_prefx = "m"\n',
            "unknown option 'id_prefx' for the loader 'generic' (did you mean 'id_prefix'?)",
        ),
        ('name = "x"\n[qpv]\nperimeters = "p.geojson"\ngeneration = 2020\n', "2015 or 2024"),
        ('name = "x"\n[qpv]\nperimeter = "p.geojson"\n', "did you mean 'perimeters'"),
        ('name = "x"\n[[gtfs]]\nsource = "f.zip"\npan_resources = "abc"\n', "pan_resources"),
        ('name = "x"\n[directory]\nfile = 3\n', 'file = "annuaire_local.csv"'),
        ('name = "x"\ndefault_when = "mardi"\n', "ISO date-time"),
        ('name = "x"\ndefault_when = 2024-01-16\n', "ISO date-time"),
        ("name = 3\n", 'name = "my_area"'),
        ('label = "x"\n', "missing 'name' key"),
    ],
)
def test_territory_schema_refuses_with_the_fix(tmp_path: Path, content: str, expected: str) -> None:
    f = tmp_path / "t.toml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(TerritoryError) as err:
        load_territory(f)
    assert expected in str(err.value) and str(f) in str(err.value)
    assert err.value.message("fr") != err.value.message("en")  # worded in French too


def test_territory_schema_lists_every_problem_in_french(tmp_path: Path) -> None:
    f = tmp_path / "t.toml"
    f.write_text('name = "x"\ncommunes = "34172"\ntimezone = "Paris"\n[[actor]]\n', "utf-8")
    with pytest.raises(TerritoryError) as err:
        load_territory(f)
    fr = err.value.message("fr")
    assert "3 problème(s)" in fr and "vouliez-vous dire 'actors'" in fr
    assert "fuseau horaire inconnu 'Paris'" in fr


def test_territory_file_encoding_and_offsets(tmp_path: Path) -> None:
    f = tmp_path / "beziers.toml"
    f.write_bytes('name = "béziers"\nlabel = "Béziers"\n'.encode("latin-1"))
    with pytest.raises(TerritoryError, match=r"not UTF-8 .*iconv -f latin1 -t utf-8"):
        load_territory(f)
    f.write_bytes('\ufeffname = "béziers"\n'.encode())  # a BOM is fine
    assert load_territory(f).name == "béziers"
    # an offset in default_when: the same instant in the territory's timezone
    f.write_text('name = "x"\ndefault_when = "2024-01-16T08:00+00:00"\n', "utf-8")
    when = load_territory(f).default_when
    assert when is not None and when.tzinfo is None and when.hour == 9


def test_territory_loader_options_pass_through(tmp_path: Path) -> None:
    f = tmp_path / "t.toml"
    f.write_text(
        'name = "t"\ncommunes = ["2A004"]\n[[actors]]\nloader = "generic"\nsource = "m.csv"\n'
        'kind = "mobility"\ncolumns = { name = "NOM" }\n[streets]\nsource = "s.osm"\n'
        'bike = "b.osm"\n',
        "utf-8",
    )
    t = load_territory(f)
    assert t.actors[0].options == {"kind": "mobility", "columns": {"name": "NOM"}}
    assert t.streets is not None and t.streets.options == {"bike": "b.osm"}
    assert t.crs == "EPSG:2154" and t.timezone == "Europe/Paris" and t.label == "t"


# --- radar files -------------------------------------------------------------------------------


def _radar_dict() -> dict[str, object]:
    entry = {
        "id": "x:1", "role": "relay", "rank": 1, "name": "<script>alert(1)</script>",
        "roles": ["relay"], "kind": "centre_social", "address": "<b>1 rue</b>", "commune": None,
        "phone": None, "email": None, "website": "javascript:alert(1)", "opening_hours": None,
        "mobile": False, "source": None, "lon": 3.87, "lat": 43.61, "qpv_code": None,
        "qpv_name": None, "distance_m": 120.0, "minutes": {"walk": 2.0}, "best_mode": "walk",
        "best_minutes": 2.0, "within_reach": True, "in_home_qpv": False, "arrival": None,
        "open_on_arrival": None, "open_within_hours": None, "next_opening": None, "legs": [],
    }  # fmt: skip
    person = {
        "lon": 3.87, "lat": 43.61, "when": "2024-01-16T09:00:00", "until": "2024-01-16T12:00:00",
        "modes": ["walk"], "needs": ["creation"], "max_minutes": 45.0,
    }  # fmt: skip
    return {
        "type": "qpv_radar.Radar", "version": 1, "person": person, "territory": "montpellier",
        "entries": {"relay": [entry]}, "path": [], "rings": [],
    }  # fmt: skip


def test_radar_file_schema(tmp_path: Path) -> None:
    good = _radar_dict()
    radar = Radar.from_json(json.dumps(good))
    assert radar.entries["relay"][0].name == "<script>alert(1)</script>"  # data, kept as is
    for change, expected in [
        ({"version": 7}, "version 7 is not one"),
        ({"entries": {"relay": [{"id": "x"}]}}, "entries.relay[0].role (missing)"),
        ({"person": {"lon": "east"}}, "person.lon"),
        ({"type": "something"}, "not a qpv_radar radar JSON"),
    ]:
        with pytest.raises(RadarFileError, match=re.escape(expected)):
            Radar.from_json(json.dumps({**good, **change}))
    latin = tmp_path / "r.json"
    text = json.dumps(good, ensure_ascii=False).replace("montpellier", "é")
    latin.write_bytes(text.encode("latin-1"))
    with pytest.raises(RadarFileError, match="not UTF-8"):
        Radar.from_json(latin)
    with pytest.raises(RadarFileError, match="cannot be read"):
        Radar.from_json(tmp_path / "missing.json")
    latin.write_text("{not json", "utf-8")
    with pytest.raises(RadarFileError) as err:
        Radar.from_json(latin)
    assert "JSON invalide" in err.value.message("fr")


# --- GTFS --------------------------------------------------------------------------------------

_FEED = {
    "agency.txt": "agency_name,agency_timezone\nNight,Europe/Paris\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,43.6,3.8\nZ,Zulu,43.61,3.81\n",
    "routes.txt": "route_id,route_short_name,route_type\nR1,N1,3\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nDAY,1,1,1,1,1,1,1,20240101,20240131\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,DAY,t1\n",
    "stop_times.txt": "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
    "t1,A,12:00:00,12:00:00,1\nt1,Z,12:30:00,12:30:00,2\n",
}


def _zip(path: Path, method: int = zipfile.ZIP_DEFLATED, **tables: str | bytes) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, text in {**_FEED, **{k + ".txt": v for k, v in tables.items()}}.items():
            z.writestr(name, text)
    return path


def test_gtfs_zip_bomb_refused_before_reading(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in _FEED.items():
            if name != "stop_times.txt":
                z.writestr(name, text)
        with z.open("shapes.txt", "w") as fh:  # not read: not checked
            fh.write(b"0" * 1000)
        with z.open("stop_times.txt", "w", force_zip64=True) as fh:
            fh.write(_FEED["stop_times.txt"].encode())
            block = b"t1,A,12:00:00,12:00:00,1\n" * 40_000
            for _ in range(200):  # ~200 MB that compress ~ 1000 times
                fh.write(block)
    assert bomb.stat().st_size < 2_000_000
    t0 = time.perf_counter()
    with pytest.raises(InputFileError, match=r"stop_times\.txt declares .* zip bomb"):
        parse_feed(str(bomb))
    assert time.perf_counter() - t0 < 1.0


def test_gtfs_damaged_members(tmp_path: Path) -> None:
    # a flipped byte in a stored member: bad CRC
    stored = _zip(tmp_path / "crc.zip", zipfile.ZIP_STORED)
    data = bytearray(stored.read_bytes())
    i = data.index(b"t1,A,12:00:00")
    data[i + 5] ^= 0x01
    stored.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"crc\.zip:stop_times\.txt: damaged .*download"):
        parse_feed(str(stored))
    # a corrupt deflate stream
    big = "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n" + "".join(
        f"t{i},A,12:00:00,12:00:00,1\nt{i},Z,12:{i % 60:02d}:00,12:59:00,2\n" for i in range(2000)
    )
    deflated = _zip(tmp_path / "deflate.zip", stop_times=big)
    with zipfile.ZipFile(deflated) as z:
        info = z.getinfo("stop_times.txt")
    data = bytearray(deflated.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 60] = bytes(range(50))
    deflated.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"deflate\.zip:stop_times\.txt: damaged"):
        parse_feed(str(deflated))
    # a Latin-1 table
    stops = _FEED["stops.txt"].replace("Alpha", "Hôtel de ville").encode("latin-1")
    latin = _zip(tmp_path / "latin.zip", stops=stops)
    with pytest.raises(InputFileError, match=r"latin\.zip:stops\.txt: not UTF-8 .*iconv"):
        parse_feed(str(latin))


def test_gtfs_frequencies_bounded(tmp_path: Path) -> None:
    head = "trip_id,start_time,end_time,headway_secs\n"
    tiny = _zip(tmp_path / "tiny.zip", frequencies=head + "t1,06:00:00,22:00:00,0.01\n")
    t0 = time.perf_counter()
    with pytest.raises(InputFileError, match=r"row 1.*headway '0\.01' is not a whole number"):
        parse_feed(str(tiny))
    many = _zip(tmp_path / "many.zip", frequencies=head + "t1,00:00:00,900:00:00,1\n")
    with pytest.raises(InputFileError, match=r"expands into 3,240,000 trips.*rows 1 \("):
        parse_feed(str(many))
    assert time.perf_counter() - t0 < 2.0
    ok = parse_feed(str(_zip(tmp_path / "ok.zip", frequencies=head + "t1,06:00:00,07:00:00,600\n")))
    assert len(ok.trips) == 6


def test_gtfs_times_going_backwards_are_refused(tmp_path: Path) -> None:
    st = (
        "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
        "t1,A,12:00:00,12:00:00,1\nt1,Z,11:30:00,11:31:00,2\n"
    )
    with pytest.raises(InputFileError) as err:
        parse_feed(str(_zip(tmp_path / "back.zip", stop_times=st)))
    assert "row 2" in str(err.value) and "goes back in time" in str(err.value)
    st = (
        "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
        "t1,A,12:00:00,11:59:00,1\nt1,Z,12:30:00,12:30:00,2\n"
    )
    with pytest.raises(InputFileError, match="row 1"):
        parse_feed(str(_zip(tmp_path / "dep.zip", stop_times=st)))
    feed = parse_feed(str(_zip(tmp_path / "fine.zip")))  # the same trip forwards: read
    assert (np.diff(feed.tmpl_arr) >= 0).all()


# --- street files ------------------------------------------------------------------------------


def test_malformed_street_files(tmp_path: Path) -> None:
    for name, text in [
        ("bad.graphml", '<?xml version="1.0"?><graphml><graph><node id="1"'),
        ("bad.osm", '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="4'),
        ("bad.gpkg", "not a geopackage"),
        ("bad.shp", "not a shapefile"),
    ]:
        (tmp_path / name).write_text(text, "utf-8")
        with pytest.raises(InputFileError, match=name.replace(".", r"\.")):
            read_street_file(tmp_path / name)


# --- actors ------------------------------------------------------------------------------------


def test_actor_sources_not_utf8(tmp_path: Path) -> None:
    fs = fetch("actors/france_services/liste-fs-20240801.csv").read_text("utf-8")
    latin = tmp_path / "fs.csv"
    latin.write_bytes(fs[:3000].encode("latin-1", errors="replace"))
    with pytest.raises(InputFileError, match=r"fs\.csv.*UTF-8"):
        read_france_services(latin)
    g = tmp_path / "g.csv"
    g.write_bytes("name,lon,lat\nCafé,3.87,43.61\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"g\.csv.*encoding"):
        read_generic(g, kind="mobility")


def test_unknown_kind_and_role_are_errors(tmp_path: Path) -> None:
    g = tmp_path / "g.csv"
    g.write_text("name,lon,lat,kind\nAuto-école,3.87,43.61,mobilty\n", "utf-8")
    with pytest.raises(InputFileError, match=r"row 1.*unknown kind 'mobilty'.*'mobility'"):
        read_generic(g)
    with pytest.raises(InputFileError, match=r"unknown kind 'mision_locale'.*'mission_locale'"):
        read_generic(g, kind="mision_locale")
    with pytest.raises(InputFileError, match=r"unknown role 'relais'.*'relay'"):
        read_generic(g, roles=["relais"])


def test_rows_left_out_warned_and_no_structure_is_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "g.csv").write_text(
        "name,lon,lat,commune_code\nA,3.87,43.61,34172\nB,3.88,43.62,34172\n", "utf-8"
    )
    f = tmp_path / "t.toml"
    f.write_text(
        'name = "t"\ncommunes = ["34172"]\n[[actors]]\nloader = "generic"\nsource = "g.csv"\n'
        'kind = "other"\n',
        "utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="qpv_radar.actors"):
        got = load_actors(load_territory(f), progress=False, directory=False)
    assert len(got) == 2
    assert "2 with no role, on no radar (g:1, g:2)" in caplog.text
    f.write_text(f.read_text("utf-8").replace("34172", "34057", 1), "utf-8")
    with pytest.raises(TerritoryError) as err:
        load_actors(load_territory(f), progress=False, directory=False)
    assert "generic:g.csv" in str(err.value) and "34057" in str(err.value)
    assert "aucune structure" in err.value.message("fr")


# --- QPV perimeters ----------------------------------------------------------------------------


def test_bow_tie_perimeter_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    square = [[3.80, 43.60], [3.81, 43.60], [3.81, 43.61], [3.80, 43.61], [3.80, 43.60]]
    bow_tie = [[3.82, 43.60], [3.83, 43.61], [3.83, 43.60], [3.82, 43.61], [3.82, 43.60]]
    feats = [
        {
            "type": "Feature",
            "properties": {"code_qp": code, "nom_qp": name, "commune_qp": "Montpellier"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, name, ring in [("QP034001", "Carré", square), ("QP034002", "Nœud", bow_tie)]
    ]
    path = tmp_path / "qpv.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    # (a note about the built-in data is a warning once, then DEBUG: read it at DEBUG level)
    with caplog.at_level(logging.DEBUG, logger="qpv_radar.qpv"):
        read_qpv(fetch("qpv/occitanie_hackaviz2021/qp.geojson"))
    # rings that only touch themselves: repaired, the area unchanged, no alarm
    assert "repaired" in caplog.text and "bow-tie" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="qpv_radar.qpv"):
        gdf = read_qpv(path)
    assert len(gdf) == 2
    assert "bow-tie" in caplog.text and "row 2 (area changed by 100%, 1 → 2 part(s))" in caplog.text

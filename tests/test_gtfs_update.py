"""Fresh feeds: `qpv-radar data update-gtfs` against a real HTTP server on 127.0.0.1.

The server answers ``GET /api/datasets/{id}`` with the shape of transport.data.gouv.fr's API
(``resources`` with ``url``, ``format``, ``is_available``, ``updated``, ``metadata``) and
serves a real feed: the TaM zip of the mirror with its calendar moved 156 weeks later
(2026-12-14 → 2027-02-21, same weekdays), so that a date only the new feed covers tells which
feed the networks route on. Nothing else is contacted (conftest blocks every other host).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import socket
import threading
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from qpv_radar import Networks, load_territory
from qpv_radar._cache import file_sha256
from qpv_radar._errors import FeedUpdateError
from qpv_radar.cli.main import main
from qpv_radar.feeds_update import current_feed, pick_resources, update_gtfs, updates_dir
from qpv_radar.networks.gtfs import load_timetable, read_feed

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
SHIFT = timedelta(weeks=156)
OLD_DAY = date(2024, 1, 16)  # a school-term Tuesday of the mirror's feed
NEW_DAY = OLD_DAY + SHIFT  # 2027-01-12, a Tuesday only the moved feed covers
DATASET = "662ba9a3f7d9ff84a3060d0a"


def _shift(text: str, columns: tuple[str, ...]) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        for c in columns:
            d = date(int(r[c][:4]), int(r[c][4:6]), int(r[c][6:8])) + SHIFT
            r[c] = d.strftime("%Y%m%d")
        writer.writerow(r)
    return out.getvalue()


@pytest.fixture(scope="module")
def moved_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The mirror's TaM feed with every calendar date 156 weeks later (a real, larger period)."""
    src = Path(os.environ["QPV_RADAR_MIRROR"]) / TAM
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "calendar.txt":
                data = _shift(data.decode("utf-8-sig"), ("start_date", "end_date")).encode()
            elif info.filename == "calendar_dates.txt":
                data = _shift(data.decode("utf-8-sig"), ("date",)).encode()
            zout.writestr(info.filename, data)
    return buf.getvalue()


class _Pan:
    """A tiny national access point: path → (status, content type, body); requests logged."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        pan = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                pan.requests.append(self.path)
                status, ctype, body = pan.routes.get(
                    self.path, (404, "application/json", b'{"errors":"dataset not found"}')
                )
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, zip_bytes: bytes, *, dataset: str = DATASET) -> None:
        """The dataset's API answer (real shape) and its GTFS file."""
        start, end = date(2023, 12, 18) + SHIFT, date(2024, 2, 25) + SHIFT
        resources = [
            {  # the current file
                "datagouv_id": "350c3f75-226e-4570-960a-dec2144926b6",
                "id": 81754,
                "title": "Horaires de référence urbain (GTFS) ",
                "type": "main",
                "format": "GTFS",
                "is_available": True,
                "url": f"{self.url}/files/tam-urbain.zip",
                "original_url": f"{self.url}/files/tam-urbain.zip",
                "updated": "2026-12-01T10:00:00+01:00",
                "filesize": len(zip_bytes),
                "metadata": {"start_date": start.isoformat(), "end_date": end.isoformat()},
                "start_calendar_validity": start.isoformat(),
                "end_calendar_validity": end.isoformat(),
            },
            {  # an older file of the same dataset
                "datagouv_id": "old-1",
                "title": "GTFS 2025",
                "format": "GTFS",
                "is_available": True,
                "url": f"{self.url}/files/old.zip",
                "updated": "2025-06-01T10:00:00+02:00",
                "metadata": {"start_date": "2025-01-01", "end_date": "2025-06-30"},
            },
            {  # later, but the access point finds it unavailable
                "datagouv_id": "broken-1",
                "title": "GTFS 2027",
                "format": "GTFS",
                "is_available": False,
                "url": f"{self.url}/files/missing.zip",
                "metadata": {"start_date": "2027-01-01", "end_date": "2027-12-31"},
            },
            {  # real time: not a timetable
                "datagouv_id": "rt-1",
                "title": "Mises à jour des trajets urbain",
                "format": "gtfs-rt",
                "is_available": True,
                "url": f"{self.url}/files/rt.pb",
            },
        ]
        body = {
            "datagouv_id": dataset,
            "id": dataset,
            "slug": "offre-de-transport-tam-en-temps-reel-gtfs-rt-urbain-et-suburbain",
            "title": "Montpellier",
            "type": "public-transit",
            "resources": resources,
            "community_resources": [],
        }
        self.routes[f"/api/datasets/{dataset}"] = (
            200,
            "application/json",
            json.dumps(body).encode(),
        )
        self.routes["/files/tam-urbain.zip"] = (200, "application/zip", zip_bytes)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pan(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Pan]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    server = _Pan()
    monkeypatch.setenv("QPV_RADAR_PAN_URL", server.url)
    yield server
    server.close()


@pytest.fixture
def territory(tmp_path: Path, empty_cache: Path) -> Path:
    """A territory file with the mirror's TaM feed, naming its dataset on the access point."""
    path = tmp_path / "tam_test.toml"
    path.write_text(
        'name = "tam_test"\ncrs = "EPSG:2154"\ntimezone = "Europe/Paris"\n\n'
        f'[[gtfs]]\nsource = "{TAM}"\npan_dataset = "{DATASET}"\n',
        "utf-8",
    )
    return path


def _points(*lonlat: tuple[float, float]) -> gpd.GeoDataFrame:
    ids = [f"p{i}" for i in range(len(lonlat))]
    geom = gpd.points_from_xy([p[0] for p in lonlat], [p[1] for p in lonlat])
    return gpd.GeoDataFrame({"id": ids}, geometry=geom, crs=4326).set_index("id")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_update_is_fetched_verified_stored_and_routed_on(
    pan: _Pan, territory: Path, moved_zip: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    pan.publish(moved_zip)
    nets = Networks(territory)
    (original,) = nets.gtfs_paths
    assert original.name == "TAM_MMM_GTFS.zip"
    old_start, old_end = read_feed(original).period
    assert not old_start <= NEW_DAY <= old_end  # only the new feed covers NEW_DAY
    old_trips = load_timetable(original, OLD_DAY).n_trips

    assert main(["data", "update-gtfs", "--territory", str(territory), "--json"]) == 0
    (out,) = json.loads(capsys.readouterr().out)
    assert out["status"] == "updated"
    assert out["period"] == {"start": "2026-12-14", "end": "2027-02-21"}
    (f,) = out["files"]
    assert f["url"] == f"{pan.url}/files/tam-urbain.zip"  # the current, available GTFS file
    assert pan.requests == [f"/api/datasets/{DATASET}", "/files/tam-urbain.zip"]
    stored = Path(f["path"])
    assert stored.parent.parent == updates_dir("tam_test", DATASET)
    assert file_sha256(stored) == f["sha256"] == hashlib.sha256(moved_zip).hexdigest()
    manifest = json.loads((stored.parent / "manifest.json").read_text("utf-8"))
    assert manifest["files"][0]["sha256"] == f["sha256"]
    assert manifest["period"] == out["period"] and manifest["fetched_at"]

    # the next Networks route on the fresh feed: NEW_DAY has the trips OLD_DAY had
    fresh = Networks(territory)
    assert fresh.gtfs_paths == (stored,)
    assert fresh.timetable(NEW_DAY).n_trips == old_trips > 1000
    # and routes by tram on it: Mosson → Gare Saint-Roch, 6 km, well under the walk
    home = _points((3.8197, 43.6161))
    station = _points((3.8807, 43.6047))
    when = datetime.combine(NEW_DAY, time(9, 0))
    by_transit = fresh.travel_times(home, station, mode="transit", departure=when)
    minutes = float(by_transit["travel_time"].iloc[0]) / 60
    walk_minutes = 6.0 * 1.3 / 5.0 * 60  # the straight line × 1.3 at 5 km/h (no streets here)
    assert 10 < minutes < walk_minutes / 2, minutes
    # the same journey as the mirror's feed gives on the same Tuesday 156 weeks earlier
    old = Networks(None, gtfs=original, crs="EPSG:2154")
    then = old.travel_times(home, station, mode="transit", departure=when - SHIFT)
    assert float(then["travel_time"].iloc[0]) / 60 == pytest.approx(minutes)
    print(f"Mosson → Saint-Roch {NEW_DAY:%Y-%m-%d} 09:00 by transit: {minutes:.1f} min")
    assert original.is_file()  # the old feed is kept beside it

    # the same publication again: nothing new stored
    (again,) = update_gtfs(territory)
    assert again.status == "unchanged" and again.paths == (stored,)
    assert len(list(updates_dir("tam_test", DATASET).iterdir())) == 1


def _damaged(data: bytes) -> bytes:
    """Flip bytes in the middle of the compressed data (the zip directory stays readable)."""
    mid = len(data) // 2
    return data[:mid] + bytes(b ^ 0xFF for b in data[mid : mid + 64]) + data[mid + 64 :]


def _without(data: bytes, name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            if info.filename != name:
                zout.writestr(info, zin.read(info.filename))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("spoil", "code", "words"),
    [
        (lambda b: b[: len(b) // 2], "gtfs_update.corrupt", "n'est pas une archive zip intacte"),
        (_damaged, "gtfs_update.corrupt", "n'est pas une archive zip intacte"),
        (lambda b: _without(b, "stop_times.txt"), "gtfs_update.missing_files", "stop_times.txt"),
    ],
    ids=["truncated", "damaged", "no-stop-times"],
)
def test_a_bad_file_is_refused_and_the_old_feed_kept(
    pan: _Pan, territory: Path, moved_zip: bytes, spoil: Any, code: str, words: str
) -> None:
    pan.publish(spoil(moved_zip))
    with pytest.raises(FeedUpdateError) as exc:
        update_gtfs(territory)
    assert exc.value.code == code
    fr = exc.value.message("fr")
    assert words in fr
    assert "Les horaires déjà chargés (TAM_MMM_GTFS.zip, du 18/12/2023 au 25/02/2024)" in fr
    assert "restent utilisés" in fr
    assert "stay in use" in exc.value.message("en")
    (path,) = Networks(territory).gtfs_paths
    assert path.name == "TAM_MMM_GTFS.zip"
    assert list(updates_dir("tam_test", DATASET).iterdir()) == []  # no half-written fetch


def test_offline_says_so_and_the_feed_in_use_stays(
    pan: _Pan, territory: Path, moved_zip: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    pan.publish(moved_zip)
    (done,) = update_gtfs(territory)
    down = f"http://127.0.0.1:{_closed_port()}"
    argv = ["data", "update-gtfs", "--territory", str(territory), "--pan-url", down]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "pas de connexion au point d'accès national" in err
    # the feed in use is the last update, and the message gives its period
    assert "du 14/12/2026 au 21/02/2027) restent utilisés" in err
    assert "Traceback" not in err
    assert Networks(territory).gtfs_paths == done.paths
    assert main(["--lang", "en", *argv]) == 2
    assert "no connection to the national access point" in capsys.readouterr().err


def test_unknown_dataset_and_missing_key(pan: _Pan, territory: Path, tmp_path: Path) -> None:
    with pytest.raises(FeedUpdateError) as exc:  # the server has no such dataset: 404
        update_gtfs(territory)
    assert exc.value.code == "gtfs_update.not_found"
    assert "pan_dataset" in exc.value.message("fr")
    plain = tmp_path / "plain.toml"
    plain.write_text(f'name = "plain"\n[[gtfs]]\nsource = "{TAM}"\n', "utf-8")
    with pytest.raises(FeedUpdateError) as exc:
        update_gtfs(plain)
    assert exc.value.code == "gtfs_update.no_dataset"
    assert pan.requests == [f"/api/datasets/{DATASET}"]  # nothing asked for the second


def test_a_damaged_stored_update_is_not_used(pan: _Pan, territory: Path, moved_zip: bytes) -> None:
    pan.publish(moved_zip)
    (done,) = update_gtfs(territory)
    source = load_territory(territory).gtfs[0]
    assert current_feed("tam_test", source) == done.paths
    with open(done.paths[0], "ab") as f:  # a file changed after it was verified
        f.write(b"junk")
    assert current_feed("tam_test", source)[0].name == "TAM_MMM_GTFS.zip"


def test_montpellier_names_its_tam_dataset_and_both_files() -> None:
    # the file of the source tree (an editable install may map the built-in data elsewhere)
    (entry,) = load_territory(Path(__file__).parents[1] / "data" / "montpellier.toml").gtfs
    assert entry.options["pan_dataset"] == DATASET
    urban, suburban = entry.options["pan_resources"]
    answer = {
        "datagouv_id": DATASET,
        "resources": [
            {"datagouv_id": urban, "title": "Horaires de référence urbain (GTFS) ",
             "format": "GTFS", "is_available": True, "url": "https://example.invalid/u.zip",
             "metadata": {"start_date": "2026-09-01", "end_date": "2027-07-05"}},
            {"datagouv_id": suburban, "title": "Horaires de référence suburbain (GTFS)",
             "format": "GTFS", "is_available": True, "url": "https://example.invalid/s.zip",
             "metadata": {"start_date": "2026-09-01", "end_date": "2027-07-05"}},
            {"datagouv_id": "rt", "title": "Alertes de service urbain", "format": "gtfs-rt",
             "is_available": True, "url": "https://example.invalid/rt"},
        ],
    }  # fmt: skip
    picked = pick_resources(answer, entry.options["pan_resources"])
    assert [r.url for r in picked] == [
        "https://example.invalid/u.zip",
        "https://example.invalid/s.zip",
    ]
    assert picked[0].file_name == "horaires-de-reference-urbain-gtfs.zip"
    assert picked[0].end == date(2027, 7, 5)
    answer["resources"] = answer["resources"][1:]
    with pytest.raises(FeedUpdateError) as exc:
        pick_resources(answer, entry.options["pan_resources"])
    assert exc.value.code == "gtfs_update.no_resource" and urban in exc.value.message("en")


def test_a_server_error_or_a_file_too_large_is_refused(
    pan: _Pan, territory: Path, moved_zip: bytes
) -> None:
    pan.publish(moved_zip)
    with pytest.raises(FeedUpdateError) as exc:
        update_gtfs(territory, max_bytes=len(moved_zip) - 1)
    assert exc.value.code == "gtfs_update.too_large"
    pan.routes[f"/api/datasets/{DATASET}"] = (500, "text/plain", b"oops")
    with pytest.raises(FeedUpdateError) as exc:
        update_gtfs(territory)
    assert exc.value.code == "gtfs_update.http" and "500" in exc.value.message("fr")
    pan.routes[f"/api/datasets/{DATASET}"] = (200, "text/html", b"<html>maintenance</html>")
    with pytest.raises(FeedUpdateError) as exc:
        update_gtfs(territory)
    assert exc.value.code == "gtfs_update.bad_json"
    assert list(updates_dir("tam_test", DATASET).iterdir()) == []

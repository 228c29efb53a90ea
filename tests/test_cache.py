"""The on-disk cache (qpv_radar._cache): verified entries, no pickle, rebuilt when damaged.

Every damaged, foreign or misplaced entry must be refused with a warning on the
``qpv_radar.cache`` logger, then rebuilt equal to a fresh build — for the cache API itself and
for its two users, the parsed GTFS feeds and the street networks.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qpv_radar import _cache, fetch
from qpv_radar.networks import StreetNetwork, load_street_network
from qpv_radar.networks.gtfs import GtfsFeed, read_feed, store
from qpv_radar.networks.gtfs.read import parse_feed

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
VILLEURBANNE = "osm/villeurbanne_gratteciel_2022-07/osm_bbox.osm.xml.gz"
ROOT = Path(__file__).resolve().parents[1]


# ---- helpers --------------------------------------------------------------------------------
class _Trap:
    """Unpickling this object creates a marker folder (a stand-in for any code execution)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def _trap_bytes(marker: Path) -> bytes:
    return pickle.dumps(_Trap(marker))


def _flip(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _rejected(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "qpv_radar.cache" and r.levelno == logging.WARNING
    ]


def assert_feeds_equal(a: GtfsFeed, b: GtfsFeed) -> None:
    """Every table and every array of two parsed feeds equal (values and dtypes)."""
    assert Path(a.path).name == Path(b.path).name  # the same zip, fetched into two caches
    assert a.timezone == b.timezone and a.sources == b.sources
    for name in ("agencies", "stops", "routes", "trips", "calendar", "calendar_dates"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.transfers, b.transfers)
    for name in ("pattern_route", "tmpl_ptr", "tmpl_arr", "tmpl_dep", "trip_template"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    for name in ("pattern_stops", "pattern_board", "pattern_alight"):
        xs, ys = getattr(a, name), getattr(b, name)
        assert len(xs) == len(ys), name
        assert all(
            x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(xs, ys, strict=True)
        ), name


def assert_networks_equal(a: StreetNetwork, b: StreetNetwork) -> None:
    assert (a.crs, a.source, a.rules) == (b.crs, b.source, b.rules)
    for name, x in a._arrays().items():
        y = b._arrays()[name]
        assert x.dtype == y.dtype and np.array_equal(x, y), name


# ---- the cache API --------------------------------------------------------------------------
def _sample() -> tuple[dict[str, np.ndarray], dict[str, pd.DataFrame], dict[str, object]]:
    arrays = {
        "ints": np.arange(10, dtype=np.int32),
        "grid": np.linspace(0, 1, 12).reshape(3, 4),
        "flags": np.array([True, False, True]),
    }
    frames = {
        "t": pd.DataFrame(
            {
                "id": ["a", "b", "é"],
                "n": [1, 2, 3],
                "x": [0.5, np.nan, 2.0],
                "ok": [True, False, True],
            }
        )
    }
    return arrays, frames, {"crs": "EPSG:2154", "speeds": [4.5, 15.0]}


def test_round_trip_and_key_parts(empty_cache: Path, tmp_path: Path) -> None:
    src = tmp_path / "input.txt"
    src.write_text("one")
    k = _cache.key("demo", [src], [np], params={"mode": "walk"}, label="walk")
    assert k.startswith("walk-")
    arrays, frames, meta = _sample()
    path = _cache.save("demo", k, arrays, frames, meta)
    assert path == empty_cache / "demo" / f"{k}.qpvc"
    assert not [p for p in path.parent.iterdir() if p != path]  # no temporary file left
    got = _cache.load("demo", k)
    assert got is not None and got.path == path
    assert got.meta == meta
    for name, a in arrays.items():
        assert got.arrays[name].dtype == a.dtype and np.array_equal(got.arrays[name], a)
        assert got.arrays[name].flags.writeable
    pd.testing.assert_frame_equal(got.frames["t"], frames["t"])
    # the key follows the input's content (not its name or date), the params and the code
    assert _cache.key("demo", [src], [np], params={"mode": "walk"}, label="walk") == k
    assert _cache.key("demo", [src], [np], params={"mode": "bike"}, label="walk") != k
    assert _cache.key("demo", [src], [np, pd], params={"mode": "walk"}, label="walk") != k
    assert _cache.key("other", [src], [np], params={"mode": "walk"}, label="walk") != k
    copy = tmp_path / "copy.txt"
    copy.write_text("one")
    assert _cache.key("demo", [copy], [np], params={"mode": "walk"}, label="walk") == k
    time.sleep(0.01)
    src.write_text("two")  # new size and mtime: hashed again
    assert _cache.key("demo", [src], [np], params={"mode": "walk"}, label="walk") != k
    with pytest.raises(TypeError, match="pickle"):
        _cache.save("demo", k, {"objects": np.array([{"a": 1}], dtype=object)})


@pytest.mark.parametrize("damage", [_flip, _truncate], ids=["bytes flipped", "truncated"])
def test_damaged_entry_is_refused(
    empty_cache: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[Path], None]
) -> None:
    arrays, frames, meta = _sample()
    path = _cache.save("demo", "k1", arrays, frames, meta)
    assert path is not None and _cache.load("demo", "k1") is not None
    damage(path)
    assert _cache.load("demo", "k1") is None
    assert any("rejected" in m for m in _rejected(caplog))
    assert not path.exists()  # removed, so that the caller's save replaces it


@pytest.mark.parametrize("where", [0.0, 0.1, 0.5, 0.99])
def test_every_part_of_an_entry_is_checked(empty_cache: Path, where: float) -> None:
    arrays, frames, meta = _sample()
    path = _cache.save("demo", "k1", arrays, frames, meta)
    assert path is not None
    _flip(path, where)  # magic, header or blobs
    assert _cache.load("demo", "k1") is None


def test_foreign_pickle_is_never_run(
    empty_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "pwned"
    path = _cache.entry_path("demo", "k1")
    path.parent.mkdir(parents=True)
    path.write_bytes(_trap_bytes(marker))
    assert _cache.load("demo", "k1") is None
    assert not marker.exists()
    assert any("not a qpv_radar cache entry" in m for m in _rejected(caplog))
    # the trap is real: unpickling it does create the marker
    pickle.loads(_trap_bytes(marker))
    assert marker.exists()


def test_entry_of_another_key_is_refused(
    empty_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    arrays, frames, meta = _sample()
    a = _cache.save("demo", "key-a", arrays, frames, meta)
    assert a is not None
    b = _cache.entry_path("demo", "key-b")
    b.write_bytes(a.read_bytes())  # a valid entry, at the wrong place
    assert _cache.load("demo", "key-b") is None
    assert any("made for demo/key-a" in m for m in _rejected(caplog))
    assert _cache.load("demo", "key-a") is not None


def test_two_processes_filling_one_entry(empty_cache: Path) -> None:
    """Writers racing on one entry while it is read: every read is absent or complete."""
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from qpv_radar import _cache
        big = np.arange(2_000_000, dtype=np.int64)
        for _ in range(15):
            assert _cache.save("race", "k", {"big": big}, meta={"n": len(big)}) is not None
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(2)]
    seen = 0
    while any(p.poll() is None for p in procs):
        got = _cache.load("race", "k")
        if got is not None:
            assert np.array_equal(got.arrays["big"], np.arange(2_000_000))
            seen += 1
    assert [p.wait() for p in procs] == [0, 0]
    got = _cache.load("race", "k")
    assert got is not None and got.meta == {"n": 2_000_000}
    assert [p.name for p in (empty_cache / "race").iterdir()] == ["k.qpvc"]


def test_no_pickle_in_the_package() -> None:
    for path in (ROOT / "qpv_radar").rglob("*.py"):
        text = path.read_text("utf-8")
        assert "import pickle" not in text and "pickle.load" not in text, path


# ---- the parsed GTFS feed -------------------------------------------------------------------
@pytest.fixture(scope="module")
def fresh_tam() -> GtfsFeed:
    return parse_feed(str(fetch(TAM).resolve()))


def _tam_entry(empty_cache: Path) -> Path:
    store._read_cached.cache_clear()
    read_feed(fetch(TAM))
    [entry] = (empty_cache / "gtfs").glob("*.qpvc")
    store._read_cached.cache_clear()  # the next read is a new process's
    return entry


def test_gtfs_reload_equals_fresh_parse(empty_cache: Path, fresh_tam: GtfsFeed) -> None:
    entry = _tam_entry(empty_cache)
    reloaded = read_feed(fetch(TAM))
    assert_feeds_equal(reloaded, fresh_tam)
    # it was the disk entry that was read: a planted mark in its meta shows up
    bundle = _cache.load("gtfs", entry.stem)
    assert bundle is not None
    _cache.save("gtfs", entry.stem, bundle.arrays, bundle.frames, bundle.meta | {"timezone": "X"})
    store._read_cached.cache_clear()
    assert read_feed(fetch(TAM)).timezone == "X"
    store._read_cached.cache_clear()


@pytest.mark.parametrize("plant", ["flip", "truncate", "pickle", "other key"])
def test_gtfs_bad_entry_rebuilt(
    empty_cache: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fresh_tam: GtfsFeed,
    plant: str,
) -> None:
    entry = _tam_entry(empty_cache)
    marker = tmp_path / "pwned"
    if plant == "flip":
        _flip(entry)
    elif plant == "truncate":
        _truncate(entry)
    elif plant == "pickle":
        entry.write_bytes(_trap_bytes(marker))
    else:  # a valid entry made for other inputs
        _cache.save("gtfs", "other", {"a": np.zeros(3)}, meta={"timezone": "Europe/Paris"})
        entry.write_bytes(_cache.entry_path("gtfs", "other").read_bytes())
    caplog.clear()
    rebuilt = read_feed(fetch(TAM))
    assert _rejected(caplog), "a bad entry must be reported"
    assert not marker.exists()
    assert_feeds_equal(rebuilt, fresh_tam)
    assert _cache.load("gtfs", entry.stem) is not None  # written again, valid
    store._read_cached.cache_clear()


# ---- the street network ---------------------------------------------------------------------
@pytest.mark.parametrize("plant", ["flip", "truncate", "pickle", "other key"])
def test_street_bad_entry_rebuilt(
    empty_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, plant: str
) -> None:
    src = fetch(VILLEURBANNE)
    fresh = load_street_network(src, "walk", cache=False)
    load_street_network(src, "walk")
    [entry] = (empty_cache / "networks").glob("walk-*.qpvc")
    marker = tmp_path / "pwned"
    if plant == "flip":
        _flip(entry)
    elif plant == "truncate":
        _truncate(entry)
    elif plant == "pickle":
        entry.write_bytes(_trap_bytes(marker))
    else:  # the entry of the bike network, moved to the walk network's place
        load_street_network(src, "bike")
        [bike] = (empty_cache / "networks").glob("bike-*.qpvc")
        entry.write_bytes(bike.read_bytes())
    caplog.clear()
    rebuilt = load_street_network(src, "walk")
    assert _rejected(caplog), "a bad entry must be reported"
    assert not marker.exists()
    assert_networks_equal(rebuilt, fresh)
    reloaded = load_street_network(src, "walk")
    assert not _rejected(caplog)[1:]  # the rewritten entry is valid
    assert_networks_equal(reloaded, fresh)


def test_street_cache_follows_input_content(empty_cache: Path, tmp_path: Path) -> None:
    src = fetch(VILLEURBANNE)
    a = tmp_path / "a.osm.xml.gz"
    a.write_bytes(src.read_bytes())
    load_street_network(a, "walk")
    b = tmp_path / "b.osm.xml.gz"
    b.write_bytes(src.read_bytes())  # same content elsewhere: the same entry
    load_street_network(b, "walk")
    assert len(list((empty_cache / "networks").glob("walk-*.qpvc"))) == 1
    load_street_network(b, "walk", crs="EPSG:32631")  # another CRS: another entry
    assert len(list((empty_cache / "networks").glob("walk-*.qpvc"))) == 2

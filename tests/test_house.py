"""The house rules of the package, read from its source (AST), and the one ``Networks`` door.

- no import cycle between the package's modules (every ``import`` that runs counted, also
  those inside functions; those under ``if TYPE_CHECKING:`` serve annotations only);
- no ``ImportError`` guard around the package's own modules (every part is always installed);
- every exception class in ``_errors.py``;
- ``Networks`` answers every mode through one method, and says clearly what it cannot do.
"""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

import qpv_radar
from qpv_radar import ModeUnavailableError, Networks, QpvRadarError
from qpv_radar.routing import travel_times

PACKAGE = Path(qpv_radar.__file__).resolve().parent
MOSSON, COMEDIE = (3.8200, 43.6321), (3.8801, 43.6085)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports when it runs (relative imports resolved)."""
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                root = ".".join(base[: len(base) - node.level + 1])
                mod = f"{root}.{node.module}" if node.module else root
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.add(sub if sub in known else mod)
    return {m for m in out if m in known and m != name}


def test_no_import_cycle() -> None:
    mods = _modules()
    graph = {m: _imports(m, p, set(mods)) for m, p in mods.items()}
    # a package importing its own submodules (re-exports) is the one allowed way down
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append([*stack[stack.index(n) :], n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)
    # the walk sees the real structure: the radar imports the networks, not the reverse
    assert "qpv_radar.routing.networks" in graph["qpv_radar.radar.journeys"]


def test_the_cycle_check_can_fail(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from qpv_radar import b\nif TYPE_CHECKING:\n    from qpv_radar import c\n")
    b.write_text("def f():\n    from qpv_radar import a\n")
    known = {"qpv_radar.a", "qpv_radar.b", "qpv_radar.c"}
    assert _imports("qpv_radar.a", a, known) == {"qpv_radar.b"}
    assert _imports("qpv_radar.b", b, known) == {"qpv_radar.a"}  # imports in functions count


def _own_imports_in(body: list[ast.stmt]) -> list[str]:
    found = []
    for node in (n for stmt in body for n in ast.walk(stmt)):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").startswith("qpv_radar")
        ):
            found.append(ast.unparse(node))
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("qpv_radar")]
    return found


def test_no_import_guards_and_no_pickle() -> None:
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                h.type is not None and "ImportError" in ast.unparse(h.type) for h in node.handlers
            ):
                # optional third-party extras may be guarded; the package's own parts may not
                assert not _own_imports_in(node.body), f"{name}: {_own_imports_in(node.body)}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert "pickle" not in names, name
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
                raise AssertionError(f"{name}: {ast.unparse(node)} (import the module by name)")


def test_every_exception_lives_in_errors() -> None:
    for name, path in _modules().items():
        if name == "qpv_radar._errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                assert not any(b.endswith(("Error", "Exception")) for b in bases), (
                    f"{name}.{node.name}({', '.join(bases)}): move it to qpv_radar/_errors.py"
                )


def _points(*lonlat: tuple[float, float]) -> gpd.GeoDataFrame:
    ids = [f"p{i}" for i in range(len(lonlat))]
    geom = gpd.points_from_xy([p[0] for p in lonlat], [p[1] for p in lonlat])
    return gpd.GeoDataFrame({"id": ids}, geometry=geom, crs=4326).set_index("id")


@pytest.fixture(scope="module")
def nets() -> Networks:
    return Networks("montpellier")


def test_one_method_for_every_mode(nets: Networks) -> None:
    o, d = _points(MOSSON), _points(COMEDIE)
    when = datetime(2024, 1, 16, 9, 0)
    times = {
        m: float(nets.travel_times(o, d, mode=m, departure=when)["travel_time"].iloc[0])
        for m in nets.modes
    }
    assert set(times) == {"walk", "bike", "transit", "car"}
    # the street modes are the street engine's times on the same networks
    for m in ("walk", "bike", "car"):
        ref = travel_times(nets.street_network(m), o, d)["travel_time"].iloc[0]
        assert times[m] == ref
    assert times["transit"] < times["walk"] and times["bike"] < times["walk"]
    # a window adds its percentiles; the median is the travel time
    tt = nets.travel_times(
        o, d, mode="transit", departure=when, window_minutes=10, percentiles=(50, 80)
    )
    assert list(tt.columns) == ["from_id", "to_id", "travel_time", "p50", "p80"]
    assert tt["travel_time"].iloc[0] == tt["p50"].iloc[0] <= tt["p80"].iloc[0]
    # itineraries: the street one is the route, the transit one the timetable's journey
    walk_it = nets.itinerary(MOSSON, COMEDIE, mode="walk")
    assert walk_it.travel_time_s == pytest.approx(times["walk"])
    assert walk_it.legs[0].distance_m > 5000
    transit_it = nets.itinerary(MOSSON, COMEDIE, mode="transit", departure=when)
    assert transit_it.travel_time_s == pytest.approx(times["transit"], abs=1)
    # isochrones for every mode, nested bands
    for mode in ("walk", "transit"):
        iso = nets.isochrones(
            gpd.points_from_xy([MOSSON[0]], [MOSSON[1]])[0],
            mode=mode,
            minutes=[10, 20],
            departure=when,
            outline=True,
        )
        assert list(iso["minutes"]) == [10, 20]
        assert iso.geometry.iloc[1].area > iso.geometry.iloc[0].area > 0


def test_networks_say_what_they_cannot_do(nets: Networks) -> None:
    o, d = _points(MOSSON), _points(COMEDIE)
    with pytest.raises(ModeUnavailableError, match="unknown mode 'boat'") as err:
        nets.travel_times(o, d, mode="boat")
    assert "mode inconnu 'boat'" in err.value.message("fr")
    with pytest.raises(ModeUnavailableError, match="needs a departure time"):
        nets.travel_times(o, d, mode="transit")
    no_feed = Networks("montpellier", gtfs=())
    assert no_feed.modes == ("walk", "bike", "car")
    with pytest.raises(ModeUnavailableError, match=r"declares no GTFS feed") as err:
        no_feed.travel_times(o, d, mode="transit", departure=datetime(2024, 1, 16, 9))
    assert "pas d'horaires de transports en commun" in err.value.message("fr")


def test_explicit_inputs_equal_the_territory(nets: Networks) -> None:
    from qpv_radar.territory import load_territory

    terr = load_territory("montpellier")
    explicit = Networks(
        None,
        streets={"walk": terr.streets.resolve(), "bike": terr.streets.resolve()},  # type: ignore[union-attr]
        gtfs=[g.resolve() for g in terr.gtfs],
    )
    o, d = _points(MOSSON, COMEDIE), _points(COMEDIE, MOSSON)
    when = datetime(2024, 1, 16, 9, 0)
    for mode in ("walk", "transit"):
        a = nets.travel_times(o, d, mode=mode, departure=when)["travel_time"].to_numpy()
        b = explicit.travel_times(o, d, mode=mode, departure=when)["travel_time"].to_numpy()
        np.testing.assert_array_equal(a, b)
    assert explicit.name == "custom" and explicit.crs == "EPSG:2154"


def test_errors_word_themselves_in_both_languages() -> None:
    err = QpvRadarError("routing.no_gtfs", territory="grenoble")
    assert str(err).startswith("territory 'grenoble' declares no GTFS feed")
    assert err.message("fr").startswith("le territoire 'grenoble' n'a pas d'horaires")
    plain = QpvRadarError("a message not in the catalogue")
    assert plain.message("fr") == plain.message("en") == "a message not in the catalogue"

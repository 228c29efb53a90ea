"""Montpellier's QPVs and support structures: which structures lie inside a QPV, which are open.

Run: ``QPV_RADAR_MIRROR=../shared/data .venv/bin/python examples/qpv_actors_tour.py``
"""

from __future__ import annotations

import qpv_radar
from qpv_radar.actors import hours


def main() -> None:
    territory = qpv_radar.load_territory("montpellier")
    qpv = qpv_radar.load_qpv(territory)
    actors = qpv_radar.load_actors(territory, progress=False)
    when = territory.default_when
    assert when is not None

    inside = qpv_radar.locate(actors, qpv)
    actors = actors.assign(code_qp=inside["code_qp"], nom_qp=inside["nom_qp"])
    actors["open_now"] = [hours.is_open(oh, when) for oh in actors["opening_hours"]]

    print(f"{len(qpv)} QPV, {len(actors)} structures — {territory.label}, {when:%A %d %B %Y %H:%M}")
    print(qpv.attrs["note"])
    for code, name, pop in qpv[["code_qp", "nom_qp", "pop_mun"]].itertuples(index=False):
        here = actors[actors["code_qp"] == code]
        names = ", ".join(here["name"]) or "—"
        print(f"  {code} {name} ({pop} hab.): {len(here)} structure(s) inside: {names}")
    states = actors["open_now"].map({True: "open", False: "closed", None: "unknown hours"})
    print("At that time:", states.value_counts().to_dict())


if __name__ == "__main__":
    main()

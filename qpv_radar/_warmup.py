"""Get a machine ready before the first radar: networks built, RAPTOR kernels compiled.

``qpv-radar data fetch`` calls :func:`warm_up` after fetching: one radar (walk + public
transport) from the middle of the territory's first QPV fills the on-disk caches (street
networks, timetables) and compiles the numba kernels into the per-user cache
(:mod:`qpv_radar.routing._numba_cache`), so the person's first radar costs what every later
one does.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from ._defaults import DEFAULT_TERRITORY
from ._errors import QpvRadarError

__all__ = ["warm_up"]


def warm_up(territory: str = DEFAULT_TERRITORY) -> float | None:
    """Compute one throw-away radar in ``territory``; return the seconds it took.

    Returns ``None`` when the territory's data cannot give a radar (the fetch itself is then
    reported by the data commands, not here).
    """
    from .qpv import load_qpv
    from .radar import Person, compute_radar

    t0 = time.perf_counter()
    try:
        qpv = load_qpv(territory)
        spot = qpv.geometry.iloc[0].representative_point()
        day = (datetime.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                           microsecond=0)  # fmt: skip
        person = Person(spot.x, spot.y, day, day + timedelta(hours=1), needs=("emploi",))
        compute_radar(territory, person, qpv=qpv)
    except QpvRadarError:
        return None
    return time.perf_counter() - t0

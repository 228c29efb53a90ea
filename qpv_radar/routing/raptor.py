"""RAPTOR earliest-arrival search over a :class:`~qpv_radar.networks.gtfs.Timetable` (numba).

The model (the brute-force reference in the tests implements the same one independently):

- *access*: from the origin, walk to any stop ``s`` within reach, arriving at ``t + a(s)``;
- *rides*: board a trip at a stop where boarding is allowed and the trip departs at least
  ``slack`` seconds after you are there (a boarding slack, 60 s by default as in R5, applied
  to every boarding); alight at any later stop where drop-off is allowed;
- *footpaths*: after alighting at ``s``, walk to another stop ``s'`` in ``f(s, s')`` (one
  footpath between two rides; footpaths are built from the street network within a maximum
  walking time, adjusted by transfers.txt);
- *egress*: from a stop where a ride ends, walk to the destination (one walk, so that
  ``max_egress_s`` caps the whole final walk, as ``max_access_s`` caps the first: footpaths
  only join two rides);
- plain walking from origin to destination when it is faster.

Any number of transfers is allowed: the search runs rounds until no label improves (a
label-correcting fixpoint). Because arrival times are monotone in the departure time, the
labels of a later departure are valid upper bounds for an earlier one: a departure window is
scanned from its last minute to its first, reusing the labels (the idea of rRAPTOR), which is
exact for earliest arrival and much cheaper than independent searches.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import _numba_cache  # noqa: F401  (before numba: its cache in the per-user folder)

from numba import njit  # isort: skip

from ..networks.gtfs import Timetable

__all__ = ["INF", "TimetableArrays", "arrays_of"]

INF = np.int32(2**30)

IntArray = npt.NDArray[np.int32]

# The arrays passed to the numba kernels, in this order.
TimetableArrays = tuple[
    IntArray,  # pattern_stop_ptr
    IntArray,  # pattern_stops
    npt.NDArray[np.bool_],  # pattern_board
    npt.NDArray[np.bool_],  # pattern_alight
    IntArray,  # pattern_trip_ptr
    npt.NDArray[np.int64],  # pattern_time_ptr
    IntArray,  # arr
    IntArray,  # dep
    IntArray,  # stop_pattern_ptr
    IntArray,  # stop_patterns
    IntArray,  # stop_positions
]


def arrays_of(tt: Timetable) -> TimetableArrays:
    """The timetable's arrays in the order the kernels take them."""
    return (
        tt.pattern_stop_ptr,
        tt.pattern_stops,
        tt.pattern_board,
        tt.pattern_alight,
        tt.pattern_trip_ptr,
        tt.pattern_time_ptr,
        tt.arr,
        tt.dep,
        tt.stop_pattern_ptr,
        tt.stop_patterns,
        tt.stop_positions,
    )


@njit(cache=True)
def _first_trip(dep, base, n, lo, hi, pos, t):  # type: ignore[no-untyped-def]
    """Smallest trip index k in [lo, hi) with dep[base + k*n + pos] >= t, or hi."""
    while lo < hi:
        mid = (lo + hi) // 2
        if dep[base + mid * n + pos] >= t:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True)
def _search(  # type: ignore[no-untyped-def]
    best,
    best_ride,
    marked,
    is_marked,
    n_marked,
    ps_ptr,
    p_stops,
    p_board,
    p_alight,
    pt_ptr,
    ptime_ptr,
    arr,
    dep,
    sp_ptr,
    sp_pat,
    sp_pos,
    fp_ptr,
    fp_to,
    fp_dur,
    queue_pos,
    queue,
    ride_list,
    is_ride,
    par_kind,
    par_a,
    ride_p,
    ride_t,
    ride_j,
    record,
    slack,
):
    """Run rounds until no label improves. ``marked[:n_marked]`` are the improved stops.

    When ``record`` is true, parents are written: ``par_kind[s]`` 0 access, 1 ride, 2 footpath
    (``par_a[s]`` = from stop); ``ride_p/ride_t/ride_j[s]`` = pattern, trip (global index) and
    boarding position of the ride that gave ``best_ride[s]``. When a trip can be boarded at
    several stops of the pattern, the boarding stop is the one reached soonest (for the first
    ride: the shortest walk); this choice changes no arrival time.
    """
    while n_marked > 0:
        # ---- patterns through marked stops, from their earliest marked position
        nq = 0
        for k in range(n_marked):
            s = marked[k]
            is_marked[s] = False
            for e in range(sp_ptr[s], sp_ptr[s + 1]):
                p = sp_pat[e]
                pos = sp_pos[e]
                if queue_pos[p] < 0:
                    queue[nq] = p
                    nq += 1
                    queue_pos[p] = pos
                elif pos < queue_pos[p]:
                    queue_pos[p] = pos
        n_marked = 0
        n_ride = 0
        # ---- scan each pattern once
        for qi in range(nq):
            p = queue[qi]
            i0 = queue_pos[p]
            queue_pos[p] = -1
            so = ps_ptr[p]
            n = ps_ptr[p + 1] - so
            t_lo = pt_ptr[p]
            nt = pt_ptr[p + 1] - t_lo
            base = ptime_ptr[p]
            t = nt  # no trip yet
            board_j = -1
            for i in range(i0, n):
                s = p_stops[so + i]
                if t < nt and p_alight[so + i]:
                    a = arr[base + t * n + i]
                    if a < best_ride[s]:
                        best_ride[s] = a
                        if record:
                            ride_p[s] = p
                            ride_t[s] = t_lo + t
                            ride_j[s] = board_j
                        if not is_ride[s]:
                            is_ride[s] = True
                            ride_list[n_ride] = s
                            n_ride += 1
                        if a < best[s]:
                            best[s] = a
                            if record:
                                par_kind[s] = 1
                            if not is_marked[s]:
                                is_marked[s] = True
                                marked[n_marked] = s
                                n_marked += 1
                if p_board[so + i] and best[s] < INF:
                    bt = best[s] + slack
                    if t == nt:
                        k2 = _first_trip(dep, base, n, 0, nt, i, bt)
                    elif t > 0 and dep[base + (t - 1) * n + i] >= bt:
                        k2 = _first_trip(dep, base, n, 0, t, i, bt)
                    else:
                        k2 = t
                    if k2 < t:
                        t = k2
                        board_j = i
                    elif (
                        record
                        and t < nt
                        and dep[base + t * n + i] >= bt
                        and best[s] < best[p_stops[so + board_j]]
                    ):
                        # the same trip can be boarded here too, from a stop reached sooner
                        # (less walking from the origin): same arrivals, better itinerary
                        board_j = i
        # ---- one footpath after each ride
        for k in range(n_ride):
            s = ride_list[k]
            is_ride[s] = False
            b = best_ride[s]
            for e in range(fp_ptr[s], fp_ptr[s + 1]):
                s2 = fp_to[e]
                v = b + fp_dur[e]
                if v < best[s2]:
                    best[s2] = v
                    if record:
                        par_kind[s2] = 2
                        par_a[s2] = s
                    if not is_marked[s2]:
                        is_marked[s2] = True
                        marked[n_marked] = s2
                        n_marked += 1
    return 0


@njit(cache=True)
def _window_kernel(  # type: ignore[no-untyped-def]
    ps_ptr,
    p_stops,
    p_board,
    p_alight,
    pt_ptr,
    ptime_ptr,
    arr,
    dep,
    sp_ptr,
    sp_pat,
    sp_pos,
    fp_ptr,
    fp_to,
    fp_dur,
    acc_ptr,
    acc_stop,
    acc_dur,
    eg_ptr,
    eg_dest,
    eg_dur,
    direct,
    departures,
    max_time,
    out,
    slack,
):
    """Travel times for every origin × destination × departure.

    ``acc_*``: CSR origin → (stop, walk s); ``eg_*``: CSR stop → (destination, walk s);
    ``direct``: (origins × destinations) walking seconds (INF when none); ``departures``
    ascending; ``out``: (origins, destinations, departures) float64, filled with travel times
    (``inf`` when unreachable or above ``max_time``).
    """
    n_stops = sp_ptr.shape[0] - 1
    n_pat = ps_ptr.shape[0] - 1
    n_dest = out.shape[1]
    n_dep = departures.shape[0]
    best = np.empty(n_stops, np.int32)
    best_ride = np.empty(n_stops, np.int32)
    marked = np.empty(n_stops, np.int32)
    is_marked = np.zeros(n_stops, np.bool_)
    queue_pos = np.full(n_pat, -1, np.int32)
    queue = np.empty(n_pat, np.int32)
    ride_list = np.empty(n_stops, np.int32)
    is_ride = np.zeros(n_stops, np.bool_)
    dummy = np.empty(1, np.int32)
    dest_arr = np.empty(n_dest, np.int64)
    for o in range(out.shape[0]):
        best[:] = INF
        best_ride[:] = INF
        for k in range(n_dep - 1, -1, -1):
            t0 = departures[k]
            n_marked = 0
            for e in range(acc_ptr[o], acc_ptr[o + 1]):
                s = acc_stop[e]
                v = t0 + acc_dur[e]
                if v < best[s]:
                    best[s] = v
                    if not is_marked[s]:
                        is_marked[s] = True
                        marked[n_marked] = s
                        n_marked += 1
            _search(
                best,
                best_ride,
                marked,
                is_marked,
                n_marked,
                ps_ptr,
                p_stops,
                p_board,
                p_alight,
                pt_ptr,
                ptime_ptr,
                arr,
                dep,
                sp_ptr,
                sp_pat,
                sp_pos,
                fp_ptr,
                fp_to,
                fp_dur,
                queue_pos,
                queue,
                ride_list,
                is_ride,
                dummy,
                dummy,
                dummy,
                dummy,
                dummy,
                False,
                slack,
            )
            for d in range(n_dest):
                dest_arr[d] = t0 + direct[o, d]
            for s in range(n_stops):
                b = best_ride[s]  # the final walk starts where the last ride ends
                if b >= INF:
                    continue
                for e in range(eg_ptr[s], eg_ptr[s + 1]):
                    v = b + eg_dur[e]
                    d = eg_dest[e]
                    if v < dest_arr[d]:
                        dest_arr[d] = v
            for d in range(n_dest):
                tt = dest_arr[d] - t0
                # unreachable (no walk, no ride) stays ≥ INF: report it as inf, never as a time
                out[o, d, k] = tt if dest_arr[d] < INF and tt <= max_time else np.inf
    return 0


@njit(cache=True)
def _single_kernel(  # type: ignore[no-untyped-def]
    ps_ptr,
    p_stops,
    p_board,
    p_alight,
    pt_ptr,
    ptime_ptr,
    arr,
    dep,
    sp_ptr,
    sp_pat,
    sp_pos,
    fp_ptr,
    fp_to,
    fp_dur,
    acc_stop,
    acc_dur,
    t0,
    slack,
):
    """One departure from one origin, recording parents (for itineraries and one-to-all)."""
    n_stops = sp_ptr.shape[0] - 1
    n_pat = ps_ptr.shape[0] - 1
    best = np.full(n_stops, INF, np.int32)
    best_ride = np.full(n_stops, INF, np.int32)
    marked = np.empty(n_stops, np.int32)
    is_marked = np.zeros(n_stops, np.bool_)
    queue_pos = np.full(n_pat, -1, np.int32)
    queue = np.empty(n_pat, np.int32)
    ride_list = np.empty(n_stops, np.int32)
    is_ride = np.zeros(n_stops, np.bool_)
    par_kind = np.full(n_stops, -1, np.int32)
    par_a = np.full(n_stops, -1, np.int32)
    ride_p = np.full(n_stops, -1, np.int32)
    ride_t = np.full(n_stops, -1, np.int32)
    ride_j = np.full(n_stops, -1, np.int32)
    n_marked = 0
    for e in range(acc_stop.shape[0]):
        s = acc_stop[e]
        v = t0 + acc_dur[e]
        if v < best[s]:
            best[s] = v
            par_kind[s] = 0
            if not is_marked[s]:
                is_marked[s] = True
                marked[n_marked] = s
                n_marked += 1
    _search(
        best,
        best_ride,
        marked,
        is_marked,
        n_marked,
        ps_ptr,
        p_stops,
        p_board,
        p_alight,
        pt_ptr,
        ptime_ptr,
        arr,
        dep,
        sp_ptr,
        sp_pat,
        sp_pos,
        fp_ptr,
        fp_to,
        fp_dur,
        queue_pos,
        queue,
        ride_list,
        is_ride,
        par_kind,
        par_a,
        ride_p,
        ride_t,
        ride_j,
        True,
        slack,
    )
    return best, best_ride, par_kind, par_a, ride_p, ride_t, ride_j

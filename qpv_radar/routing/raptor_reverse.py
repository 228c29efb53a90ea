"""Reverse RAPTOR: the latest departure that still arrives by a time (numba).

The exact mirror of the forward model of :mod:`qpv_radar.routing.raptor` (same access, boarding
slack, rides, one footpath after a ride, egress from the stop where the last ride ends), run
backwards from the arrival time at the destination, as OpenTripPlanner's ``arriveBy`` and
R5's reverse searches do. Two labels per stop, maximised:

- ``ride[s]``: the latest time one may *alight* at ``s`` (end a ride there) and still arrive by
  the time: ``arrive − egress(s)`` at the destination's egress stops, ``board[s2] − f(s, s2)``
  through a footpath ``s → s2``, and ``board[s]`` itself (alight, then board at the same stop);
- ``board[s]``: the latest time one may *be at* ``s`` ready to board: ``dep − slack`` of the
  latest trip that, boarded at ``s``, reaches a later stop of its pattern (drop-off allowed)
  by that stop's ``ride`` label.

Patterns are scanned from their last improved position down to their first; a later trip is
caught whenever an alighting stop allows it (trips never overtake, so the latest trip that
arrives in time leaves every earlier stop latest). Rounds run until no label improves (any
number of transfers, a label-correcting fixpoint, like the forward search). The latest
departure from an origin is then ``max(board[s] − access(s))`` over its access stops (plain
walking, ``arrive − direct``, is added by the caller).

Because every step is the inverse of a forward step on the same integer seconds, a forward
search leaving at the returned time arrives by the asked time, and leaving one second later
does not (checked against minute-by-minute forward searches in ``tests/test_arrive_by.py``).

:func:`_arrivals_kernel` then runs forward searches from those departures (rRAPTOR over the
distinct departures of each origin, labels reused from the later ones) to give the journey's
actual arrival, which may be earlier than the asked time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .raptor import INF, _search

__all__ = ["NEG"]

#: "No departure": below every label.
NEG = np.int64(-(2**40))


@njit(cache=True)
def _last_trip(arr, base, n, lo, hi, pos, t):  # type: ignore[no-untyped-def]
    """Largest trip index k in [lo, hi) with arr[base + k*n + pos] <= t, or lo - 1."""
    while lo < hi:
        mid = (lo + hi) // 2
        if arr[base + mid * n + pos] <= t:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@njit(cache=True)
def _reverse_search(  # type: ignore[no-untyped-def]
    ride,
    board,
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
    rfp_ptr,
    rfp_from,
    rfp_dur,
    queue_pos,
    queue,
    b_list,
    is_b,
    slack,
):
    """Rounds until no label improves; ``marked[:n_marked]``: stops whose ``ride`` improved."""
    while n_marked > 0:
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
                elif pos > queue_pos[p]:
                    queue_pos[p] = pos
        n_marked = 0
        n_b = 0
        for qi in range(nq):
            p = queue[qi]
            i0 = queue_pos[p]
            queue_pos[p] = -1
            so = ps_ptr[p]
            n = ps_ptr[p + 1] - so
            nt = pt_ptr[p + 1] - pt_ptr[p]
            base = ptime_ptr[p]
            t = -1  # no trip yet
            for j in range(i0, -1, -1):
                s = p_stops[so + j]
                if t >= 0 and p_board[so + j]:
                    v = np.int64(dep[base + t * n + j]) - slack
                    if v > board[s]:
                        board[s] = v
                        if not is_b[s]:
                            is_b[s] = True
                            b_list[n_b] = s
                            n_b += 1
                if (
                    p_alight[so + j]
                    and ride[s] > NEG
                    and t < nt - 1
                    and arr[base + (t + 1) * n + j] <= ride[s]
                ):
                    t = _last_trip(arr, base, n, t + 1, nt, j, ride[s])
        # ---- the ride label of a stop where one may board, and of footpaths leading there
        for k in range(n_b):
            s2 = b_list[k]
            is_b[s2] = False
            b = board[s2]
            if b > ride[s2]:
                ride[s2] = b
                if not is_marked[s2]:
                    is_marked[s2] = True
                    marked[n_marked] = s2
                    n_marked += 1
            for e in range(rfp_ptr[s2], rfp_ptr[s2 + 1]):
                s = rfp_from[e]
                v = b - rfp_dur[e]
                if v > ride[s]:
                    ride[s] = v
                    if not is_marked[s]:
                        is_marked[s] = True
                        marked[n_marked] = s
                        n_marked += 1
    return 0


@njit(cache=True)
def _reverse_kernel(  # type: ignore[no-untyped-def]
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
    rfp_ptr,
    rfp_from,
    rfp_dur,
    acc_ptr,
    acc_stop,
    acc_dur,
    eg_ptr,
    eg_stop,
    eg_dur,
    arrive,
    out,
    slack,
):
    """Latest transit departure (seconds, ``NEG`` when none) for every origin × destination.

    ``acc_*``: CSR origin → (stop, walk s); ``eg_*``: CSR destination → (stop, walk s);
    ``arrive``: the time to arrive by; ``out``: (origins, destinations) int64. One reverse
    search per destination answers every origin.
    """
    n_stops = sp_ptr.shape[0] - 1
    n_pat = ps_ptr.shape[0] - 1
    ride = np.empty(n_stops, np.int64)
    board = np.empty(n_stops, np.int64)
    marked = np.empty(n_stops, np.int32)
    is_marked = np.zeros(n_stops, np.bool_)
    queue_pos = np.full(n_pat, -1, np.int32)
    queue = np.empty(n_pat, np.int32)
    b_list = np.empty(n_stops, np.int32)
    is_b = np.zeros(n_stops, np.bool_)
    for d in range(out.shape[1]):
        ride[:] = NEG
        board[:] = NEG
        n_marked = 0
        for e in range(eg_ptr[d], eg_ptr[d + 1]):
            s = eg_stop[e]
            v = arrive - eg_dur[e]
            if v > ride[s]:
                ride[s] = v
                if not is_marked[s]:
                    is_marked[s] = True
                    marked[n_marked] = s
                    n_marked += 1
        _reverse_search(
            ride,
            board,
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
            rfp_ptr,
            rfp_from,
            rfp_dur,
            queue_pos,
            queue,
            b_list,
            is_b,
            slack,
        )
        for o in range(out.shape[0]):
            best = NEG
            for e in range(acc_ptr[o], acc_ptr[o + 1]):
                b = board[acc_stop[e]]
                if b > NEG:
                    v = b - acc_dur[e]
                    if v > best:
                        best = v
            out[o, d] = best
    return 0


@njit(cache=True)
def _arrivals_kernel(  # type: ignore[no-untyped-def]
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
    eg_stop,
    eg_dur,
    direct,
    q_ptr,
    q_dep,
    q_dest,
    out,
    slack,
):
    """Earliest arrival of forward searches: origin ``o`` leaving at ``q_dep[e]`` for
    ``q_dest[e]``, ``e`` in ``q_ptr[o]:q_ptr[o+1]`` sorted by descending departure.

    ``eg_*`` is CSR destination → (stop, walk s), ``direct`` (origins × destinations) walking
    seconds (INF when none); ``out[e]`` receives the arrival (INF when unreachable).
    """
    n_stops = sp_ptr.shape[0] - 1
    n_pat = ps_ptr.shape[0] - 1
    best = np.empty(n_stops, np.int32)
    best_ride = np.empty(n_stops, np.int32)
    marked = np.empty(n_stops, np.int32)
    is_marked = np.zeros(n_stops, np.bool_)
    queue_pos = np.full(n_pat, -1, np.int32)
    queue = np.empty(n_pat, np.int32)
    ride_list = np.empty(n_stops, np.int32)
    is_ride = np.zeros(n_stops, np.bool_)
    dummy = np.empty(1, np.int32)
    for o in range(q_ptr.shape[0] - 1):
        best[:] = INF
        best_ride[:] = INF
        last = np.int64(-1)
        for q in range(q_ptr[o], q_ptr[o + 1]):
            t0 = q_dep[q]
            if t0 != last:
                last = t0
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
            d = q_dest[q]
            a = t0 + direct[o, d]
            for e in range(eg_ptr[d], eg_ptr[d + 1]):
                b = best_ride[eg_stop[e]]
                if b < INF and b + eg_dur[e] < a:
                    a = b + eg_dur[e]
            out[q] = a
    return 0

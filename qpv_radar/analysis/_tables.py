"""The long travel-time table every analysis function takes: ``from_id, to_id, travel_time``.

Seconds; NaN or absent when unreachable; as produced by :func:`qpv_radar.routing.travel_times`
or :func:`qpv_radar.routing.transit_travel_times`.
"""

from __future__ import annotations

import pandas as pd

from .._errors import InputFileError, InputProblem

TT_COLUMNS = ("from_id", "to_id", "travel_time")


def check_tt(tt: pd.DataFrame) -> pd.DataFrame:
    """Return ``tt`` unchanged when it has the columns of a long travel-time table.

    Parameters
    ----------
    tt
        Long table ``from_id, to_id, travel_time`` (seconds).

    Returns
    -------
    pandas.DataFrame
        ``tt`` itself.

    Raises
    ------
    InputFileError
        One problem per missing column.
    """
    missing = [c for c in TT_COLUMNS if c not in tt.columns]
    if missing:
        raise InputFileError(
            "travel-time table",
            [
                InputProblem(
                    None,
                    c,
                    "column missing",
                    "give a long table from_id, to_id, "
                    "travel_time (seconds), as routing.travel_times returns",
                )
                for c in missing
            ],
        )
    return tt

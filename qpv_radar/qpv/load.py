"""QPVs of a territory (filtered to its communes) or of a file, with indicators joined."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import datasets
from .._errors import InputFileError, InputProblem, QpvError
from .._io import check_file, check_text_encoding
from ..territory import Territory, builtin_territories, load_territory
from .read import _CODE, _first, _found_columns, read_qpv

__all__ = ["join_indicators", "load_qpv"]

logger = logging.getLogger("qpv_radar.qpv")


def join_indicators(qpv: gpd.GeoDataFrame, path: str | Path) -> gpd.GeoDataFrame:
    """Join an indicator table (e.g. INSEE's ``qp.csv``: ``pop_mun``, ``tp60``…) by QPV code.

    Columns already in ``qpv`` (``nom_qp``…) are not duplicated. QPVs absent from the table
    get missing values. The index of ``qpv`` is preserved.

    Raises
    ------
    InputFileError
        Unreadable file, no code column, duplicate codes, wrong encoding.
    """
    p = check_file(path)
    text = check_text_encoding(p)
    try:
        table = pd.read_csv(io.StringIO(text), dtype={"code_qp": str, "CODE_QP": str})
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            p, [InputProblem(None, None, f"not a readable CSV ({exc})", "fix the CSV")]
        ) from exc
    code_col = _first(table.columns, _CODE)
    if code_col is None:
        raise InputFileError(
            p,
            [
                InputProblem(
                    None, "code_qp", "no QPV code column", f"name it one of {', '.join(_CODE)}"
                ),
                _found_columns(table),
            ],
        )
    table = table.rename(columns={code_col: "code_qp"})
    dup = table["code_qp"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise InputFileError(
            p,
            [
                InputProblem(
                    int(i) + 1,
                    "code_qp",
                    f"duplicate code {table['code_qp'].iat[int(i)]!r}",
                    "keep one row per QPV",
                )
                for i in np.flatnonzero(dup)
            ],
        )
    keep = ["code_qp"] + [c for c in table.columns if c not in qpv.columns and c != "nom_commune"]
    merged = qpv.merge(table[keep], on="code_qp", how="left")
    merged.index = qpv.index
    return merged


def load_qpv(
    territory_or_path: Territory | str | Path,
    *,
    indicators: str | Path | None = None,
    crs: str | None = None,
    generation: int | None = None,
) -> gpd.GeoDataFrame:
    """QPVs of a territory (filtered to its communes, indicators joined) or of a file.

    Parameters
    ----------
    territory_or_path
        A :class:`~qpv_radar.Territory`, a built-in territory name (``"montpellier"``), the
        path of a territory TOML file, or a QPV file (local path or registry path).
    indicators
        Indicator CSV to join by code (default: the territory's ``[qpv] indicators``).
    crs, generation
        Passed to :func:`read_qpv`.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`QPV_COLUMNS` plus indicator columns, EPSG:4326, index 0…n-1.
        ``attrs["note"]`` carries the territory's note on the perimeters' vintage.
    """
    territory: Territory | None = None
    if isinstance(territory_or_path, Territory):
        territory = territory_or_path
    elif str(territory_or_path) in builtin_territories() or (
        str(territory_or_path).lower().endswith(".toml")
    ):
        territory = load_territory(territory_or_path)
    if territory is None:
        source = str(territory_or_path)
        path = datasets.fetch(source) if source in datasets.registry() else Path(source)
        gdf = read_qpv(path, crs=crs, generation=generation)
        if indicators is not None:
            gdf = join_indicators(gdf, indicators)
        return gdf
    if territory.qpv is None:
        raise QpvError(
            f"territory {territory.name!r} declares no QPV perimeters: add a [qpv] table with "
            "perimeters = '<registry path or file>' to its TOML file."
        )
    gdf = read_qpv(
        territory.qpv.resolve(), crs=crs, generation=generation or territory.qpv_generation
    )
    if territory.communes:
        has_codes = gdf["commune_codes"].map(len) > 0
        if has_codes.any():
            wanted = set(territory.communes)
            keep = gdf["commune_codes"].map(lambda cs: bool(wanted.intersection(cs)))
            gdf = gdf[keep | ~has_codes].reset_index(drop=True)
        else:
            logger.warning(
                "%s: the QPV file has no commune codes; all its QPVs are kept", territory.name
            )
    ind = indicators if indicators is not None else territory.indicators
    if ind is not None:
        gdf = join_indicators(gdf, ind if isinstance(ind, str | Path) else ind.resolve())
    gdf.attrs["note"] = territory.qpv_note
    gdf.attrs["territory"] = territory.name
    return gdf

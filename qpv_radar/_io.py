"""Reading input files with clear errors: existence, emptiness, encoding, vector formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd

from ._errors import InputFileError, InputProblem

__all__ = ["check_file", "check_text_encoding", "read_vector"]

_TEXT_SUFFIXES = (".geojson", ".json", ".csv", ".txt", ".tsv")


def check_file(path: str | Path) -> Path:
    """Return ``path`` as a :class:`Path` after checking that it exists and is not empty.

    Raises
    ------
    InputFileError
        Missing file or empty file.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputFileError(
            p, [InputProblem(None, None, "file not found", "check the path (or fetch the dataset)")]
        )
    if p.stat().st_size == 0:
        raise InputFileError(
            p,
            [
                InputProblem(
                    None, None, "the file is empty (0 bytes)", "re-download or re-export it"
                )
            ],
        )
    return p


def check_text_encoding(path: Path, encoding: str = "utf-8") -> str:
    """Decode a text file, raising a clear error naming the line when it is not ``encoding``.

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    InputFileError
        The bytes are not valid in ``encoding`` (e.g. a Windows-1252 file read as UTF-8).
    """
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(
            path,
            [
                InputProblem(
                    None,
                    None,
                    f"not valid {encoding} text (byte {exc.start}, line {line}: "
                    f"{data[exc.start : exc.start + 1]!r})",
                    "re-save the file as UTF-8, or give the right encoding "
                    "(e.g. encoding='cp1252' for Windows-1252 exports)",
                )
            ],
        ) from exc
    if not text.strip():
        raise InputFileError(
            path, [InputProblem(None, None, "the file holds only blanks", "re-export it")]
        )
    return text.removeprefix("\ufeff")


def read_vector(path: Path, **kwargs: Any) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, shapefile, GeoPackage…) with pyogrio, errors made clear."""
    if path.suffix.lower() in _TEXT_SUFFIXES:
        check_text_encoding(path)
    try:
        gdf = gpd.read_file(path, engine="pyogrio", **kwargs)
    except Exception as exc:  # pyogrio raises its own DataSourceError, ValueError…
        raise InputFileError(
            path,
            [
                InputProblem(
                    None,
                    None,
                    f"not a readable vector file ({type(exc).__name__}: {exc})",
                    "give a GeoJSON, shapefile or GeoPackage file",
                )
            ],
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputFileError(
            path,
            [
                InputProblem(
                    None,
                    None,
                    "no geometry: the file is a plain table (a CSV without WKT/coordinates "
                    "read as geometry)",
                    "give a GeoJSON, shapefile or GeoPackage file with the perimeters or points",
                )
            ],
        )
    return gdf

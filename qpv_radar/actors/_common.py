"""Plumbing shared by the actor loaders: reading tables, required columns, hours notices."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .._data_notes import note
from .._errors import InputFileError, InputProblem
from .._io import check_file, check_text_encoding

logger = logging.getLogger("qpv_radar.actors")

__all__ = ["fold", "read_table", "require_columns", "safe_hours"]


def fold(text: Any) -> str:
    """Lower-case, accent-free, single-spaced text for matching (``"Métiers"`` → ``"metiers"``)."""
    raw = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(c for c in raw if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("\u2019", "'").split())


def read_table(path: str | Path, *, encoding: str = "utf-8", sep: str = ",") -> pd.DataFrame:
    """Read a CSV as strings (blank cells → ``""``), with clear errors.

    Raises
    ------
    InputFileError
        Missing, empty, wrongly encoded or malformed file, or no data row.
    """
    p = check_file(path)
    text = check_text_encoding(p, encoding)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            p, [InputProblem(None, None, f"not a readable CSV ({exc})", "fix the CSV syntax")]
        ) from exc
    if df.empty:
        raise InputFileError(
            p, [InputProblem(None, None, "no data row under the header", "export the data rows")]
        )
    df.columns = [str(c).strip() for c in df.columns]
    return df


def require_columns(path: object, columns: Iterable[str], required: Iterable[str]) -> None:
    """Raise one :class:`InputFileError` listing every missing column."""
    have = set(columns)
    missing = [c for c in required if c not in have]
    if missing:
        found = ", ".join(sorted(have))
        raise InputFileError(
            path,
            [
                InputProblem(None, c, "missing column", f"add it (columns found: {found})")
                for c in missing
            ],
        )


def safe_hours(
    convert: Callable[[Any], str | None], value: Any, row: int, bad: list[str]
) -> str | None:
    """Convert source hours, recording unreadable ones in ``bad`` and returning ``None``."""
    try:
        return convert(value)
    except ValueError as exc:
        bad.append(f"row {row}: {exc}")
        return None


def log_bad_hours(path: object, bad: list[str]) -> None:
    """Report unreadable opening hours (kept as unknown, ``None``) on the actors logger."""
    if bad:
        note(logger, path, "data.note.bad_hours", n=len(bad), rows="; ".join(bad[:10]))

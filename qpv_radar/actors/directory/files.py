"""Where the local directory lives, reading it (every bad row at once) and writing it
atomically with a backup."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..._errors import InputFileError, InputProblem
from ..._io import check_file, check_text_encoding
from ...territory import Territory
from .._common import fold
from .rows import _ALIASES, COLUMNS, DATA_ENV, DirectoryRow, _p

# ---- the file ---------------------------------------------------------------------------------


def directory_path(territory: Territory) -> Path:
    """Where the territory's local directory lives (see the module docstring)."""
    if territory.directory is not None:
        return territory.directory
    env = os.environ.get(DATA_ENV)
    if env:
        root = Path(env).expanduser()
    else:
        import platformdirs

        root = Path(platformdirs.user_data_dir("qpv_radar"))
    return root / "directory" / f"{territory.name}.csv"


def _separator(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def read_directory(path: str | Path) -> list[DirectoryRow]:
    """Read and check a local directory file.

    Raises
    ------
    InputFileError
        Every bad row at once (row number, column, problem and fix), or a header with unknown
        columns or without ``action``, ``id``, ``author``, ``date``.
    """
    p = check_file(path)
    body = check_text_encoding(p)
    sep = _separator(body.splitlines()[0])
    reader = csv.reader(io.StringIO(body), delimiter=sep)
    header = [_ALIASES.get(fold(h), fold(h)) for h in next(reader)]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in ("action", "id", "author", "date") if h not in header]
    if unknown or missing:
        probs = [_p(None, h, "unknown_column", columns=", ".join(COLUMNS)) for h in unknown]
        probs += [_p(None, h, "missing_column", columns=", ".join(COLUMNS)) for h in missing]
        raise InputFileError(p, probs)
    rows: list[DirectoryRow] = []
    problems: list[InputProblem] = []
    for n, cells in enumerate(reader, start=1):
        if not any(x.strip() for x in cells):
            continue
        if len(cells) > len(header):
            problems.append(_p(n, None, "too_many_cells", n=len(cells), m=len(header)))
            continue
        row, probs = DirectoryRow.parse(dict(zip(header, cells, strict=False)), n)
        problems += probs
        if row is not None:
            rows.append(row)
    problems += _duplicate_additions(rows)
    if problems:
        raise InputFileError(p, problems)
    return rows


def _duplicate_additions(rows: Sequence[DirectoryRow]) -> list[InputProblem]:
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        if r.action != "add":
            continue
        if r.id in seen:
            out.append(_p(r.row, "id", "duplicate_add", id=r.id, other=seen[r.id]))
        seen.setdefault(r.id, r.row)
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # a file the user keeps, not a private temporary
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_directory(rows: Iterable[DirectoryRow], path: str | Path) -> Path:
    """Write the directory atomically, the previous version kept as ``<file>.bak``.

    The separator of the existing file is kept (new files: ``;``, UTF-8 with a byte-order
    mark). Both files are replaced with :func:`os.replace`: a reader never sees half a file.

    Returns
    -------
    Path
        The file written.
    """
    p = Path(path).expanduser()
    p.parent.mkdir(parents=True, exist_ok=True)
    sep = ";"
    if p.is_file():
        old = p.read_bytes()
        first = old.decode("utf-8", errors="replace").removeprefix("\ufeff").split("\n", 1)[0]
        sep = _separator(first)
        _atomic_write(p.with_name(p.name + ".bak"), old)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), delimiter=sep, lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r.cells())
    _atomic_write(p, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    return p

"""On-disk cache of derived data (parsed GTFS feeds, street networks): verified, no pickle.

An *entry* is one file ``datasets.cache_dir()/<kind>/<key>.qpvc`` holding numpy arrays, pandas
tables and a small JSON ``meta`` dictionary. Its key (:func:`key`) is a SHA-256 of

- the *content* of its input files (SHA-256 of their bytes, memoised in process by path, size
  and modification time, so that a reload in the same process does not hash again), and of
  literal inputs (parameters);
- the *code* that makes the entry: the source of the producing modules, and
  :data:`FORMAT_VERSION` of this file layout. Editing the parser rebuilds its entries.

Layout of an entry (all integers little-endian)::

    b"QPVCACHE" | format version (uint32) | SHA-256 of everything after it (32 bytes)
    | header length (uint64) | header (UTF-8 JSON) | blobs

The header names the entry's ``kind`` and ``key`` (an entry copied to the path of another key
is refused), its ``meta``, and the offset and size of each blob: an array in ``.npy`` format
(read back with ``allow_pickle=False``), or a table in Parquet (:mod:`pyarrow`). Nothing is
ever unpickled: an object array or a foreign file is refused.

Entries are written to a temporary file of the same folder, then renamed over the entry
(:func:`os.replace`, atomic): a reader never sees half an entry, and two processes filling the
same entry at once both leave a complete one. An entry that is damaged (checksum), foreign
(not this layout, another key or kind) or unreadable is reported by :func:`load` as missing,
with a warning on the ``qpv_radar.cache`` logger, and removed; the caller rebuilds it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import json
import logging
import os
import re
import struct
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from . import datasets
from ._errors import CacheEntryError

__all__ = ["FORMAT_VERSION", "Bundle", "entry_path", "file_sha256", "key", "load", "save"]

#: Version of the entry layout; part of every key (changing it rebuilds every entry).
FORMAT_VERSION = 1
MAGIC = b"QPVCACHE"
SUFFIX = ".qpvc"
_PREFIX = struct.Struct("<8sI32sQ")  # magic, format version, sha256, header length
_LABEL = re.compile(r"[^A-Za-z0-9_.-]+")
log = logging.getLogger("qpv_radar.cache")


@dataclass(frozen=True)
class Bundle:
    """The content of one cache entry.

    Attributes
    ----------
    arrays
        Numeric arrays by name (any non-object dtype, any shape).
    frames
        Tables by name.
    meta
        JSON-ready values (e.g. a path, a CRS, mode parameters).
    path
        The entry's file (``None`` before it is saved).
    """

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


# ---- keys ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, memoised by (resolved path, size, ``mtime_ns``).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        Hexadecimal digest.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    p = Path(path).expanduser().resolve()
    st = p.stat()
    return _file_sha256(str(p), st.st_size, st.st_mtime_ns)


@functools.cache
def _module_sha256(name: str) -> str:
    """SHA-256 of an imported module's source file (computed on first use, then kept)."""
    module = sys.modules[name]
    source = getattr(module, "__file__", None)
    if source is None:
        raise ValueError(f"module {name} has no source file to fingerprint")
    return hashlib.sha256(Path(source).read_bytes()).hexdigest()


def code_version(code: Sequence[ModuleType]) -> str:
    """Fingerprint of the code making an entry: its modules' sources and :data:`FORMAT_VERSION`.

    The source of this module (the entry layout) is always part of it.

    Parameters
    ----------
    code
        The modules whose source shapes the entry (e.g. the parser).

    Returns
    -------
    str
        Hexadecimal digest; changes when any of the modules' source changes.
    """
    names = [__name__, *(m.__name__ for m in code)]  # this module's layout code, always
    parts = [f"format={FORMAT_VERSION}"] + [f"{n}={_module_sha256(n)}" for n in names]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(
    kind: str,
    inputs: Sequence[Path | str | bytes],
    code: Sequence[ModuleType],
    *,
    params: Mapping[str, Any] | None = None,
    label: str = "",
) -> str:
    """The key of the entry made from ``inputs`` by ``code``.

    Parameters
    ----------
    kind
        Family of entries (also the sub-folder), e.g. ``"gtfs"``, ``"networks"``.
    inputs
        A :class:`~pathlib.Path` stands for the *content* of that file (its SHA-256: the same
        bytes elsewhere give the same key); a ``str`` or ``bytes`` is hashed as given (e.g. a
        checksum known in advance).
    code
        Modules whose source shapes the entry (see :func:`code_version`).
    params
        Other values the entry depends on (JSON-ready: mode, speeds, CRS…).
    label
        Readable prefix of the key (file name), e.g. the mode or the feed's name.

    Returns
    -------
    str
        ``"<label>-<64 hex digits>"`` (or the digits alone without a label): the entry's file
        name without suffix.

    Raises
    ------
    OSError
        An input file cannot be read.
    """
    parts: list[str] = []
    for item in inputs:
        if isinstance(item, Path):
            parts.append("file:" + file_sha256(item))
        elif isinstance(item, bytes):
            parts.append("bytes:" + hashlib.sha256(item).hexdigest())
        else:
            parts.append("str:" + hashlib.sha256(item.encode()).hexdigest())
    doc = {
        "kind": kind,
        "inputs": parts,
        "code": code_version(code),
        "params": dict(params or {}),
    }
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
    clean = _LABEL.sub("_", label).strip("._-")[:40]
    return f"{clean}-{digest}" if clean else digest


def entry_path(kind: str, key: str) -> Path:
    """The file of entry ``key`` of ``kind`` under :func:`~qpv_radar.datasets.cache_dir`."""
    if _LABEL.search(kind.replace("/", "")) or _LABEL.search(key) or ".." in kind:
        raise ValueError(f"invalid cache kind or key: {kind!r}, {key!r}")
    return datasets.cache_dir() / kind / f"{key}{SUFFIX}"


# ---- writing ------------------------------------------------------------------------------------
def _array_bytes(a: np.ndarray) -> bytes:
    if a.dtype.hasobject:
        raise TypeError("object arrays cannot be cached (they would need pickle)")
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def _frame_bytes(df: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df), buf, compression="none")
    return buf.getvalue()


def encode(
    kind: str,
    key: str,
    arrays: Mapping[str, np.ndarray],
    frames: Mapping[str, pd.DataFrame],
    meta: Mapping[str, Any],
) -> bytes:
    """The bytes of an entry (see the module's description of the layout).

    Raises
    ------
    TypeError
        An object array (it would need pickle), or ``meta`` that is not JSON-ready.
    """
    blobs: list[bytes] = []
    members: list[dict[str, Any]] = []
    offset = 0
    named = [("array", n, _array_bytes(a)) for n, a in arrays.items()]
    named += [("frame", n, _frame_bytes(f)) for n, f in frames.items()]
    for what, name, blob in named:
        members.append({"name": name, "type": what, "offset": offset, "size": len(blob)})
        blobs.append(blob)
        offset += len(blob)
    header = json.dumps(
        {"kind": kind, "key": key, "meta": dict(meta), "members": members},
        ensure_ascii=False,
        allow_nan=False,
    ).encode()
    body = struct.pack("<Q", len(header)) + header + b"".join(blobs)
    digest = hashlib.sha256(body).digest()
    return MAGIC + struct.pack("<I", FORMAT_VERSION) + digest + body


def save(
    kind: str,
    key: str,
    arrays: Mapping[str, np.ndarray] | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Path | None:
    """Write entry ``key`` of ``kind`` atomically (temporary file, then :func:`os.replace`).

    Parameters
    ----------
    kind, key
        As given to / returned by :func:`key`.
    arrays
        Numeric arrays (no object dtype).
    frames
        Tables (columns Parquet can hold: numbers, booleans, text, dates).
    meta
        JSON-ready values.

    Returns
    -------
    pathlib.Path or None
        The entry's file, or ``None`` when the cache folder cannot be written (logged; the
        data is only rebuilt next time).
    """
    path = entry_path(kind, key)
    data = encode(kind, key, arrays or {}, frames or {}, meta or {})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:40]}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the entry from the user's group
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        log.warning("cache entry %s not written (%s): it will be rebuilt next time", path, exc)
        return None
    return path


# ---- reading ------------------------------------------------------------------------------------
def decode(data: bytes, kind: str, key: str) -> Bundle:
    """Check and unpack the bytes of an entry made for ``kind`` and ``key``.

    Raises
    ------
    ValueError
        Not an entry of this layout, damaged (checksum), or made for another kind or key.
    """
    if len(data) < _PREFIX.size or not data.startswith(MAGIC):
        raise CacheEntryError("not a qpv_radar cache entry")
    _, version, digest, size = _PREFIX.unpack_from(data)
    if version != FORMAT_VERSION:
        raise CacheEntryError(f"entry layout version {version}, expected {FORMAT_VERSION}")
    view = memoryview(data)
    if hashlib.sha256(view[_PREFIX.size - 8 :]).digest() != digest:
        raise CacheEntryError("checksum mismatch (damaged or truncated)")
    start = _PREFIX.size
    header = json.loads(bytes(view[start : start + size]))
    if header.get("kind") != kind or header.get("key") != key:
        raise CacheEntryError(f"made for {header.get('kind')}/{header.get('key')}, not this key")
    base = start + size
    arrays: dict[str, np.ndarray] = {}
    frames: dict[str, pd.DataFrame] = {}
    for m in header["members"]:
        blob = view[base + m["offset"] : base + m["offset"] + m["size"]]
        if m["type"] == "array":
            arrays[m["name"]] = np.load(io.BytesIO(blob), allow_pickle=False)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            frames[m["name"]] = pq.read_table(pa.BufferReader(blob)).to_pandas()
    return Bundle(arrays, frames, header.get("meta", {}))


def load(kind: str, key: str) -> Bundle | None:
    """Read entry ``key`` of ``kind``, verified.

    Returns
    -------
    Bundle or None
        The entry, or ``None`` when there is none. A damaged, foreign or unreadable entry is
        also ``None``: a warning is logged on ``qpv_radar.cache`` and the file removed, so the
        caller rebuilds and saves it.
    """
    path = entry_path(kind, key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cache entry %s unreadable (%s): rebuilding it", path, exc)
        return None
    try:
        bundle = decode(data, kind, key)
    except Exception as exc:  # CacheEntryError, or a blob numpy/pyarrow cannot read
        log.warning("cache entry %s rejected (%s): rebuilding it", path, exc)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None
    return Bundle(bundle.arrays, bundle.frames, bundle.meta, path)


def flatten(parts: Sequence[np.ndarray], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """A ragged list of 1-d arrays as one flat array and ``len + 1`` offsets (int64).

    See Also
    --------
    unflatten : the inverse.
    """
    sizes = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.concatenate(parts).astype(dtype) if len(parts) else np.zeros(0, dtype=dtype)
    return flat, offsets


def unflatten(flat: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """The ragged list stored by :func:`flatten` (each part a copy, writable)."""
    return [flat[a:b].copy() for a, b in itertools.pairwise(offsets)]

"""Notes about the data files read: said once for the built-in data, every time for the user's.

A loader that repairs or skips something (invalid polygons repaired, rows without coordinates
skipped, unreadable opening hours) reports it with :func:`note`. For a file of the user's
own, that is a warning every time (they can fix the file). For a dataset of the built-in
registry, the person can do nothing about it: the warning is given once, the first time that
version of the dataset (its SHA-256) is read, and recorded in ``notes.json`` in the cache
folder; ``qpv-radar data list`` shows the recorded notes (:func:`recorded`). Later reads
log the note at DEBUG level only.

Records carry the catalogue code and parameters (``record.qpv_message``): :class:`CliFormatter`
words them in the person's language.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from ._messages import Message

__all__ = ["CliFormatter", "note", "recorded", "without_file"]

_FILE = "notes.json"


def _builtin(path: object) -> tuple[str, str] | None:
    """``(registry path, sha256)`` when ``path`` is a registry dataset's cached or mirrored copy."""
    from . import datasets

    try:
        p = Path(str(path)).resolve()
    except (OSError, ValueError):
        return None
    roots = [datasets.cache_dir(), datasets.mirror_dir()]
    reg = datasets.registry()
    for root in roots:
        if root is None:
            continue
        try:
            rel = p.relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            continue
        if rel in reg:
            return rel, reg[rel].sha256
    return None


def _load() -> dict[str, Any]:
    from .datasets import cache_dir

    try:
        data = json.loads((cache_dir() / _FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(data: dict[str, Any]) -> None:
    """Write ``notes.json`` atomically; a read-only cache only means the note is said again."""
    from .datasets import cache_dir

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".notes-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
        os.replace(tmp, folder / _FILE)
    except OSError:
        pass


def note(logger: logging.Logger, path: object, code: str, **params: Any) -> None:
    """Report a note about the data file ``path``: a warning, once per version for built-in data.

    Parameters
    ----------
    logger
        The loader's logger.
    path
        The file read.
    code
        Catalogue code of the note; ``params`` its parameters (``file`` is added).
    """
    known = _builtin(path)
    params = {"file": known[0] if known else str(path), **params}
    msg = Message(code, params)
    level = logging.WARNING
    if known is not None:
        data = _load()
        entry = data.setdefault(known[1], {"path": known[0], "notes": []})
        item = {"code": code, "params": params}
        if item in entry["notes"]:
            level = logging.DEBUG  # already said for this version of the dataset
        else:
            entry["notes"].append(item)
            _save(data)
    logger.log(level, "%s", msg.text("en"), extra={"qpv_message": msg})


def recorded() -> dict[str, list[Message]]:
    """The notes recorded about built-in datasets: registry path → messages."""
    from .datasets import registry

    reg = registry()
    out: dict[str, list[Message]] = {}
    for sha, entry in _load().items():
        path = entry.get("path", "")
        if path in reg and reg[path].sha256 == sha:  # a note about the current version only
            out[path] = [Message(n["code"], n.get("params", {})) for n in entry.get("notes", [])]
    return out


def without_file(msg: Message, lang: str) -> str:
    """A note's words without its leading file name (for a table whose row names the file)."""
    return Message(msg.code, {**msg.params, "file": ""}).text(lang).lstrip(" :")


class CliFormatter(logging.Formatter):
    """A formatter that words catalogue notes (``record.qpv_message``) in ``lang``."""

    def __init__(self, fmt: str, lang: str) -> None:
        super().__init__(fmt)
        self.lang = lang

    def format(self, record: logging.LogRecord) -> str:
        msg = getattr(record, "qpv_message", None)
        if isinstance(msg, Message):
            record = logging.makeLogRecord({**record.__dict__, "msg": msg.text(self.lang),
                                            "args": None})  # fmt: skip
        return super().format(record)

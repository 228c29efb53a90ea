"""Writing the files a user keeps, and the text that reaches a terminal, safely.

- :func:`check_outputs` runs before any computation: every output's folder exists and can be
  written in, no output is a folder, no output is also an input of the same run (the territory
  file, ``--candidates``, ``--from-json``, a GTFS or streets file…), no two outputs are the same
  file. Each refusal names the option(s) and the file(s).
- :func:`atomic_write` writes into a private temporary folder next to the target, then renames
  the finished file over it (:func:`os.replace`, atomic on one file system): a failure half-way
  leaves the previous file byte-identical and no half-written file behind.
- :func:`check_extra` names a missing optional extra (``pip install 'qpv-radar[print]'``).
- :func:`clean_terminal` strips control characters (ANSI escape sequences, carriage returns,
  other C0/C1 codes) from data text before it is printed; :class:`CleanStream` applies the same
  rule to a whole output stream (only colour sequences of the program itself are kept).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from ._errors import ExportError

__all__ = [
    "CleanStream",
    "atomic_write",
    "atomic_write_text",
    "check_extra",
    "check_outputs",
    "clean_terminal",
    "territory_inputs",
]

PathLike = str | os.PathLike[str]


def _key(path: Path) -> Path:
    """A path as compared with others: absolute, symlinks resolved (the file may not exist)."""
    return Path(os.path.realpath(path.expanduser()))


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)  # hard links, case-insensitive file systems
    except OSError:
        pass
    return _key(a) == _key(b)


def _writable_folder(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried, not guessed from permission bits:
    read-only mounts and ACLs count, and root may write in a 0o555 folder)."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".qpv-radar-probe-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def check_outputs(
    outputs: Mapping[str, PathLike | None],
    inputs: Mapping[str, PathLike | None] | None = None,
) -> None:
    """Refuse outputs that cannot be written, or that would overwrite an input, before computing.

    Parameters
    ----------
    outputs
        Option (or role) → output path; ``None`` entries are skipped.
    inputs
        Option (or role) → input path of the same run; ``None`` entries are skipped.

    Raises
    ------
    ExportError
        An output whose folder is missing or read-only, an output that is a folder or a
        read-only file, an output that is also an input (both named), two outputs on one file.
    """
    outs = [(opt, Path(p)) for opt, p in outputs.items() if p is not None and str(p) != ""]
    ins = [(opt, Path(p)) for opt, p in (inputs or {}).items() if p is not None and str(p) != ""]
    for i, (opt, path) in enumerate(outs):
        for in_opt, in_path in ins:
            if _same(path, in_path):
                raise ExportError(
                    "outputs.same_as_input", option=opt, path=path, input_option=in_opt,
                    input_path=in_path,
                )  # fmt: skip
        for other_opt, other in outs[:i]:
            if _same(path, other):
                raise ExportError("outputs.same_output", option=opt, other=other_opt, path=path)
        if path.is_dir():
            raise ExportError("outputs.is_directory", option=opt, path=path)
        folder = path.expanduser().parent
        if not folder.is_dir():
            raise ExportError("outputs.missing_folder", option=opt, path=path, folder=folder)
        if not _writable_folder(folder):
            raise ExportError("outputs.read_only_folder", option=opt, path=path, folder=folder)
        if path.exists() and not os.access(path, os.W_OK):
            raise ExportError("outputs.read_only_file", option=opt, path=path)


def territory_inputs(territory: Any) -> dict[str, Path]:
    """The local files a territory reads (its TOML file, QPV, structures, streets, GTFS, local
    directory), named for :func:`check_outputs` (``territory``, ``gtfs``, ``streets``…).

    Registry datasets (fetched into the cache) are not the user's files and are left out.
    """
    found: dict[str, Path] = {}

    def add(role: str, value: Any, base: Path | None = None) -> None:
        if isinstance(value, str | os.PathLike) and str(value):
            p = Path(value).expanduser()
            if not p.is_absolute() and base is not None:
                p = base / p
            if p.is_file():
                found[f"{role} ({p.name})" if role in found else role] = p

    add("--territory", getattr(territory, "path", None))
    add("directory", getattr(territory, "directory", None))
    for role in ("qpv", "indicators", "streets", "actors", "gtfs"):
        sources = getattr(territory, role, None)
        for src in sources if isinstance(sources, tuple) else (sources,):
            if src is not None:
                add(role, getattr(src, "source", None), getattr(src, "base", None))
    return found


def check_extra(option: str, modules: tuple[str, ...] = ("matplotlib", "reportlab")) -> None:
    """Name the ``print`` extra when one of ``modules`` is not installed.

    Raises
    ------
    ExportError
        A module missing; the message gives ``pip install 'qpv-radar[print]'``.
    """
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise ExportError("outputs.missing_extra", option=option, module=module)


def atomic_write(path: PathLike, writer: Callable[[Path], Any]) -> Path:
    """Write ``path`` through ``writer(temporary_path)``, then rename it over ``path``.

    The temporary file has the target's name inside a private folder created next to it (same
    file system, so the rename is atomic; writers that choose a format or a layer from the
    name see the real one). The finished file gets the permissions an ordinary new file would
    (or the previous file's). On any failure the temporary folder is removed and the previous
    file, if any, is left byte-identical.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ExportError
        The folder is missing or the system refused the write (disk full, permissions…); other
        exceptions of ``writer`` propagate unchanged (the previous file still kept).
    """
    target = Path(path).expanduser()
    folder = target.parent
    try:
        tmpdir = Path(tempfile.mkdtemp(dir=folder, prefix=f".{target.name}."))
    except OSError as exc:
        raise ExportError("outputs.write_failed", path=target, reason=exc.strerror or exc) from exc
    try:
        tmp = tmpdir / target.name
        try:
            writer(tmp)
            if not tmp.is_file():
                raise ExportError("outputs.write_failed", path=target, reason="no file written")
            os.chmod(tmp, _mode(target))
            os.replace(tmp, target)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ExportError("outputs.write_failed", path=target, reason=reason) from exc
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return target


def atomic_write_text(path: PathLike, text: str) -> Path:
    """:func:`atomic_write` of UTF-8 ``text``."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _mode(target: Path) -> int:
    """The previous file's permissions, or those of a new file under the current umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


# ---- terminal ---------------------------------------------------------------------------------

#: ANSI/VT escape sequences (CSI, OSC, other ESC sequences), then any lone C0/C1 control code
#: except tab and newline. Tabs become spaces in :func:`clean_terminal`.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI … final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC … ST
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The program's own colour sequences (SGR), kept by :class:`CleanStream`.
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def clean_terminal(text: object) -> str:
    """``text`` without escape sequences and control characters (tab → space; newlines kept).

    ``"\\x1b]0;pwned\\x07Maison\\rX"`` → ``"MaisonX"``. Use it on every piece of data printed.
    """
    s = str(text)
    if s.isprintable():
        return s
    return _CONTROLS.sub("", _ESCAPES.sub("", s.replace("\t", " ")))


def _clean_keep_sgr(s: str) -> str:
    if s.isprintable():
        return s
    parts = []
    last = 0
    for m in _SGR.finditer(s):
        parts.append(_CONTROLS.sub("", _ESCAPES.sub("", s[last : m.start()])).replace("\t", " "))
        parts.append(m.group())
        last = m.end()
    tail = s[last:]
    parts.append(_CONTROLS.sub("", _ESCAPES.sub("", tail.replace("\t", " "))))
    return "".join(parts)


class CleanStream:
    """A text stream that strips control characters from everything written to it.

    Newlines are kept, and so are plain colour sequences (``ESC [ … m``, what a styled table
    prints on a terminal); cursor moves, title changes, hyperlinks, carriage returns and the
    other C0/C1 codes are removed. The command line wraps ``sys.stdout`` in it, so that data
    text (a structure's name…) can never drive the terminal even where a command forgot
    :func:`clean_terminal`.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, s: str) -> int:
        """Write ``s`` cleaned; return ``len(s)`` (what callers expect)."""
        self._stream.write(_clean_keep_sgr(s))
        return len(s)

    def writelines(self, lines: Any) -> None:
        """Write each line cleaned."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, buffer…
        return getattr(self._stream, name)

"""The one catalogue of words: codes and parameters → French or English text.

Library code never writes words for people: it raises errors and reports reasons as a
:class:`Message` (a code and its parameters). The render layer, the CLI and the web page turn
them into text in the person's language with :meth:`Message.text` or :func:`text`. Every word
lives in :mod:`.fr` and :mod:`.en` (one dictionary per language: adding a language is adding a
module). A code that is not in the catalogue is plain English text shown as it is (messages not
yet translated); its parameters are then ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import en, fr

__all__ = ["DEFAULT_LANG", "LANGS", "Message", "days", "has", "text"]

#: Output languages, the default first.
LANGS: tuple[str, ...] = ("fr", "en")
#: Language of outputs for people when none is asked.
DEFAULT_LANG = "fr"

_WORDS: dict[str, dict[str, str]] = {"fr": fr.WORDS, "en": en.WORDS}
_DAYS: dict[str, dict[str, str]] = {"fr": fr.DAYS, "en": en.DAYS}


@dataclass(frozen=True)
class Message:
    """A code of the catalogue and its parameters; words only when asked for a language.

    Parameters may themselves be messages (a reason inside a reason): they are worded in the
    same language.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"fr"`` or ``"en"``)."""
        return text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.text("en")


def has(code: str) -> bool:
    """Whether ``code`` is in the catalogue (in every language)."""
    return all(code in words for words in _WORDS.values())


def text(code: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The words of ``code`` in ``lang``, formatted with ``params``.

    Raises
    ------
    KeyError
        ``lang`` is not one of :data:`LANGS` (the CLI and the renderers check it first and
        raise :class:`~qpv_radar.LanguageError`).
    """
    words = _WORDS[lang]
    template = words.get(code)
    if template is None:  # plain text, not yet in the catalogue
        return code
    if not params:
        return template
    values = {k: (v.text(lang) if isinstance(v, Message) else v) for k, v in params.items()}
    return template.format(**values)


def days(lang: str) -> dict[str, str]:
    """Words of opening-hours days and states (``Mo`` → ``lun``…) in ``lang``."""
    return _DAYS[lang]

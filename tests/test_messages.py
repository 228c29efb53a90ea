"""The one message catalogue: every code the package uses is worded in every language.

Read from the package's source (AST), like the house rules of ``test_house.py``:

- the first argument of an error of :mod:`qpv_radar._errors` (``raise PersonError("person.x",
  …)``) when it is a code (a literal without spaces; a sentence is a message not yet in the
  catalogue, shown as it is);
- the first argument of ``Message(…)``, ``t(…)`` / ``labels.t(…)`` and ``text(…)`` when it is a
  literal (always a code: an unknown one would be printed as the code itself).

Each such code is in the French and the English catalogue with the same ``{placeholders}``, and
a call that names its parameters gives every placeholder (a missing one would fail when the
error is raised, hiding it). The two catalogues have the same keys and, key by key, the same
placeholders. The checks are plain functions, so they are tested on planted mistakes too.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import qpv_radar
from qpv_radar import _errors
from qpv_radar._defaults import MODES, ROLES
from qpv_radar._messages import Message, en, fr, text

PACKAGE = Path(qpv_radar.__file__).resolve().parent
CATALOGUE = {"fr": fr.WORDS, "en": en.WORDS}

#: Calls whose first literal argument is always a catalogue code.
_WORDING_CALLS = {"Message", "t", "text"}
#: Errors whose first argument is not a message (a path, and a list of problems).
_NOT_A_MESSAGE = {"InputFileError"}


def _error_names() -> set[str]:
    names, todo = set(), [_errors.QpvRadarError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names - _NOT_A_MESSAGE


@dataclass(frozen=True)
class Use:
    """One code used in the source, and the parameters the call names (``None``: unknown)."""

    where: str
    code: str
    params: frozenset[str] | None


def _literals(node: ast.expr) -> list[str]:
    """The string literals an argument can be (both branches of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute) and f.attr == "t":  # labels.t, lb.t; not msg.text("en")
        return f.attr
    if isinstance(f, ast.Attribute) and f.attr in _error_names():  # _errors.PersonError(…)
        return f.attr
    return None


def _named_params(call: ast.Call, name: str) -> frozenset[str] | None:
    """The parameter names a call gives its message, when they can be read from the source."""
    if name == "Message":
        if len(call.args) < 2:
            return frozenset()
        params = call.args[1]
        if isinstance(params, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in params.keys
        ):
            return frozenset(k.value for k in params.keys if isinstance(k, ast.Constant))
        return None
    if any(k.arg is None for k in call.keywords):  # **params
        return None
    return frozenset(k.arg for k in call.keywords if k.arg is not None and k.arg != "fr")


def codes_used(source: str, where: str = "<source>") -> Iterator[Use]:
    """Every catalogue code used in ``source`` (Python), with the parameters each call names."""
    errors = _error_names()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _call_name(node)
        if name in _WORDING_CALLS:
            codes = _literals(node.args[0])
        elif name in errors:
            # a sentence (spaces) is a message not yet in the catalogue, shown as it is
            codes = [c for c in _literals(node.args[0]) if c and not any(x.isspace() for x in c)]
        else:
            continue
        for code in codes:
            yield Use(f"{where}:{node.lineno}", code, _named_params(node, name))


def placeholders(template: str) -> set[str]:
    """``{day:%d/%m/%Y}``, ``{period[0]}``, ``{name!r}`` → ``day``, ``period``, ``name``."""
    out = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            out.add(field.split(".")[0].split("[")[0])
    return out


def catalogue_problems(catalogue: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Keys missing from a language, and keys worded with other placeholders."""
    problems = []
    langs = list(catalogue)
    keys = set().union(*(set(words) for words in catalogue.values()))
    for key in sorted(keys):
        missing = [lang for lang in langs if key not in catalogue[lang]]
        if missing:
            problems.append(f"{key!r} missing in {', '.join(missing)}")
            continue
        sets = {lang: placeholders(catalogue[lang][key]) for lang in langs}
        if len({frozenset(s) for s in sets.values()}) > 1:
            problems.append(f"{key!r} has other placeholders: {sets}")
    return problems


def use_problems(uses: list[Use], catalogue: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Codes used but not in every language; calls that leave a placeholder out."""
    problems = []
    for use in uses:
        missing = [lang for lang, words in catalogue.items() if use.code not in words]
        if missing:
            problems.append(f"{use.where}: {use.code!r} not in {', '.join(missing)}")
            continue
        if use.params is None:
            continue
        for lang, words in catalogue.items():
            left_out = placeholders(words[use.code]) - use.params
            if left_out:
                problems.append(
                    f"{use.where}: {use.code!r} needs {sorted(left_out)} ({lang}), "
                    f"the call gives {sorted(use.params)}"
                )
    return problems


def _package_uses() -> list[Use]:
    uses = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(PACKAGE.parent))
        uses += codes_used(path.read_text(encoding="utf-8"), where)
    return uses


# ---- the package ----


def test_the_two_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert catalogue_problems(CATALOGUE) == []


def test_every_code_used_in_the_package_is_in_both_catalogues() -> None:
    uses = _package_uses()
    # the scan does find the codes (errors, messages, labels), not an empty list
    found = {u.code for u in uses}
    assert {"person.empty_hours", "reason.cut_off", "cli.coverage.head", "title"} <= found
    assert len(found) > 100
    assert use_problems(uses, CATALOGUE) == []


def test_codes_built_from_a_role_or_a_mode_are_in_both_catalogues() -> None:
    """Codes the source builds (``f"role.{role}"``) cannot be read from it: listed here."""
    codes = [f"role.{r}" for r in ROLES] + [f"role.short.{r}" for r in ROLES]
    codes += [f"mode.{m}" for m in MODES] + [f"mode.short.{m}" for m in MODES]
    codes += ["network.walk", "network.bike", "network.car"]
    codes += ["itinerary.origin", "itinerary.destination"]
    uses = [Use("built", c, None) for c in codes]
    assert use_problems(uses, CATALOGUE) == []


def test_a_converted_error_words_its_message_in_both_languages() -> None:
    err = qpv_radar.PersonError("person.max_minutes", value=-3)
    assert err.message("en") == "max_minutes must be positive, got -3." == str(err)
    assert err.message("fr") == "le temps maximal doit être positif (reçu : -3)."
    nested = Message("person.bad_modes", {"bad": Message("person.no_mode"), "modes": "walk"})
    assert nested.text("fr") == "mode(s) inconnu(s) ou absent(s) (aucun) : choisissez parmi walk."
    head = text("cli.coverage.head", "en", role="r", mode="m", m=15.0)
    assert head == "Worst gaps (r, m, 15 min):"


# ---- the checks fail when they should ----


def test_a_key_missing_from_one_catalogue_is_found() -> None:
    planted = {lang: dict(words) for lang, words in CATALOGUE.items()}
    del planted["fr"]["person.max_minutes"]
    assert catalogue_problems(planted) == ["'person.max_minutes' missing in fr"]
    uses = [u for u in _package_uses() if u.code == "person.max_minutes"]
    assert uses and all("not in fr" in p for p in use_problems(uses, planted))


def test_other_placeholders_in_one_language_are_found() -> None:
    planted = {lang: dict(words) for lang, words in CATALOGUE.items()}
    planted["en"]["slots.bad_hour"] = "slot {slot!r}: hour {hour} is not a time of day."
    (problem,) = catalogue_problems(planted)
    assert problem.startswith("'slots.bad_hour' has other placeholders")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('raise PersonError("person.no_such_code", value=1)', "'person.no_such_code' not in"),
        ('print(labels.t("cli.no_such_label", lang))', "'cli.no_such_label' not in"),
        ('Message("reason.no_such_reason")', "'reason.no_such_reason' not in"),
        ('raise PersonError("person.max_minutes")', "needs ['value']"),
        ('Message("reason.cut_off", {"limits": 3})', "needs ['limit']"),
    ],
)
def test_an_unknown_code_or_a_missing_parameter_in_the_source_is_found(
    source: str, expected: str
) -> None:
    problems = use_problems(list(codes_used(source)), CATALOGUE)
    assert problems and all(expected in p for p in problems)


def test_sentences_and_other_calls_are_not_taken_for_codes() -> None:
    source = (
        'raise PersonError(f"max {x}")\n'
        'raise PlannerError("window_minutes: give 0 or more.")\n'
        'raise InputFileError("capacity", problems)\n'
        'msg.text("en")\n'
        'pen.text(x, y, "a label")\n'
    )
    assert list(codes_used(source)) == []

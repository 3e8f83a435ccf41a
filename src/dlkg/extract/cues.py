"""The language knowledge, loaded from data: ontology/language/cues.toml (cue phrases, word lists, and which rules
run for which asked concepts). Patterns compile once per process."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import re2

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..errors import DlkgError
from ..resources import ontology_dir


class TwinPattern:
    r"""A pattern for yes/no searches, compiled for `re` and for RE2 (google-re2). RE2 scans these long keyword lists
    4-15 times faster; on ASCII text both engines mean the same by \b, \w, \d and case, and `re2_syntax` gives RE2
    Python's \s. Text with other characters (about one sentence in a hundred) goes to `re`."""

    def __init__(self, pattern: str, flags: int = 0):
        self.python = re.compile(pattern, flags)
        options = re2.Options()
        options.case_sensitive = not flags & re.I
        self.re2 = re2.compile(re2_syntax(pattern), options)

    def search(self, text: str) -> bool:
        return bool((self.re2 if text.isascii() else self.python).search(text))


def re2_syntax(pattern: str) -> str:
    r"""`pattern` with Python's ASCII \s (which also matches \v and \x1c-\x1f) spelled out for RE2."""
    spaces, out, in_class, i = r"\t-\r\x1c-\x1f ", [], False, 0
    while i < len(pattern):
        if pattern.startswith(r"\s", i):
            out.append(spaces if in_class else f"[{spaces}]")
            i += 2
        elif pattern[i] == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        else:
            in_class = pattern[i] != "]" if in_class else pattern[i] == "["
            out.append(pattern[i])
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Cues:
    """The compiled knowledge: `patterns` by name, word lists, and the concepts each asked-for rule runs on."""
    patterns: dict[str, Any]                 # name -> re.Pattern or TwinPattern
    words: dict[str, tuple[str, ...]]
    purpose_verbs: dict[str, str]            # verb -> its noun ("classify" -> "classification")
    split_sets: tuple[tuple[str, re.Pattern[str]], ...]
    concepts: dict[str, frozenset[str]]      # named concept groups
    asked: dict[str, frozenset[str]]         # rule -> the asked concepts it runs on

    def __getattr__(self, name: str) -> Any:  # cues.missing is cues.patterns["missing"]
        try:
            return self.patterns[name]
        except KeyError:
            raise AttributeError(name) from None

    def runs(self, rule: str, asked: tuple[str, ...] | frozenset[str]) -> bool:
        """Does `rule` run on an answer whose question asks about `asked`?"""
        return not self.asked[rule].isdisjoint(asked)


def _value_lead(words: dict[str, list[str]]) -> re.Pattern[str]:
    """The lead words and scopes between a hyperparameter's name and its value, as one anchored pattern."""
    alt = lambda key: "|".join(re.escape(w) for w in words[key])  # in the file's order: the first that fits wins
    scope = (rf"(?:for|in|of) (?:(?:{alt('value_scope_determiners')}) )?(?:{alt('value_scope_modifiers')}|\w+ )?"
             rf"(?:{alt('value_scope_heads')})\b")
    return re.compile(rf"^(?:\s|{alt('value_lead')}|{scope})*", re.I)


def cues_file(folder: Path | None = None) -> Path:
    return (folder or ontology_dir()) / "language" / "cues.toml"


@lru_cache(maxsize=4)
def load_cues(folder: Path | None = None) -> Cues:
    path = cues_file(folder)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        patterns: dict[str, Any] = {}
        for name, spec in data["patterns"].items():
            flags = (re.I if "i" in spec.get("flags", "") else 0) | (re.M if "m" in spec.get("flags", "") else 0)
            text = "|".join(spec["alternatives"])
            patterns[name] = TwinPattern(text, flags) if spec.get("engine") == "twin" else re.compile(text, flags)
        patterns["value_lead"] = _value_lead(data["words"])
        negation = "|".join(data["words"]["negation"])
        patterns["negated_term"] = re.compile(rf"\b(?:{negation})\b", re.I)
        # the same words anywhere, even inside other words: where a window's text lacks them, none of its tokens is one
        patterns["negation_letters"] = re.compile(negation, re.I)
        return Cues(patterns, {k: tuple(v) for k, v in data["words"].items()}, dict(data["purpose_verbs"]),
                    tuple((name, re.compile(data["split_set_patterns"][name], re.I)) for name in data["words"]["split_sets"]),
                    {k: frozenset(v) for k, v in data["concepts"].items()},
                    {k: frozenset(v) for k, v in data["asked"].items()})
    except FileNotFoundError:
        raise DlkgError(f"{path}: the extractor's language data is missing") from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError, re.error, re2.error) as exc:
        raise DlkgError(f"{path}: broken language data: {type(exc).__name__}: {exc}") from exc

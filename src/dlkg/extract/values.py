"""Values and settings: hyperparameter values as written ("1e-4", "640 × 640", "48 for Inception-V3") and the
settings read next to a hyperparameter's name. The number grammar is syntax, kept here; which names take a value
before them is language data (cues.toml)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Callable

from rdflib import URIRef
from spacy.tokens import Doc, Span

from ..ingest import Answer
from ..namespaces import DLV
from ..vocabulary import Term, Vocabulary
from .cues import Cues, load_cues
from .results import Evidence, Setting
from .spans import doc_text, sentence_of, span_text

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\.\d+)"
_BY = r"(?:\s?[x×*]\s?|\s+by\s+)"  # between the dimensions of a size: "224 × 224", "1200 by 800"
_SIZE = rf"{_NUMBER}(?:{_BY}{_NUMBER}){{1,2}}(?:\s?pixels?)?"
_TWO_DIMENSIONS = re.compile(rf"\d{_BY}\d")
_VALUE = re.compile(rf"({_SIZE}|{_NUMBER}\s?%|{_NUMBER}/{_NUMBER}|{_NUMBER})", re.I)
_LOST_EXPONENT = re.compile(r"^\s?(?:[\^⋅·]|[×x*]\s?10\b)")
_LIST_SEP = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|to|-|–)\s*", re.I)


def parse_value(text: str) -> Decimal | int | str:
    """'0.001' -> Decimal, '1e-4' -> Decimal('0.0001'), '200,000' -> 200000; sizes and percentages stay strings."""
    t = text.strip()
    plain = t.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", t) else t
    if re.fullmatch(r"\d+", plain):
        return int(plain)
    try:
        if re.fullmatch(r"\d*\.?\d+(?:e[-+]?\d+)?", plain, re.I):
            d = Decimal(plain)
            return d if d != d.to_integral_value() or "." in plain or "e" in plain.lower() else int(d)
    except InvalidOperation:
        pass
    return t


def normalise_size(value: str) -> str:
    """'640 × 640 pixels' -> '640 × 640': a size as written (its sign and spacing are the paper's), without the unit."""
    if _TWO_DIMENSIONS.search(value):
        return re.sub(r"\s?pixels?$", "", value)
    return value


# "10 -3", "1.0⋅10 -6", "5 × 10-4": a power of ten whose superscript PDF extraction flattened; the minus sign says
# so, and a one-digit exponent keeps "10-20" a range
_FLAT_POWER = re.compile(r"((?:\d+(?:\.\d+)?)\s?[⋅·×x*]\s?)?10\s?[-−–]\s?([1-9])(?![\d.])")


def flat_power(text: str) -> str | None:
    """The value of a flattened power of ten at the start of `text` ('10 -3' -> '0.001'), or None."""
    m = _FLAT_POWER.match(text)
    if not m:
        return None
    mantissa = Decimal(re.sub(r"\s?[⋅·×x*]\s?$", "", m.group(1))) if m.group(1) else Decimal(1)
    return format((mantissa * Decimal(10) ** -int(m.group(2))).normalize(), "f")


_PER_VARIANT = re.compile(rf"(?:^|[(,;:]|\band\b)\s*({_SIZE}|{_NUMBER})\s+for\b", re.I)


def per_variant_values(segment: str) -> list[str]:
    """Values given per model or stage: 'varies (48 for Inception-V3, 32 for MobileNet-V2 ...)'."""
    return [normalise_size(m.group(1)) for m in _PER_VARIANT.finditer(segment)]


def values_after(text: str, cues: Cues | None = None) -> list[str]:
    """The value(s) right after a hyperparameter name: 'of 0.001', '= 32', 'of 0.01, 0.001 and 0.0001'; the words
    that may lead to them are language data (cues.toml: value_lead)."""
    lead = (cues or load_cues()).value_lead.match(text)
    rest = text[lead.end():] if lead else text
    out = []
    while True:
        power = flat_power(rest)
        if power is not None:
            out.append(power)
            break
        m = _VALUE.match(rest)
        if not m or _LOST_EXPONENT.match(rest[m.end():]):
            break  # "10^4", "5 ⋅ 10": the exponent was lost in PDF extraction; no value beats a wrong one
        out.append(normalise_size(m.group(1).strip()))
        rest = rest[m.end():]
        sep = _LIST_SEP.match(rest)
        if not sep or not _VALUE.match(rest[sep.end():]):
            break
        rest = rest[sep.end():]
    return out


_RESIZED_TO = re.compile(rf"\b(?:resized|rescaled|resampled|downsampled|scaled|converted|cropped|reshaped)\s+"
                         rf"(?:[\w-]+\s+){{0,4}}?(?:to|into)\s+(?:a\s+|an\s+)?({_SIZE})", re.I)
# a size of two or three dimensions anywhere ("images with dimensions (128x128x3)"): the input size's candidate
_SIZE_ANYWHERE = re.compile(rf"(?<![\w.]){_SIZE}(?![\w.]*\d)", re.I)
# "dropout ... with probability 0.5", "L2 regularization ... with a penalty factor of 0.001": the value a few words on
_WITH_VALUE = re.compile(rf"^[^.;:]{{0,60}}?\bwith (?:a |an )?(?:probability|rate|ratio|(?:penalty |decay |regularization )?"
                         rf"(?:factor|coefficient|strength|weight)|lambda|λ)\s*(?:of|=|:)?\s*"
                         rf"({_SIZE}|{_NUMBER}\s?%|{_NUMBER})", re.I)
_RATE_LIKE = re.compile(r"\b(?:rate|decay|factor|probability|ratio|penalty|coefficient)\b", re.I)
_VALUE_BEFORE = re.compile(rf"({_SIZE}|{_NUMBER})\s*(?:-\s*)?$", re.I)


class SettingReader:
    """Reads the value(s) of a hyperparameter named in a fact sentence; categorical values (ReLU, Adam,
    cross-entropy) are the vocabulary's value entries, read near their hyperparameter's name."""

    def __init__(self, vocabulary: Vocabulary, cues: Cues, setting_keys: set[int], terms_of: Callable[[str], list[Term]]):
        self.setting_keys = setting_keys
        self.terms_of = terms_of
        self.cues = cues
        self.count_names = frozenset(cues.words["count_names"])
        self.negated_term = cues.negated_term
        self.not_modifiers = frozenset(cues.words["not_modifiers"]) | {"set", "value", "initial", "used"}
        self.value_patterns: dict[URIRef, re.Pattern[str]] = {}
        self.value_names: dict[str, str] = {}
        for hyper, pairs in vocabulary.setting_values.items():
            by_entry: dict[URIRef, list[str]] = {}
            for label, entry in pairs:
                by_entry.setdefault(entry, []).append(label)
            for entry, labels in by_entry.items():
                display = min((l for l in labels if not l.islower()), key=len, default=labels[0])
                self.value_names.update({l.lower(): display for l in labels})
            alternatives = sorted({l for l, _ in pairs}, key=len, reverse=True)
            names = "|".join(map(re.escape, alternatives))
            self.value_patterns[hyper] = re.compile(r"(?<![\w-])(?:" + names + r")(?![\w-])", re.I)
        self.number_words = {w: i for i, w in enumerate(cues.words["number_words"], 1)}
        self.count_not_modifiers = frozenset(cues.words["count_not_modifiers"])
        self.count_heads = frozenset(h.lower() for h in cues.words["count_heads"])
        heads = sorted(self.count_heads, key=len, reverse=True)
        self.count_phrase = re.compile(
            rf"(?<![\w.,/×-])(\d{{1,3}}(?:,\d{{3}})+|\d{{1,5}}|{'|'.join(self.number_words)})\s+"
            rf"((?:[a-z][a-z-]*\s+){{0,2}}?)({'|'.join(re.escape(h) + '?' for h in heads)})\b", re.I)
        self.optimizer = vocabulary.terms.get(DLV["optimizer"])
        self.input_size = vocabulary.terms.get(DLV["input-size"])

    def settings(self, doc: Doc, span: Span, term: Term, answer: Answer) -> list[Setting]:
        sent = sentence_of(doc, span)
        sent_end = sent.end_char
        after = doc_text(doc)[span.end_char: min(sent_end, span.end_char + 80)]
        before = doc_text(doc)[max(sent.start_char, span.start_char - 25): span.start_char]
        categorical = term.iri in self.value_patterns  # its values are names (ReLU, Adam), never numbers
        values = [] if categorical else values_after(after, self.cues)
        if not values and not categorical:
            segment = re.split(r"\s-\s|\n|;", doc_text(doc)[span.end_char: sent_end], maxsplit=1)[0]
            next_name = [x.start_char - span.end_char for x in doc.spans["dlkg_terms"]
                         if x.label in self.setting_keys and x.start_char > span.end_char]
            values = per_variant_values(segment[: min(next_name, default=len(segment))])
        if not values and term.iri in self.value_patterns:
            pattern = self.value_patterns[term.iri]
            near = [(m.start(), m) for m in pattern.finditer(after[:60])] or \
                   [(len(before) - m.end(), m) for m in pattern.finditer(before)]
            if near:
                values = [self.value_names[min(near, key=lambda x: x[0])[1].group(0).lower()]]
        if not values and not categorical and _RATE_LIKE.search(term.pref_label):
            m = _WITH_VALUE.match(after)
            if m and not any(x.label in self.setting_keys and span.end_char < x.start_char < span.end_char + m.start(1)
                             and any(_RATE_LIKE.search(t.pref_label) for t in self.terms_of(x.label_))
                             for x in doc.spans["dlkg_terms"]):  # another rate named in between takes the value
                values = [m.group(1).strip()]
        if not values and not categorical and (term.pref_label in self.count_names or span.text.lower() in self.count_names):
            m = _VALUE_BEFORE.search(before)
            lead = before[: m.start()] if m else ""
            if m and (not re.search(r"\b(?:every|each|after|last|first|within)\s+$", lead, re.I)
                      or self.cues.training_end.search(lead)):
                values = [m.group(1)]
        ev = Evidence(answer.cq, span.start_char, span.end_char, span.text)
        out = []
        for v in values:
            unit = "%" if v.endswith("%") else None
            out.append(Setting(term, v, parse_value(v), unit, ev))
        return out

    def open_settings(self, sent: Span, answer: Answer) -> list[Setting]:
        """Settings whose name the vocabulary lacks ('NMS threshold of 0.6'): candidates the rules never keep
        (`rejected="open_setting"`), for the learned decision to weigh."""
        out: list[Setting] = []
        text, doc = span_text(sent), sent.doc
        for m in self.cues.open_setting.finditer(text):
            words = m.group(1).split()
            name: list[str] = []
            for i in range(len(words) - 1, -1, -1):
                if words[i].lower() in self.not_modifiers or len(name) == 4:
                    if name and words[i].lower() == "of" and i and words[i - 1].lower() == "number":
                        name[:0] = words[i - 1:i + 1]  # 'the number of iterations is set to 7,000'
                    break
                name.insert(0, words[i])
            label = " ".join(name)
            start = sent.start_char + m.start(1) + m.group(1).rfind(label) if name else -1
            if not name or any(x.label in self.setting_keys and x.start_char < start + len(label)
                               and start < x.end_char for x in doc.spans.get("dlkg_terms", [])):
                continue  # no name left, or a vocabulary hyperparameter's own (read by `settings`)
            first = m.group(2).strip().rstrip(".,")
            values, rest = [first], text[m.start(2) + len(first):]
            while (sep := _LIST_SEP.match(rest)) and (more := _VALUE.match(rest[sep.end():])):
                values.append(normalise_size(more.group(1).strip()))
                rest = rest[sep.end() + more.end():]
            term = Term(URIRef(""), "Hyperparameter", label, (label,))
            ev = Evidence(answer.cq, start, sent.start_char + m.end(2), doc_text(doc)[start:sent.start_char + m.end(2)])
            out.extend(Setting(term, v, parse_value(v), "%" if v.endswith("%") else None, ev, rejected="open_setting")
                       for v in values)
        return out

    def counts(self, sent: Span, answer: Answer, rejected: str) -> list[Setting]:
        """Counts of a network's (or a forest's) parts, in any answer: '22 convolutional layers' is 'number of
        convolutional layers' = 22; candidates the rules never keep (`rejected` the sentence's reason, else
        "count_phrase"), for the learned decision to weigh."""
        out: list[Setting] = []
        text = span_text(sent)
        for m in self.count_phrase.finditer(text):
            number, modifiers, head = m.group(1).lower(), m.group(2).lower().split(), m.group(3).lower()
            value = self.number_words.get(number) or int(number.replace(",", ""))
            singular = head not in self.count_heads
            if (value != 1 and singular) or any(w in self.count_not_modifiers for w in modifiers):
                continue  # 'two layer network' is not a count; 'one of the layers' not of one part
            label = " ".join(["number of", *modifiers, head + ("s" if singular else "")])
            term = Term(URIRef(""), "Hyperparameter", label, (label,))
            start = sent.start_char + m.start()
            ev = Evidence(answer.cq, start, sent.start_char + m.end(), m.group(0))
            out.append(Setting(term, str(value), value, None, ev, rejected=rejected or "count_phrase"))
        return out

    def optimizer_settings(self, sent: Span, answer: Answer) -> list[Setting]:
        """An optimiser named in the hyperparameter answer is the value of the 'optimizer' setting."""
        if self.optimizer is None:
            return []
        out = []
        text = span_text(sent)
        for m in self.value_patterns.get(self.optimizer.iri, re.compile("(?!)")).finditer(text):
            window = text[max(0, m.start() - 20): m.start()]
            if self.negated_term.search(window) or re.search(r"\b(?:either|or)\s*$", window):
                continue
            start = sent.start_char + m.start()
            ev = Evidence(answer.cq, start, start + len(m.group(0)), m.group(0))
            name = self.value_names[m.group(0).lower()]
            out.append(Setting(self.optimizer, name, name, None, ev))
        return out

    def sizes(self, sent: Span, answer: Answer, rejected: str) -> list[Setting]:
        """The input sizes of a sentence. In a sentence the rules accept (`rejected` ""), "images were resized to
        224 x 224" is the input size; every other size of two or three dimensions (any answer, any sentence role) is
        an input-size candidate the rules never keep (`rejected` the sentence's reason, else "size_only"), for the
        learned decision to weigh."""
        if self.input_size is None:
            return []
        text = span_text(sent)
        out, taken = [], []
        for m in () if rejected else _RESIZED_TO.finditer(text):
            value = normalise_size(m.group(1))
            evidence = Evidence(answer.cq, sent.start_char + m.start(), sent.start_char + m.end(), m.group(0))
            out.append(Setting(self.input_size, value, value, None, evidence))
            taken.append(m.span(1))
        for m in _SIZE_ANYWHERE.finditer(text):
            if not _TWO_DIMENSIONS.search(m.group(0)) or any(a <= m.start() < b for a, b in taken):
                continue
            start = sent.start_char + m.start()
            value = normalise_size(m.group(0))
            evidence = Evidence(answer.cq, start, sent.start_char + m.end(), m.group(0))
            out.append(Setting(self.input_size, value, value, None, evidence, rejected=rejected or "size_only"))
        return out

"""Read answers (JSONL, gzipped JSONL, folders of per-CQ text files, prompt dumps) into `Paper` records.

Readers never stop at a bad record: they report it (file and line) through `on_error` and go on,
so one broken line does not cost the rest of a corpus.
"""
from __future__ import annotations

import gzip
import json
import zlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import InputError

ErrorHandler = Callable[[InputError], None]


@dataclass
class Answer:
    cq: str
    text: str
    question: str = ""
    origin: str = ""  # "file:line" the answer was read from


@dataclass
class Paper:
    id: str
    source: str
    answers: list[Answer]
    title: str | None = None
    doi: str | None = None
    origin: str = ""
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- repair of PDF-extraction artefacts
_TLD = r"(?:com|org|net|io|edu|gov|de|uk|fr|nl|ch|au|ca|info|html?|php|git|ac|co|eu|int|us)"
# each repair with a hint: a cheap pattern (led by a literal) that every match contains, so most answers skip the repair
_REPAIRS: list[tuple[re.Pattern[str], str, re.Pattern[str]]] = [
    (re.compile(r"\b(https?):\s*/\s*/\s*"), r"\1://", re.compile("http")),                  # "https: //"
    (re.compile(r"(?<![\d.])(\d{1,3})\. (\d+)(?!\d|\.\d)"), r"\1.\2", re.compile(r"\. \d")),   # "0. 001" -> "0.001", "3. 50GHz"
    (re.compile(r"\b([A-Za-z0-9-]+)\. (" + _TLD + r")\b(?=[/\s>)\]\"',;:.]|$)"), r"\1.\2", re.compile(r"\. " + _TLD)),  # "github. com"
    (re.compile(r"\b(zenodo|figshare|dryad|gbif|pangaea)\. (\d)", re.I), r"\1.\2", re.compile(r"\. \d")),  # "zenodo. 3066235"
    (re.compile(r"\b(www)\. ([a-z])", re.I), r"\1.\2", re.compile(r"w\. [a-z]", re.I)),
    (re.compile(r"\$?\b10 ?\^ ?[{(] ?([−-]?) ?(\d+) ?[})]\$?"), r"10^\1\2", re.compile(r"\^")),  # "$10^{-4}$", "10^(-3)" -> "10^-4", "10^-3"
    (re.compile(r"(\d) ?[×x] ?10 ?\^? ?[−-] ?(\d+)"), r"\1e-\2", re.compile("10")),             # "1 × 10−4", "1x10^-4" -> "1e-4"
    (re.compile(r"\b10 ?\^ ?[−-] ?(\d+)"), r"1e-\1", re.compile(r"\^")),                         # "10^-4" -> "1e-4"
]
_SUPERSCRIPT_POWER = re.compile(r"10([⁻⁺]?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")  # "10⁻⁴" -> "10^-4", before the rules above
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
# markup an answer may carry: HTML tags (not "<https://...>" links), script/style blocks, LaTeX text commands
_HTML_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_LATEX_CITE = re.compile(r"\\(?:cite[pt]?|ref|label|footnote)\{[^{}]*\}")
_LATEX_TEXT = re.compile(r"\\(?:textbf|textit|texttt|emph|text|mathrm|url|underline)\{([^{}]*)\}")
_PROMPT_JUNK = re.compile(r"\s*%\s*(?:INSTRUCTIONS|Explanation|Final Answer|Query|Answer|Context)\b.*\Z|\n\s*\**References?:?\**\s*\n.*\Z", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # JSON may escape one ("\\ud800"); no UTF-8 writer accepts it


def clean_string(text: str) -> str:
    """Text every writer and IRI can carry: lone surrogates become U+FFFD, control characters spaces."""
    return _CONTROL.sub(" ", _LONE_SURROGATE.sub("\ufffd", text))


def repair_text(text: str) -> str:
    """Undo the artefacts PDF extraction and prompt pasting leave in answers ("0. 001", "github. com", "%INSTRUCTIONS")."""
    text = clean_string(text.replace("\ufeff", "").replace("\u2019", "'").replace("\u2018", "'"))
    if "%" in text or "Reference" in text:  # what either kind of prompt junk holds
        text = _PROMPT_JUNK.sub("", text)
    text = _HTML_TAG.sub(" ", _HTML_BLOCK.sub(" ", text))
    text = _LATEX_TEXT.sub(r"\1", _LATEX_CITE.sub("", text))
    text = _SUPERSCRIPT_POWER.sub(lambda m: "10^" + (m.group(1) + m.group(2)).translate(_SUPERSCRIPTS), text)
    for pattern, repl, hint in _REPAIRS:
        if hint.search(text):
            text = pattern.sub(repl, text)
    return text.strip()


def normalise_cq(value: object) -> str | None:
    """'CQ12', 'cq12', 12 -> 'CQ12'; None when it is not one of CQ1..CQ28."""
    m = re.fullmatch(r"\s*(?:CQ)?\s*(\d{1,2})\s*", str(value), re.I)
    if m and 1 <= int(m.group(1)) <= 28:
        return f"CQ{int(m.group(1))}"
    return None


# ---------------------------------------------------------------- JSONL
MAX_ANSWER_CHARS = 1_000_000  # spaCy's own limit; answers of 100,000 characters (pasted contexts) do occur


def _paper_from_record(rec: object, path: str, line: int, on_error: ErrorHandler) -> Paper:
    """A record as a Paper; raises InputError when it cannot be one. Answers it cannot use (an unknown CQ, a CQ
    answered twice) are reported and left out; an answer beyond MAX_ANSWER_CHARS is reported and cut."""
    if not isinstance(rec, dict):
        raise InputError(path, line, f"expected a JSON object, got {type(rec).__name__}")
    for key in ("id", "source", "answers"):
        if key not in rec:
            raise InputError(path, line, f"missing required field {key!r}")
    pid, source, answers = rec["id"], rec["source"], rec["answers"]
    if not isinstance(pid, (str, int)) or isinstance(pid, bool) or not clean_string(str(pid)).strip():
        raise InputError(path, line, "field 'id' must be a non-empty string")
    if not isinstance(source, str) or not clean_string(source).strip():
        raise InputError(path, line, "field 'source' must be a non-empty string")
    if not isinstance(answers, list):
        raise InputError(path, line, "field 'answers' must be a list")
    if not all(isinstance(a, dict) and "cq" in a and "answer" in a for a in answers):
        bad = next(i for i, a in enumerate(answers) if not (isinstance(a, dict) and "cq" in a and "answer" in a))
        raise InputError(path, line, f"answer #{bad + 1} must be an object with 'cq' and 'answer'")
    out: list[Answer] = []
    where = f"{path}:{line}"
    for i, a in enumerate(answers, 1):
        cq = normalise_cq(a["cq"])
        if cq is None:
            on_error(InputError(path, line, f"answer #{i} has unknown CQ id {a['cq']!r} (expected CQ1..CQ28); left out"))
            continue
        if any(seen.cq == cq for seen in out):
            on_error(InputError(path, line, f"answer #{i} answers {cq} again; kept the first"))
            continue
        text = a["answer"] if isinstance(a["answer"], str) else ("" if a["answer"] is None else str(a["answer"]))
        if len(text) > MAX_ANSWER_CHARS:
            on_error(InputError(path, line, f"answer #{i} ({cq}) has {len(text):,} characters; "
                                            f"only the first {MAX_ANSWER_CHARS:,} are read"))
            text = text[:MAX_ANSWER_CHARS]
        out.append(Answer(cq, repair_text(text), clean_string(str(a.get("question") or "")), where))
    title, doi = (rec.get(key) if isinstance(rec.get(key), str) and rec[key].strip() else None for key in ("title", "doi"))
    return Paper(clean_string(str(pid)).strip(), clean_string(source).strip(), out,
                 clean_string(title) if title else None, clean_string(doi) if doi else None, where)


_ONE_PER_LINE = "dlkg reads one JSON object per line (convert it with: jq -c '.[]' FILE)"


def read_jsonl(path: Path, on_error: ErrorHandler) -> Iterator[Paper]:
    """One record per line. Lines are decoded one by one, so invalid UTF-8 costs only its own line."""
    opener = gzip.open if path.name.endswith(".gz") else open
    records = 0
    try:
        with opener(path, "rb") as fh:
            lineno = 0
            lines = iter(fh)
            while True:
                try:
                    raw = next(lines, None)
                except (EOFError, OSError, zlib.error) as exc:  # a truncated or corrupt .gz
                    on_error(InputError(str(path), lineno + 1, f"unreadable data: {exc}"))
                    return
                if raw is None:
                    break
                lineno += 1
                if lineno == 1 and b"\x00" in raw[:4096]:
                    on_error(InputError(str(path), None, "binary file, not JSONL"))
                    return
                if not raw.strip():
                    continue
                records += 1
                try:
                    text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    on_error(InputError(str(path), lineno, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"))
                    continue
                try:
                    rec = json.loads(text)
                except json.JSONDecodeError as exc:
                    if records == 1 and text.strip() in ("[", "{"):  # pretty-printed: the rest is the same document
                        on_error(InputError(str(path), lineno, f"a JSON document, not JSON Lines: {_ONE_PER_LINE}"))
                        return
                    on_error(InputError(str(path), lineno, f"invalid JSON ({exc.msg} at column {exc.colno})"))
                    continue
                if isinstance(rec, list) and rec and all(isinstance(x, dict) for x in rec):
                    on_error(InputError(str(path), lineno, f"a JSON array, not JSON Lines: {_ONE_PER_LINE}"))
                    continue
                try:
                    yield _paper_from_record(rec, str(path), lineno, on_error)
                except InputError as exc:
                    on_error(exc)
    except OSError as exc:
        on_error(InputError(str(path), None, f"cannot read: {exc.strerror or exc}"))
        return
    if records == 0:
        on_error(InputError(str(path), None, "no records"))


# ---------------------------------------------------------------- text layouts
_PER_CQ_FILE = re.compile(r"^(?P<paper>Publication_?.+?)(?:\.pdf)?_(?P<cq>CQ\d{1,2})\.txt$", re.I)


def _read_text(path: Path, on_error: ErrorHandler) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        on_error(InputError(str(path), None, f"cannot read: {exc.strerror or exc}"))
        return None
    if b"\x00" in data[:4096]:
        on_error(InputError(str(path), None, "binary file, not text"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        on_error(InputError(str(path), line, "invalid UTF-8"))
        return None


def _paper_id_from_stem(stem: str) -> str:
    m = re.match(r"Publication_?(.+)$", stem, re.I)
    return f"Publication_{m.group(1)}" if m else stem


def _cq_by_question(question: str, questions: dict[str, str]) -> str | None:
    """The CQ whose question text shares most words with `question` (prompt dumps carry no CQ ids)."""
    words = set(re.findall(r"[a-z]+", question.lower()))
    best, score = None, 0.0
    for cq, text in questions.items():
        other = set(re.findall(r"[a-z]+", text.lower()))
        overlap = len(words & other) / max(1, len(words | other))
        if overlap > score:
            best, score = cq, overlap
    return best if score >= 0.5 else None


def read_prompt_dump(path: Path, text: str, questions: dict[str, str], on_error: ErrorHandler) -> Paper | None:
    """Read the two prompt layouts of the seed documents: 'CQ: ... / Answer: ...' blocks, or one RAG prompt
    ('Query: "..."' followed by 'Helpful Answer:')."""
    answers: list[Answer] = []
    blocks = list(re.finditer(r"^CQ:\s*(?P<q>.+?)\s*\nAnswer:\s*(?P<a>.*?)(?=^CQ:|^Provide your answer|\Z)", text, re.M | re.S))
    for m in blocks:
        cq = _cq_by_question(m.group("q"), questions)
        line = text[: m.start()].count("\n") + 1
        if cq is None:
            on_error(InputError(str(path), line, f"question not recognised as one of CQ1..CQ28: {m.group('q')[:80]!r}"))
            continue
        answers.append(Answer(cq, repair_text(m.group("a")), m.group("q").strip(), f"{path}:{line}"))
    rag = re.search(r'Query:\s*"?(?P<q>[^"\n]+)"?\s*\n.*?Helpful Answer:\s*(?P<a>.*)\Z', text, re.S)
    if not blocks and rag:
        cq = _cq_by_question(rag.group("q"), questions)
        line = text[: rag.start()].count("\n") + 1
        if cq is None:
            on_error(InputError(str(path), line, f"question not recognised as one of CQ1..CQ28: {rag.group('q')[:80]!r}"))
        else:
            answers.append(Answer(cq, repair_text(rag.group("a")), rag.group("q").strip(), f"{path}:{line}"))
    if not answers:
        return None
    return Paper(_paper_id_from_stem(path.stem), "unknown", answers, origin=str(path))


def read_folder(folder: Path, questions: dict[str, str], on_error: ErrorHandler) -> Iterator[Paper]:
    """A folder of `Publication<N>_CQ<k>.txt` files (one paper per prefix), JSONL files and prompt dumps."""
    per_cq: dict[str, list[Answer]] = defaultdict(list)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.name
        if name.endswith((".jsonl", ".jsonl.gz")):
            yield from read_jsonl(path, on_error)
            continue
        m = _PER_CQ_FILE.match(name)
        if m:
            text = _read_text(path, on_error)
            cq = normalise_cq(m.group("cq")[2:])
            if text is None:
                continue
            if cq is None:
                on_error(InputError(str(path), None, f"unknown CQ id {m.group('cq')!r} in file name"))
                continue
            per_cq[_paper_id_from_stem(m.group("paper"))].append(Answer(cq, repair_text(text), "", str(path)))
        elif name.endswith(".txt"):
            text = _read_text(path, on_error)
            if text is not None:
                paper = read_prompt_dump(path, text, questions, on_error)
                if paper is not None:
                    yield paper
    for pid, answers in per_cq.items():
        answers.sort(key=lambda a: int(a.cq[2:]))
        yield Paper(pid, "unknown", answers, origin=str(folder))


def count_records(inputs: Iterable[str | Path]) -> int | None:
    """How many papers the inputs hold, for a progress bar's ETA: non-empty lines of JSONL files; None when a
    folder or another format makes it unknown without reading everything."""
    total = 0
    for item in inputs:
        path = Path(item)
        if not path.is_file() or not path.name.endswith((".jsonl", ".jsonl.gz")):
            return None
        try:
            with (gzip.open if path.name.endswith(".gz") else open)(path, "rb") as fh:
                total += sum(1 for line in fh if line.strip())
        except (OSError, EOFError):
            return None
    return total or None


def read_papers(inputs: Iterable[str | Path], questions: dict[str, str], on_error: ErrorHandler) -> Iterator[Paper]:
    """Every paper of every input (file or folder), in input order."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from read_folder(path, questions, on_error)
        elif not path.exists():
            on_error(InputError(str(path), None, "no such file or folder"))
        elif path.name.endswith((".jsonl", ".jsonl.gz", ".json")):
            yield from read_jsonl(path, on_error)
        else:
            text = _read_text(path, on_error)
            if text is not None:
                paper = read_prompt_dump(path, text, questions, on_error)
                if paper is None:
                    on_error(InputError(str(path), None, "no answers found (expected JSONL or 'CQ: ... Answer: ...' text)"))
                else:
                    yield paper

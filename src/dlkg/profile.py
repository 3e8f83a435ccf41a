"""One paper at a glance (`dlkg show`): the rows of the saved query paper-profile arranged by CQ and answering LLM,
with each fact's quote marked in its answer and where the LLMs disagree, as text, JSON or one self-contained page.

Built only from that query's rows, so a store, an endpoint and KG files give the same view.
"""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .query import check_paper, run_query

if TYPE_CHECKING:
    from .store import KGStore

QUERY = "paper-profile"


@dataclass
class Fact:
    relation: str
    concept: str
    name: str
    entry: str
    broader: list[str]
    value: str | None
    unit: str | None
    quote: str
    start: int
    end: int
    confidence: float | None

    @property
    def shown(self) -> str:
        """The fact as a reader says it: "learning rate = 0.001", "Mask R-CNN"."""
        if self.value is None:
            return self.name
        return f"{self.name} = {self.value}" + (f" {self.unit}" if self.unit else "")


@dataclass
class Answer:
    llm: str
    status: str
    text: str
    facts: list[Fact] = field(default_factory=list)

    def marked(self, open_: str = "[", close: str = "]") -> list[tuple[str, Fact | None]]:
        """The answer text cut into pieces, each quoted span paired with its fact (the first, where spans overlap)."""
        pieces: list[tuple[str, Fact | None]] = []
        at = 0
        for fact in sorted(self.facts, key=lambda f: (f.start, -f.end)):
            if fact.start < at or fact.end > len(self.text):
                continue  # overlapping an earlier span, or offsets outside the text
            pieces += [(self.text[at:fact.start], None), (self.text[fact.start:fact.end], fact)]
            at = fact.end
        pieces.append((self.text[at:], None))
        return [(text, fact) for text, fact in pieces if text]


@dataclass
class Question:
    cq: str
    question: str
    answers: list[Answer] = field(default_factory=list)

    def disagreements(self) -> list[str]:
        """Facts that some answering LLMs name and others, answering the same CQ, do not."""
        if len(self.answers) < 2:
            return []
        named: dict[str, set[str]] = {}
        for answer in self.answers:
            for fact in answer.facts:
                named.setdefault(fact.shown, set()).add(answer.llm)
        everyone = {a.llm for a in self.answers}
        return [f"{name}: named by {', '.join(sorted(who))}; not by {', '.join(sorted(everyone - who))}"
                for name, who in sorted(named.items()) if who != everyone]


@dataclass
class Profile:
    paper: str
    title: str | None
    doi: str | None
    questions: list[Question]

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def llms(self) -> list[str]:
        return sorted({a.llm for q in self.questions for a in q.answers})

    def to_json(self) -> str:
        data: dict[str, Any] = {"paper": self.paper, "title": self.title, "doi": self.doi, "llms": self.llms,
                                "questions": []}
        for q in self.questions:
            item = asdict(q)
            item["disagreements"] = q.disagreements()
            data["questions"].append(item)
        return json.dumps(data, indent=1, ensure_ascii=False)

    def to_text(self, width: int = 100) -> str:
        out = [f"{self.paper}: {self.title or '(no title)'}"]
        if self.doi_url:
            out.append(self.doi_url)
        out.append(f"answered by {len(self.llms)} LLM(s): {', '.join(self.llms)}")
        for q in self.questions:
            out += ["", f"{q.cq}  {q.question}"]
            for a in q.answers:
                out.append(f"  {a.llm}: {a.status}")
                text = "".join(f"[{piece}]" if fact else piece for piece, fact in a.marked())
                out += textwrap.wrap(text, width, initial_indent="    | ", subsequent_indent="    | ")
                for f in a.facts:
                    broader = f" (broader: {'; '.join(f.broader)})" if f.broader else ""
                    confidence = f", confidence {f.confidence:g}" if f.confidence is not None else ""
                    out.append(f"    - {f.concept}: {f.shown}{broader}  <- \"{f.quote}\" "
                               f"[{f.start}-{f.end}{confidence}]")
            for line in q.disagreements():
                out.append(f"  LLMs disagree: {line}")
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        from importlib.metadata import version

        return _template().render(profile=self, generator=f"dlkg {version('dlkg')}")


@lru_cache(maxsize=1)
def _template() -> Any:
    """The page template, compiled once: a report writes one page per paper."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("dlkg", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("paper.html")


def broader_names(kg: "KGStore") -> dict[str, set[str]]:
    """Vocabulary entry IRI -> the names of the entries above it (the saved query broader-names; small)."""
    above: dict[str, set[str]] = {}
    for pair in run_query("broader-names", kg).as_dicts():
        above.setdefault(pair["entry"] or "", set()).add(pair["broader"] or "")
    return above


def paper_profile(kg: "KGStore", paper: str, above: dict[str, set[str]] | None = None) -> Profile:
    """The profile of `paper` (its dcterms:identifier); an unknown id is an error naming the closest ids. `above`:
    `broader_names(kg)`, given by a caller that profiles many papers so it is read once."""
    rows = run_query(QUERY, kg, {"paper": paper}).as_dicts()
    if not rows:
        check_paper(kg, paper)  # names the closest ids; a paper without answers has a profile of its title alone
        return Profile(paper, None, None, [])
    questions: dict[str, Question] = {}
    answers: dict[tuple[str, str], Answer] = {}
    facts: dict[tuple, Fact] = {}
    for row in rows:  # an answer's own row and one per fact, in CQ number order, then LLM, then offset
        cq = row["cq"] or ""
        question = questions.setdefault(cq, Question(cq, ""))
        question.question = question.question or row["question"] or ""
        key = (cq, row["llm"] or "")
        if key not in answers:
            answers[key] = Answer(key[1], row["status"] or "", "")
            question.answers.append(answers[key])
        answer = answers[key]
        answer.text = answer.text or row["answer"] or ""
        if row["quote"] is None:
            continue
        fact_key = (key, row["relation"], row["entry"], row["value"], row["start"], row["end"])
        if fact_key not in facts:
            facts[fact_key] = Fact(
                relation=row["relation"] or "", concept=row["concept"] or "", name=row["fact"] or "",
                entry=row["entry"] or "", broader=[], value=row["value"], unit=row["unit"], quote=row["quote"],
                start=int(row["start"] or 0), end=int(row["end"] or 0),
                confidence=float(row["confidence"]) if row["confidence"] else None)
            answer.facts.append(facts[fact_key])

    above = broader_names(kg) if above is None else above
    for fact in facts.values():
        fact.broader = sorted(above.get(fact.entry, ()))
    title = next((r["title"] for r in rows if r["title"]), None)
    doi = next((r["doi"] for r in rows if r["doi"]), None)
    return Profile(paper, title, doi, list(questions.values()))


def profile_format(out: str | None, fmt: str | None) -> str:
    """text unless asked for, or unless the output file's name says json or html."""
    if fmt:
        return fmt
    match = re.search(r"\.(json|html?)$", out or "", re.I)
    return {"json": "json", "html": "html", "htm": "html"}[match.group(1).lower()] if match else "text"

"""The reproducibility report: what the papers of a KG report and what they leave out.

Every number is a row of a saved query (queries/*.rq), so a triple store gives the same figures with
`dlkg query NAME --endpoint URL`. The report only arranges those tables: as JSON, as one CSV per table, or as one
self-contained HTML page whose plots are inline SVG drawn by matplotlib (no script, font or image is fetched).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .errors import DlkgError
from .query import load_query, run_query
from .rdfio import atomic_file

if TYPE_CHECKING:
    from rdflib import Graph

    from .store import KGStore, QueryResult

#: The saved queries behind the report and which of their columns hold numbers.
REPORT_QUERIES: dict[str, tuple[str, ...]] = {
    "kg-summary": ("papers", "answers", "reported", "notReported"),
    "concept-coverage": ("papers", "reported", "withFacts", "reportedRate", "factRate"),
    "reproducibility-levels": ("dataset", "sourceCode", "frameworks", "model", "hardware", "hyperparameters",
                               "randomness", "metrics", "documented"),
    "paper-completeness": ("facts",),
    "component-popularity": ("papers",),
    "frameworks-by-model-family": ("papers",),
    "code-link-but-no-data-link": (),
    "papers": (),
    "llm-reporting": ("answers", "reported", "facts"),
    "llm-facts": (),
    "broader-names": (),
}
VARIABLES = REPORT_QUERIES["reproducibility-levels"][:-1]
LEVELS = ("full", "high", "medium", "low", "none")
#: Concepts whose most used things get a plot of their own (labels of ontology classes), in this order.
HEADLINE_CONCEPTS = ("deep learning model", "framework", "hardware resource", "dataset", "performance metric")
TOP_N = 10
#: The variables on which the answering LLMs are compared (llm-facts.rq names them).
AGREEMENT_VARIABLES = ("model", "dataset", "framework", "hardware")


@dataclass
class Report:
    """The report's tables, one per saved query in REPORT_QUERIES, with the source they were read from."""

    tables: dict[str, QueryResult]
    source: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # paper id -> its `dlkg show` page, linked from the report
    pages_folder: str = "report-papers"  # where the pages are, relative to the report (write_report sets it)

    def records(self, name: str) -> list[dict[str, Any]]:
        """A table's rows as dicts, with its numeric columns as numbers (so a row's values are of mixed types)."""
        numeric = REPORT_QUERIES[name]
        return [{k: _number(v) if k in numeric else v for k, v in row.items()} for row in self.tables[name].as_dicts()]

    def to_json(self) -> str:
        return json.dumps({"source": self.source, "generator": f"dlkg {version('dlkg')}",
                           "tables": {name: {"query": f"queries/{name}.rq", "title": load_query(name).title,
                                             "rows": self.records(name)} for name in self.tables}},
                          indent=1, ensure_ascii=False)

    def csv_files(self) -> dict[str, str]:
        """File name -> CSV text, one per table (the same text `dlkg query NAME --format csv` prints)."""
        return {f"{name}.csv": table.render("csv") for name, table in self.tables.items()}

    def to_html(self, max_papers: int = 100) -> str:
        """One self-contained page; the heatmap and the per-paper table show at most `max_papers` papers, so a
        large KG still gives a page a browser opens quickly (every paper is in the CSV and JSON)."""
        from jinja2 import Environment, PackageLoader, select_autoescape
        from markupsafe import Markup

        from . import plots

        levels = self.records("reproducibility-levels")
        order = [r["identifier"] for r in levels]  # most documented first
        shown = order[:max_papers]
        papers = {r["identifier"]: r for r in self.records("papers")}
        by_concept = most_specific(self.records("component-popularity"), self.records("broader-names"))
        headline = [c for c in HEADLINE_CONCEPTS if c in by_concept]
        counts = level_counts(levels)
        svg = lambda fig: Markup(plots.to_svg(fig)) if fig is not None else None
        llm_rows = self.records("llm-reporting")
        env = Environment(loader=PackageLoader("dlkg", "templates"), autoescape=select_autoescape(["html"]))
        return env.get_template("report.html").render(
            source=self.source, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            generator=f"dlkg {version('dlkg')}",
            summary=(self.records("kg-summary") or [{}])[0],
            coverage_plot=svg(plots.coverage(self.records("concept-coverage"))),
            levels=levels[:max_papers], level_counts=counts, variables=VARIABLES, papers=papers,
            pages={paper: page_name(paper) for paper in self.pages}, pages_folder=self.pages_folder,
            levels_plot=svg(plots.levels(counts, variable_rates(levels))),
            heatmap=svg(plots.completeness(self.records("paper-completeness"), shown)),
            papers_shown=len(shown), papers_total=len(order),
            top_plots=[(c, svg(plots.top_things(c, by_concept[c][:TOP_N]))) for c in headline],
            other_concepts=[(c, rows[:5]) for c, rows in by_concept.items() if c not in headline],
            cooccurrence=svg(plots.cooccurrence(self.records("frameworks-by-model-family"))),
            code_no_data=self.records("code-link-but-no-data-link"),
            llms=sorted({r["llm"] for r in llm_rows}), llm_cqs=llm_table(llm_rows),
            agreement=agreement(self.records("llm-facts")),
            queries=[(name, load_query(name).title) for name in self.tables],
        )


def most_specific(popularity: Sequence[dict], broader_names: Sequence[dict]) -> dict[str, list[dict]]:
    """Most used things per concept (most used first), without a class when a thing under it is in the same list:
    "ResNet-50" stays and "convolutional neural network" goes, so charts name what papers actually used."""
    above: dict[str, set[str]] = {}
    for row in broader_names:
        above.setdefault(row["narrower"], set()).add(row["broader"])
    by_concept: dict[str, list[dict]] = {}
    for row in popularity:
        by_concept.setdefault(row["concept"], []).append(row)
    for concept, rows in by_concept.items():
        covered = {b for r in rows for b in above.get(r["name"], ())}
        by_concept[concept] = [r for r in rows if r["name"] not in covered] or rows
    return by_concept


def llm_table(rows: Sequence[dict]) -> list[dict[str, Any]]:
    """One row per CQ (in number order): per answering LLM, its reporting rate and facts per answer."""
    by_cq: dict[str, dict[str, Any]] = {}
    for r in rows:
        cell = by_cq.setdefault(r["cq"], {"cq": r["cq"]})
        answers = r["answers"] or 0
        cell[r["llm"]] = {"rate": (r["reported"] or 0) / answers if answers else 0.0,
                          "facts": (r["facts"] or 0) / answers if answers else 0.0}
    return sorted(by_cq.values(), key=lambda c: int(str(c["cq"])[2:]) if str(c["cq"])[2:].isdigit() else 0)


def agreement(rows: Sequence[dict]) -> list[dict[str, Any]]:
    """Per variable: of the papers answered by two or more LLMs where at least one LLM's answers name something,
    how many have every LLM name the same things (unanimous), and the mean Jaccard overlap of LLM pairs."""
    named: dict[tuple[str, str], dict[str, set[str]]] = {}
    answered: dict[str, set[str]] = {}
    for r in rows:
        answered.setdefault(r["identifier"], set()).add(r["llm"])
        if r["variable"]:
            named.setdefault((r["identifier"], r["variable"]), {}).setdefault(r["llm"], set()).add(r["thing"])
    out = []
    for variable in AGREEMENT_VARIABLES:
        papers = unanimous = 0
        overlaps: list[float] = []
        for paper, llms in answered.items():
            sets = named.get((paper, variable))
            if len(llms) < 2 or not sets:
                continue
            papers += 1
            things = [sets.get(llm, set()) for llm in sorted(llms)]
            unanimous += all(t == things[0] for t in things)
            overlaps += [len(a & b) / len(a | b) if a | b else 1.0
                         for i, a in enumerate(things) for b in things[i + 1:]]
        out.append({"variable": variable, "papers": papers, "unanimous": unanimous,
                    "overlap": sum(overlaps) / len(overlaps) if overlaps else None})
    return out


def page_name(paper: str) -> str:
    """A paper's page file name: its id where that is a safe file name, else a slug with a short hash."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", paper).strip("._") or "paper"
    if safe != paper:
        safe += "-" + hashlib.sha1(paper.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe[:100]}.html"


def add_pages(report: Report, kg: "KGStore", papers: Sequence[str]) -> None:
    """Each paper's `dlkg show` page (one paper-profile query each), for the report to link and write beside it."""
    from .profile import broader_names, paper_profile

    above = broader_names(kg)
    for paper in papers:
        report.pages[paper] = paper_profile(kg, paper, above).to_html()


def build_report(kg: "KGStore | Graph", source: str = "") -> Report:
    """Run the report's saved queries on a store (see `dlkg.store.open_store`) or an rdflib graph."""
    return Report({name: run_query(name, kg) for name in REPORT_QUERIES}, source)


def write_report(report: Report, out: Path, fmt: str, max_papers: int = 100) -> list[Path]:
    """Write the report as `html` or `json` to the file `out`, or as `csv` files into the directory `out`. An HTML
    report's paper pages (`add_pages`) go into a folder beside it, `<name>-papers/`, which is replaced whole.
    Each file is written whole or not at all; the files written are returned."""

    folder = pages_folder(Path(out))
    report.pages_folder = folder.name
    if fmt == "csv":
        files = {Path(out) / name: text for name, text in report.csv_files().items()}
    else:
        files = {Path(out): report.to_html(max_papers) if fmt == "html" else report.to_json()}
    if fmt == "html" and report.pages:
        files = {folder / page_name(paper): page for paper, page in report.pages.items()} | files
    for path, text in files.items():
        try:
            with atomic_file(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DlkgError(f"{path}: cannot write the report ({exc.strerror or exc})") from exc
    if fmt == "html" and folder.is_dir():  # pages of papers no longer shown would link nowhere
        keep = {page_name(paper) for paper in report.pages}
        for old in folder.glob("*.html"):
            if old.name not in keep:
                old.unlink()
    return list(files)


def pages_folder(out: Path) -> Path:
    """Where an HTML report's paper pages go: beside it, named after it (report.html -> report-papers/)."""
    return out.with_name(f"{out.stem}-papers")


def level_counts(levels: Sequence[dict]) -> dict[str, int]:
    counts = Counter(r["level"] for r in levels)
    return {level: counts.get(level, 0) for level in LEVELS}


def variable_rates(levels: Sequence[dict]) -> dict[str, float]:
    """Share of papers that document each variable."""
    return {v: (sum(r[v] for r in levels) / len(levels) if levels else 0.0) for v in VARIABLES}


def _number(value: str | None) -> int | float | None:
    if value is None or value == "":
        return None
    number = float(value)
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


def report_format(out: str) -> str:
    """The report format an output name implies: .json -> json, .html/.htm -> html, anything else -> csv folder."""
    suffix = Path(out).suffix.lower()
    return {".json": "json", ".html": "html", ".htm": "html"}.get(suffix, "csv")


__all__ = ["Report", "add_pages", "build_report", "write_report", "report_format", "REPORT_QUERIES"]

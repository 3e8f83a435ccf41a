"""A comparison table (`dlkg table`): one row per paper, one column per reproducibility variable, values as names,
what ORKG calls a comparison and what reproducibility studies build by hand in spreadsheets. Pivoted from the rows
of the saved query paper-variables, so a store and an endpoint give the same table."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DlkgError
from .query import run_query

if TYPE_CHECKING:
    from .store import KGStore

QUERY = "paper-variables"
VARIABLES = ("model", "dataset", "framework", "hardware", "hyperparameters", "randomness", "metrics", "code_link",
             "data_link")
COLUMNS = ("paper", "title", "doi") + VARIABLES
FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json"}
SEPARATOR = "; "  # between the names in one cell


def comparison(kg: "KGStore") -> list[dict[str, str]]:
    """One dict per paper (in identifier order), each variable's names joined by "; " in name order."""
    papers: dict[str, dict[str, list[str]]] = {}
    about: dict[str, tuple[str, str]] = {}
    for row in run_query(QUERY, kg).as_dicts():
        paper = row["identifier"] or ""
        names = papers.setdefault(paper, {v: [] for v in VARIABLES})
        about.setdefault(paper, (row["title"] or "", row["doi"] or ""))
        if row["variable"] in names and row["name"] and row["name"] not in names[row["variable"]]:
            names[row["variable"]].append(row["name"])
    return [{"paper": paper, "title": about[paper][0], "doi": about[paper][1],
             **{v: SEPARATOR.join(sorted(names[v], key=str.lower)) for v in VARIABLES}}
            for paper, names in papers.items()]


def table_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise DlkgError(f"{out}: unknown table format {suffix!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[suffix]


def render_table(rows: list[dict[str, str]], fmt: str) -> str:
    """CSV or TSV (the csv module: quoting that spreadsheets read) or JSON records."""
    if fmt == "json":
        return json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()

"""Saved SPARQL queries (queries/*.rq): discovery, safe parameter binding, and running them on graphs or an endpoint.

Parameters are never pasted into query text: the store binds them (rdflib `initBindings`, Oxigraph substitutions,
or a VALUES block of escaped literals for an endpoint), so a value cannot change the query's shape.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from rdflib import Graph

from .errors import NoPapers, QueryError
from .resources import queries_dir
from .store import GraphStore, KGStore, QueryResult


@dataclass(frozen=True)
class Param:
    name: str
    description: str


@dataclass
class SavedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: list[Param] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _parse_header(path: Path) -> SavedQuery:
    title, desc, params, current = path.stem, [], [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        m = re.match(r"(title|description|param):\s*(.*)", body)
        if m:
            current = m.group(1)
            if current == "title":
                title = m.group(2)
            elif current == "description":
                desc.append(m.group(2))
            else:
                name, _, pdesc = m.group(2).partition("|")
                params.append(Param(name.strip(), pdesc.strip()))
        elif current == "description" and body:
            desc.append(body)
    return SavedQuery(path.stem, path, title, " ".join(desc), params)


def list_queries(folder: Path | None = None) -> list[SavedQuery]:
    return [_parse_header(p) for p in sorted((folder or queries_dir()).glob("*.rq"))]


def load_query(name_or_file: str | Path) -> SavedQuery:
    """A saved query by name (file stem in queries/) or by path to a .rq file."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return _parse_header(path)
    candidate = queries_dir() / f"{name_or_file}.rq"
    if candidate.is_file():
        return _parse_header(candidate)
    names = [q.name for q in list_queries()]
    close = difflib.get_close_matches(str(name_or_file), names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}?" if close else "`dlkg queries` lists them"
    raise QueryError(f"no saved query {str(name_or_file)!r}; {hint}")


def _check_params(query: SavedQuery, params: dict[str, str]) -> None:
    declared = {p.name for p in query.params}
    unknown = set(params) - declared
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter(s) {', '.join(sorted(unknown))}; "
                         f"it takes: {', '.join(sorted(declared)) or 'none'}")
    missing = declared - set(params)
    if missing:
        raise QueryError(f"query {query.name!r} needs --param {', '.join(f'{m}=VALUE' for m in sorted(missing))}")


def run_query(query: SavedQuery | str | Path, kg: KGStore | Graph | Sequence[Graph],
              params: dict[str, str] | None = None) -> QueryResult:
    """Run a saved query (name, .rq path or SavedQuery) on a store (see `dlkg.store`) or on rdflib graphs."""
    q = query if isinstance(query, SavedQuery) else load_query(query)
    params = dict(params or {})
    _check_params(q, params)
    if isinstance(kg, Graph):
        store: KGStore = GraphStore(kg)
    elif isinstance(kg, (list, tuple)):
        store = GraphStore(_union(kg))
    else:
        store = kg  # type: ignore[assignment]  # a KGStore (a Protocol, so isinstance cannot say so)
    try:
        return store.select(q.text, params)
    except QueryError as exc:
        raise QueryError(f"{q.path}: {exc}") from exc


def _union(graphs: Iterable[Graph]) -> Graph:
    g = Graph()
    for part in graphs:
        g += part
    return g


_PREFIXES = "PREFIX dlkg: <https://w3id.org/dlkg/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
_PAPERS = _PREFIXES + "SELECT ?identifier WHERE { ?pub a dlkg:Publication ; dcterms:identifier ?identifier }"
_PAPER = _PREFIXES + "SELECT ?pub WHERE { ?pub a dlkg:Publication ; dcterms:identifier ?paper } LIMIT 1"


def require_papers(store: KGStore, source: str) -> None:
    """Commands that read a KG say so when it holds no paper, rather than print empty tables."""
    if not store.select(_PAPERS + " LIMIT 1", {}).rows:
        raise NoPapers(f"{source}: the KG holds no papers (no dlkg:Publication with a dcterms:identifier)")


def check_paper(store: KGStore, paper: str) -> None:
    """An unknown paper id is an error that names the closest ids (difflib), not an empty result."""
    if store.select(_PAPER, {"paper": paper}).rows:
        return
    ids = {row[0].lower(): row[0] for row in store.select(_PAPERS, {}).rows if row[0]}
    close = [ids[m] for m in difflib.get_close_matches(paper.lower(), list(ids), n=3, cutoff=0.6)]
    raise QueryError(f"no paper {paper!r} in this KG" + (f"; did you mean {' or '.join(close)}?" if close else ""))

"""Build a KG: read answers, extract facts, map to RDF, write the result atomically."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF

from .errors import DlkgError, InputError
from .extract import Extractor
from .graph import GraphBuilder
from .ingest import read_papers
from .namespaces import DEFAULT_RESOURCE_BASE, PREFIXES, seeds_dir
from .vocabulary import VOCABULARY_ONTOLOGY, load_vocabulary, ontology_graph, single_ontology

if TYPE_CHECKING:
    from .store import WritableStore

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml", ".trig": "trig", ".nq": "nquads"}
QUAD_FORMATS = {"trig", "nquads"}


@dataclass
class BuildResult:
    dataset: Dataset                      # one named graph per paper (the publication's IRI names it)
    base: str = DEFAULT_RESOURCE_BASE     # namespace of the KG's resources; the KG's own IRI derives from it
    papers: int = 0
    answers: int = 0
    reported: int = 0
    problems: list[InputError] = field(default_factory=list)

    def graph(self) -> Graph:
        """All papers' triples as one Graph."""
        g = Graph()
        for prefix, ns in self.dataset.namespaces():
            g.bind(prefix, ns)
        for s, p, o, _ in self.dataset.quads((None, None, None, None)):
            g.add((s, p, o))
        return g


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DlkgError(f"{path}: unknown output format {suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def build(inputs: Iterable[str | Path] | None = None, base: str = DEFAULT_RESOURCE_BASE,
          on_paper: Callable[[str], None] | None = None, store: "WritableStore | None" = None) -> BuildResult:
    """Build the KG of `inputs` (files or folders; default: the shipped seeds/). Bad records are skipped and listed
    in `BuildResult.problems`; a paper id seen twice from the same source keeps its first record.

    Without `store` the KG is kept in `BuildResult.dataset`; with one, each paper's graph is written to the store
    as soon as it is built (replacing that paper's previous graph) and nothing is held in memory."""
    vocabulary = load_vocabulary()
    extractor = Extractor()
    mapper = GraphBuilder(vocabulary, base)
    result = BuildResult(Dataset(), base)
    for prefix, ns in PREFIXES.items():
        result.dataset.bind(prefix, ns)
    if store is not None:
        from .store import ONTOLOGY_GRAPH
        store.replace_graph(ONTOLOGY_GRAPH, ontology_graph())
    seen: set[tuple[str, str]] = set()
    written: set[URIRef] = set()

    def skip(problem: InputError) -> None:
        result.problems.append(problem)

    papers = read_papers(list(inputs) if inputs else [seeds_dir()], vocabulary.questions, skip)
    for paper in papers:
        key = (paper.id, paper.source)
        if key in seen:
            skip(InputError(paper.origin, None, f"duplicate record for paper {paper.id!r} from source {paper.source!r}; kept the first"))
            continue
        seen.add(key)
        facts = extractor.extract(paper)
        iri = mapper.publication_iri(paper.id)
        if store is not None:
            paper_graph = Graph()
            for triple in mapper.build(facts):
                paper_graph.add(triple)
            # the first record of a paper in this build replaces what the store held; other sources add to it
            store.replace_graph(iri, paper_graph, replace=iri not in written)
            written.add(iri)
        else:
            named = result.dataset.graph(iri)
            for triple in mapper.build(facts):
                named.add(triple)
        result.papers += 1
        result.answers += len(facts.answers)
        result.reported += sum(1 for a in facts.answers if a.reported)
        if on_paper:
            on_paper(paper.id)
    return result


def write(result: BuildResult, out: str | Path, with_ontology: bool = False) -> None:
    """Serialise to `out` (format from its extension) through a temporary file, so a failed write leaves any
    previous file intact."""
    fmt = format_for(out)
    out = Path(out)
    header = Graph()
    if with_ontology:
        header += single_ontology()
    else:  # a KG alone imports the vocabulary (which imports the ontology); ontology/catalog-v001.xml resolves both
        kg = URIRef(result.base.rstrip("/#"))
        header.add((kg, RDF.type, OWL.Ontology))
        header.add((kg, OWL.imports, VOCABULARY_ONTOLOGY))
    if fmt in QUAD_FORMATS:
        data: Graph | Dataset = result.dataset
        target = result.dataset.graph(URIRef("https://w3id.org/dlkg/ontology")) if with_ontology else result.dataset.default_graph
        target += header
    else:
        data = result.graph()
        data += header
        for prefix, ns in PREFIXES.items():
            data.bind(prefix, ns)
    kwargs = {"context": {p: str(ns) for p, ns in PREFIXES.items()}, "auto_compact": True} if fmt == "json-ld" else {}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            data.serialize(destination=fh, format=fmt, encoding="utf-8", **kwargs)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; a KG is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_kg(paths: tuple[str, ...], with_ontology: bool = False) -> Graph:
    """Parse KG files (format from extension) into one graph, optionally with dlkg's ontology and vocabulary."""
    g = Graph()
    for path in paths:
        fmt = format_for(path)
        try:
            if fmt in QUAD_FORMATS:
                ds = Dataset()
                ds.parse(path, format=fmt)
                for s, p, o, _ in ds.quads((None, None, None, None)):
                    g.add((s, p, o))
            else:
                g.parse(path, format=fmt)
        except FileNotFoundError:
            raise DlkgError(f"{path}: no such file") from None
        except Exception as exc:  # rdflib parsers raise many unrelated exception types
            raise DlkgError(f"{path}: cannot parse as {fmt}: {exc}") from exc
    if with_ontology:
        g += ontology_graph()
    return g

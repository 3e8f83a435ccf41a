"""Build a KG: read answers, extract facts, map to RDF, and write the result.

Two ways through the same per-paper step (`_paper_graph`):
- `build()` keeps the KG in memory as an rdflib Dataset (one named graph per paper): for notebooks and small corpora.
- `build_to()` streams: each paper's graph is written as soon as it is built, to a file (atomically, through a
  temporary file) or a store, and nothing grows with the corpus; `jobs` > 1 extracts papers in parallel processes.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from rdflib import Dataset, Graph, Node, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.plugins.serializers.nt import _nt_row  # the serialiser's row writer: same bytes as Graph.serialize

from .errors import DlkgError, InputError
from .extract import Extractor
from .graph import GraphBuilder
from .ingest import Paper, read_papers
from .namespaces import DEFAULT_RESOURCE_BASE, PREFIXES, seeds_dir
from .vocabulary import VOCABULARY_ONTOLOGY, load_vocabulary, ontology_graph, single_ontology

if TYPE_CHECKING:
    from .store import WritableStore

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml", ".trig": "trig", ".nq": "nquads"}
QUAD_FORMATS = {"trig", "nquads"}
ONTOLOGY_GRAPH_IN_FILES = URIRef("https://w3id.org/dlkg/ontology")  # the named graph --with-ontology fills in TriG/N-Quads
SHARED_GRAPH = URIRef("https://w3id.org/dlkg/graph/shared")  # what papers share (CQs, answering models), once


@dataclass
class BuildResult:
    dataset: Dataset                      # one named graph per paper (the publication's IRI names it); empty if streamed
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


@dataclass
class PaperGraph:
    """One paper's graph, as N-Triples text (cheap to pass between processes and to write)."""
    paper_id: str
    iri: URIRef
    ntriples: str
    answers: int
    reported: int


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DlkgError(f"{path}: unknown output format {suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


# ---------------------------------------------------------------- the per-paper step (also run in worker processes)
_worker: tuple[Extractor, GraphBuilder] | None = None


def _start_worker(base: str) -> None:
    global _worker
    _worker = (Extractor(), GraphBuilder(load_vocabulary(), base))


def _start_pool_worker(base: str) -> None:
    """A pool worker dies on SIGTERM, as Pool.terminate() expects. Forked, it would inherit the handler the CLI
    installs (SIGTERM -> SystemExit, so that the parent cleans up), and a worker could swallow that exit while
    waiting for a task: the pool then waited for it forever (seen once in a CI run)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _start_worker(base)


def _paper_graph(paper: Paper) -> PaperGraph:
    extractor, mapper = _worker
    facts = extractor.extract(paper)
    return PaperGraph(paper.id, mapper.publication_iri(paper.id), _sorted_ntriples(mapper.triples(facts)),
                      len(facts.answers), sum(1 for a in facts.answers if a.reported))


def _sorted_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """N-Triples without duplicates in sorted order: the same bytes on every run, whatever the hash seed. Rows are
    written by rdflib's own N-Triples serialiser; skipping the Graph it would first fill makes this 5x faster."""
    return "".join(sorted({_nt_row(triple) for triple in triples}))


class SharedSplitter:
    """Splits a paper's triples into its own (subjects minted under the paper's IRI: replaced with the paper) and
    the new ones about shared things (the CQs, the answering model), each written once and never twice: a store that
    shows the union of its named graphs as the default graph would otherwise count a shared triple once per paper.
    With `ontology_present`, what the ontology graph (written alongside) already says is dropped too."""

    def __init__(self, ontology_present: bool) -> None:
        self.seen = set(ontology_graph().serialize(format="nt").splitlines(keepends=True)) if ontology_present else set()

    def split(self, pg: PaperGraph) -> tuple[str, str]:
        own, shared, pub = [], [], f"<{pg.iri}"
        for line in pg.ntriples.splitlines(keepends=True):
            subject = line[: line.find(" ")]
            if subject == pub + ">" or subject.startswith(pub + "/"):
                own.append(line)
            elif line not in self.seen:
                self.seen.add(line)
                shared.append(line)
        return "".join(own), "".join(shared)


def _unique(papers: Iterable[Paper], skip: Callable[[InputError], None]) -> Iterator[Paper]:
    """A paper id seen twice from the same source keeps its first record."""
    seen: set[tuple[str, str]] = set()
    for paper in papers:
        key = (paper.id, paper.source)
        if key in seen:
            skip(InputError(paper.origin, None, f"duplicate record for paper {paper.id!r} from source {paper.source!r}; kept the first"))
            continue
        seen.add(key)
        yield paper


def paper_graphs(inputs: Iterable[str | Path] | None, base: str, skip: Callable[[InputError], None],
                 jobs: int = 1) -> Iterator[PaperGraph]:
    """Every paper's graph, in input order; with jobs > 1, extraction runs in that many processes."""
    papers = _unique(read_papers(list(inputs) if inputs else [seeds_dir()], load_vocabulary().questions, skip), skip)
    if jobs <= 1:
        _start_worker(base)
        yield from map(_paper_graph, papers)
        return
    with multiprocessing.get_context("fork").Pool(jobs, _start_pool_worker, (base,)) as pool:
        yield from pool.imap(_paper_graph, papers, chunksize=4)


# ---------------------------------------------------------------- in memory
def build(inputs: Iterable[str | Path] | None = None, base: str = DEFAULT_RESOURCE_BASE,
          on_paper: Callable[[str], None] | None = None, jobs: int = 1) -> BuildResult:
    """Build the KG of `inputs` (files or folders; default: the shipped seeds/) in memory. Bad records are skipped
    and listed in `BuildResult.problems`."""
    result = BuildResult(Dataset(), base)
    for prefix, ns in PREFIXES.items():
        result.dataset.bind(prefix, ns)
    for pg in paper_graphs(inputs, base, result.problems.append, jobs):
        result.dataset.graph(pg.iri).parse(data=pg.ntriples, format="nt")
        _count(result, pg, on_paper)
    return result


def _count(result: BuildResult, pg: PaperGraph, on_paper: Callable[[str], None] | None) -> None:
    result.papers += 1
    result.answers += pg.answers
    result.reported += pg.reported
    if on_paper:
        on_paper(pg.paper_id)


def _header(base: str, with_ontology: bool) -> Graph:
    """With the ontology: the TBox and vocabulary as one self-contained ontology. Without: the KG's own ontology
    header, importing the vocabulary (which imports the ontology; ontology/catalog-v001.xml resolves both)."""
    if with_ontology:
        return single_ontology()
    header = Graph()
    kg = URIRef(base.rstrip("/#"))
    header.add((kg, RDF.type, OWL.Ontology))
    header.add((kg, OWL.imports, VOCABULARY_ONTOLOGY))
    return header


def write(result: BuildResult, out: str | Path, with_ontology: bool = False) -> None:
    """Serialise an in-memory build to `out` (format from its extension) through a temporary file, so a failed
    write leaves any previous file intact."""
    fmt = format_for(out)
    header = _header(result.base, with_ontology)
    if fmt in QUAD_FORMATS:
        data: Graph | Dataset = result.dataset
        target = result.dataset.graph(ONTOLOGY_GRAPH_IN_FILES) if with_ontology else result.dataset.default_graph
        target += header
    else:
        data = result.graph()
        data += header
        for prefix, ns in PREFIXES.items():
            data.bind(prefix, ns)
    with atomic_file(Path(out)) as tmp:
        _serialize_rdflib(data, tmp, fmt)


# ---------------------------------------------------------------- streaming
def build_to(inputs: Iterable[str | Path] | None = None, out: str | Path | None = None,
             store: "WritableStore | None" = None, base: str = DEFAULT_RESOURCE_BASE, with_ontology: bool = False,
             jobs: int = 1, on_paper: Callable[[str], None] | None = None,
             before_write: Callable[[BuildResult], None] | None = None) -> BuildResult:
    """Build and write paper by paper into `out` (a file; format from its extension) or `store`; memory stays flat.
    The file appears only when the build finished (a temporary file is renamed); `before_write(result)` may raise
    to abandon it (e.g. --strict). A store gets each paper in one transaction, replacing what it held for it."""
    if (out is None) == (store is None):
        raise DlkgError("build_to needs either an output file or a store")
    result = BuildResult(Dataset(), base)
    splitter = SharedSplitter(ontology_present=store is not None or with_ontology)
    if store is not None:
        from .store import ONTOLOGY_GRAPH
        store.replace_graph(ONTOLOGY_GRAPH, ontology_graph())
        written: set[URIRef] = set()
        for pg in paper_graphs(inputs, base, result.problems.append, jobs):
            own, shared = splitter.split(pg)
            if shared:
                store.replace_graph(SHARED_GRAPH, shared, replace=False)
            # the first record of a paper in this build replaces what the store held; other sources add to it
            store.replace_graph(pg.iri, own, replace=pg.iri not in written)
            written.add(pg.iri)
            _count(result, pg, on_paper)
        return result
    out = Path(out)
    fmt = format_for(out)
    with atomic_file(out) as tmp:
        sink = _NTriplesSink(tmp, quads=fmt == "nquads") if fmt in ("nt", "nquads") else _OxigraphSink(tmp, fmt)
        try:  # the sink's files live beside tmp, which atomic_file cleans up even if we are interrupted right here
            header = _sorted_ntriples(_header(base, with_ontology))
            sink.add(ONTOLOGY_GRAPH_IN_FILES if with_ontology else None, header)
            for pg in paper_graphs(inputs, base, result.problems.append, jobs):
                own, shared = splitter.split(pg)
                sink.add(SHARED_GRAPH, shared)
                sink.add(pg.iri, own)
                _count(result, pg, on_paper)
            if before_write:
                before_write(result)
            sink.finish()
        finally:
            sink.close()
    return result


def as_nquads(graph: URIRef, ntriples: str) -> str:
    """N-Triples lines put in `graph`, as N-Quads."""
    return "".join(f"{line[:-2]} <{graph}> .\n" for line in ntriples.splitlines() if line.strip())


class _NTriplesSink:
    """N-Triples and N-Quads are line-based: each paper's lines go straight to the file."""

    def __init__(self, path: Path, quads: bool) -> None:
        self.fh = open(path, "w", encoding="utf-8")
        self.quads = quads

    def add(self, graph: URIRef | None, ntriples: str) -> None:
        self.fh.write(as_nquads(graph, ntriples) if self.quads and graph is not None else ntriples)

    def finish(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


class _OxigraphSink:
    """Formats that group triples (Turtle, TriG, RDF/XML, JSON-LD) are gathered in a temporary on-disk Oxigraph
    store (also merging what papers share), then serialised in one pass by pyoxigraph (rdflib for JSON-LD, which
    pyoxigraph cannot compact with a context)."""

    def __init__(self, path: Path, fmt: str) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.path, self.fmt = path, fmt
        self.store = pyoxigraph.Store(str(_scratch_dir(path)))  # atomic_file removes it, whatever happens

    def add(self, graph: URIRef | None, ntriples: str) -> None:
        to_graph = self.ox.NamedNode(str(graph)) if graph is not None and self.fmt in QUAD_FORMATS else self.ox.DefaultGraph()
        self.store.load(ntriples.encode("utf-8"), self.ox.RdfFormat.N_TRIPLES, to_graph=to_graph)

    def finish(self) -> None:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        if self.fmt == "json-ld":
            g = Graph().parse(data=self.store.dump(format=self.ox.RdfFormat.N_TRIPLES, from_graph=self.ox.DefaultGraph()),
                              format="nt")
            _serialize_rdflib(g, self.path, "json-ld")
        elif self.fmt == "trig":
            self.ox.serialize(self.store, str(self.path), self.ox.RdfFormat.TRIG, prefixes=prefixes)
        else:
            triples = (q.triple for q in self.store.quads_for_pattern(None, None, None, self.ox.DefaultGraph()))
            fmt = {"turtle": self.ox.RdfFormat.TURTLE, "xml": self.ox.RdfFormat.RDF_XML}[self.fmt]
            self.ox.serialize(triples, str(self.path), fmt, prefixes=prefixes)

    def close(self) -> None:
        del self.store


class atomic_file:
    """A temporary file beside `out`, renamed over it on success and removed on any failure or interrupt."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def __enter__(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.out.name}.", suffix=".tmp", dir=self.out.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; a KG is meant to be shared
                os.replace(self.tmp, self.out)
        finally:
            self.tmp.unlink(missing_ok=True)
            shutil.rmtree(_scratch_dir(self.tmp), ignore_errors=True)


def _scratch_dir(tmp: Path) -> Path:
    """Where a build may keep working data beside its temporary output file."""
    return tmp.with_name(tmp.name + ".store")


def _serialize_rdflib(data: Graph | Dataset, path: Path, fmt: str) -> None:
    kwargs = {"context": {p: str(ns) for p, ns in PREFIXES.items()}, "auto_compact": True} if fmt == "json-ld" else {}
    with open(path, "wb") as fh:
        data.serialize(destination=fh, format=fmt, encoding="utf-8", **kwargs)


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

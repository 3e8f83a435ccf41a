"""RDF files: formats by extension, atomic writes, the sinks a streaming build writes into, reading KGs back, and
pyoxigraph terms as rdflib ones."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Protocol

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .errors import DlkgError
from .layout import ONTOLOGY_GRAPH_IN_FILES, SHARED_GRAPH, as_nquads, natural_key
from .namespaces import BIBO, DEFAULT_RESOURCE_BASE, DLKG, PREFIXES
from .vocabulary import ontology_graph

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml", ".trig": "trig", ".nq": "nquads"}
QUAD_FORMATS = {"trig", "nquads"}
STREAMED_FORMATS = {"nt", "nquads", "turtle", "trig"}  # written paper by paper; the others need the whole KG at once


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DlkgError(f"{path}: unknown output format {suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


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

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; a KG is meant to be shared
                os.replace(self.tmp, self.out)
        finally:
            self.tmp.unlink(missing_ok=True)
            shutil.rmtree(scratch_dir(self.tmp), ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def scratch_dir(tmp: Path) -> Path:
    """Where a build may keep working data beside its temporary output file (`atomic_file` removes it)."""
    return tmp.with_name(tmp.name + ".store")


def serialize_rdflib(data: Graph | Dataset, path: Path, fmt: str) -> None:
    kwargs: dict[str, Any] = {}
    if fmt == "json-ld":
        kwargs = {"context": {p: str(ns) for p, ns in PREFIXES.items()}, "auto_compact": True}
    with open(path, "wb") as fh:
        data.serialize(destination=fh, format=fmt, encoding="utf-8", **kwargs)


class Sink(Protocol):
    """Where a streaming build writes: N-Triples text per named graph (None: the default graph)."""

    def add(self, graph: URIRef | None, ntriples: str) -> None: ...
    def finish(self) -> None: ...
    def close(self) -> None: ...


def sink_for(path: Path, fmt: str, base: str = DEFAULT_RESOURCE_BASE) -> Sink:
    if fmt in ("nt", "nquads"):
        return NTriplesSink(path, quads=fmt == "nquads")
    return GroupedTurtleSink(path, fmt, base) if fmt in ("turtle", "trig") else OxigraphSink(path, fmt)


class NTriplesSink:
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


class GroupedTurtleSink:
    """Turtle and TriG that a person reads and diffs: prefixes for every namespace and the resource base as @base,
    one block per paper (led by a comment naming it; the publication, its pipeline, components, settings, answers,
    then evidence, each in natural order: CQ2 before CQ12), then one block of what papers share (the questions, the
    answering models). Each block is serialised by pyoxigraph as it comes, so memory holds one paper; a paper's
    adjacent records (one per answering LLM) make one block. In TriG each paper's block is its named graph."""

    def __init__(self, path: Path, fmt: str, base: str) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.fh = open(path, "wb")
        self.quads, self.base = fmt == "trig", base
        self.format = pyoxigraph.RdfFormat.TRIG if self.quads else pyoxigraph.RdfFormat.TURTLE
        self.prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        self.pending: tuple[URIRef | None, list[str]] = (None, [])  # the paper whose records are still coming
        self.shared: list[str] = []
        self.fh.write(f"@base <{base}> .\n".encode())
        self.fh.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()).encode())

    def add(self, graph: URIRef | None, ntriples: str) -> None:
        if graph == SHARED_GRAPH:
            self.shared.append(ntriples)  # small and deduplicated upstream (layout.SharedSplitter)
            return
        if graph is None or graph == ONTOLOGY_GRAPH_IN_FILES:
            self._block(graph, ntriples, "the KG's ontology header" if graph is None else "dlkg's ontology and vocabulary")
            return
        if graph != self.pending[0]:
            self._flush()
            self.pending = (graph, [])
        self.pending[1].append(ntriples)

    def _flush(self) -> None:
        paper, lines = self.pending
        if paper is not None:
            self._block(paper, "".join(lines), None)
        self.pending = (None, [])

    def _block(self, graph: URIRef | None, ntriples: str, title: str | None) -> None:
        if not ntriples.strip():
            return
        ordered = _reading_order(ntriples)
        triples = list(self.ox.parse(ordered.encode("utf-8"), self.ox.RdfFormat.N_TRIPLES))  # in the lines' order
        if title is None:
            title = _paper_title(graph, triples)
        to = self.ox.NamedNode(str(graph)) if self.quads and graph is not None else None
        data = [self.ox.Quad(t.subject, t.predicate, t.object, to) for t in triples] if to is not None else triples
        body = (self.ox.serialize(data, format=self.format, prefixes=self.prefixes, base_iri=self.base) or b"").split(b"\n")
        while body and body[0].startswith((b"@prefix ", b"@base ")):  # said once, at the top of the file
            body.pop(0)
        comment = " ".join(title.split())
        self.fh.write(f"\n# {comment}\n".encode() + b"\n".join(body).rstrip(b"\n") + b"\n")

    def finish(self) -> None:
        self._flush()
        if self.shared:
            self._block(SHARED_GRAPH if self.quads else None, "".join(self.shared),
                        "shared by the papers: the competency questions, the answering models and the vocabulary entries used")
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


def _paper_title(graph: URIRef | None, triples: list[Any]) -> str:
    """'Publication_9: The title (doi 10.1111/...)' from the publication's own triples."""
    pub = str(graph)
    own = {t.predicate.value: t.object.value for t in triples if t.subject.value == pub}
    name = own.get(str(DCTERMS.identifier), pub)
    title = own.get(str(DCTERMS.title))
    doi = own.get(str(BIBO.doi))
    return name + (f": {title}" if title else "") + (f" (doi {doi})" if doi else "")


_RANK = {str(c): r for c, r in [(DLKG.Publication, 0), (DLKG.DeepLearningPipeline, 1), (DLKG.HyperparameterSetting, 3),
                                 (DLKG.Hyperparameter, 4), (DLKG.CQAnswer, 5), (DLKG.Evidence, 6)]}
_COMPONENT = 2  # what has none of those types: the pipeline's components
_RDF_TYPE = str(RDF.type)
_FIRST_PREDICATES = {str(p): i for i, p in enumerate([RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel,
                                                       DCTERMS.identifier, DCTERMS.title])}


def _reading_order(ntriples: str) -> str:
    """The N-Triples lines (deduplicated) in reading order: the publication first, then its pipeline, components,
    settings, answers and evidence; within each, subjects in natural order; a subject's types and names before its
    other properties. Works on the lines' text (dlkg writes subjects and predicates as IRIs) and computes the
    natural key once per subject: a paper has some 500 lines and 100 subjects."""
    by_subject: dict[str, list[tuple[tuple[int, str, str], str]]] = {}
    rank: dict[str, int] = {}
    for line in dict.fromkeys(ntriples.splitlines()):
        if not line.strip():
            continue
        s_end = line.index("> ") + 1
        p_end = line.index("> ", s_end + 1) + 1
        subject, predicate, obj = line[1:s_end - 1], line[s_end + 2:p_end - 1], line[p_end + 1:].rstrip(" .")
        if predicate == _RDF_TYPE and obj[1:-1] in _RANK:
            r = _RANK[obj[1:-1]]
            rank[subject] = min(rank.get(subject, r), r)
        key = (_FIRST_PREDICATES.get(predicate, len(_FIRST_PREDICATES)), predicate, obj)
        by_subject.setdefault(subject, []).append((key, line))
    out: list[str] = []
    for subject in sorted(by_subject, key=lambda s: (rank.get(s, _COMPONENT), natural_key(s), s)):
        out.extend(line for _, line in sorted(by_subject[subject]))
    return "\n".join(out) + "\n"


class OxigraphSink:
    """RDF/XML and JSON-LD group triples by subject across the whole file: they are gathered in a temporary on-disk
    Oxigraph store, then serialised in one pass by pyoxigraph (rdflib for JSON-LD, which pyoxigraph cannot compact
    with a context)."""

    def __init__(self, path: Path, fmt: str) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.path, self.fmt = path, fmt
        self.store = pyoxigraph.Store(str(scratch_dir(path)))  # atomic_file removes it, whatever happens

    def add(self, graph: URIRef | None, ntriples: str) -> None:
        self.store.load(ntriples.encode("utf-8"), self.ox.RdfFormat.N_TRIPLES, to_graph=self.ox.DefaultGraph())

    def finish(self) -> None:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        if self.fmt == "json-ld":
            g = Graph().parse(data=self.store.dump(format=self.ox.RdfFormat.N_TRIPLES, from_graph=self.ox.DefaultGraph()),
                              format="nt")
            serialize_rdflib(g, self.path, "json-ld")
        else:
            triples = (q.triple for q in self.store.quads_for_pattern(None, None, None, self.ox.DefaultGraph()))
            self.ox.serialize(triples, str(self.path), self.ox.RdfFormat.RDF_XML, prefixes=prefixes)

    def close(self) -> None:
        del self.store


def read_kg(paths: tuple[str, ...] | list[str], with_ontology: bool = False) -> Graph:
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


_XSD_STRING = str(XSD.string)


def rdflib_graph(triples: Iterable, into: Graph | None = None) -> Graph:
    """pyoxigraph triples or quads (graph names dropped) into an rdflib graph, each distinct term made once."""
    import pyoxigraph

    g = into if into is not None else Graph()
    terms: dict = {}

    def term(node):
        found = terms.get(node)
        if found is None:
            if isinstance(node, pyoxigraph.NamedNode):
                found = URIRef(node.value)
            elif isinstance(node, pyoxigraph.BlankNode):
                found = BNode(node.value)
            elif node.language:
                found = Literal(node.value, lang=node.language)
            else:
                datatype = node.datatype.value
                found = Literal(node.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
            terms[node] = found
        return found

    g.addN((term(t.subject), term(t.predicate), term(t.object), g) for t in triples)
    return g


def parse_ntriples(data: str | bytes, into: Graph | None = None) -> Graph:
    """N-Triples into an rdflib graph, parsed by Oxigraph (twice as fast as rdflib's parser; same terms)."""
    import pyoxigraph

    raw = data.encode("utf-8") if isinstance(data, str) else data
    return rdflib_graph(pyoxigraph.parse(raw, format=pyoxigraph.RdfFormat.N_TRIPLES), into)

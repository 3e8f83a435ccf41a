"""RDF files: formats by extension, atomic writes, the sinks a streaming build writes into, and reading KGs back."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

from rdflib import Dataset, Graph, URIRef

from .errors import DlkgError
from .layout import as_nquads
from .namespaces import PREFIXES
from .vocabulary import ontology_graph

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml", ".trig": "trig", ".nq": "nquads"}
QUAD_FORMATS = {"trig", "nquads"}


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


def sink_for(path: Path, fmt: str) -> Sink:
    return NTriplesSink(path, quads=fmt == "nquads") if fmt in ("nt", "nquads") else OxigraphSink(path, fmt)


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


class OxigraphSink:
    """Formats that group triples (Turtle, TriG, RDF/XML, JSON-LD) are gathered in a temporary on-disk Oxigraph
    store (also merging what papers share), then serialised in one pass by pyoxigraph (rdflib for JSON-LD, which
    pyoxigraph cannot compact with a context)."""

    def __init__(self, path: Path, fmt: str) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.path, self.fmt = path, fmt
        self.store = pyoxigraph.Store(str(scratch_dir(path)))  # atomic_file removes it, whatever happens

    def add(self, graph: URIRef | None, ntriples: str) -> None:
        to_graph = self.ox.NamedNode(str(graph)) if graph is not None and self.fmt in QUAD_FORMATS else self.ox.DefaultGraph()
        self.store.load(ntriples.encode("utf-8"), self.ox.RdfFormat.N_TRIPLES, to_graph=to_graph)

    def finish(self) -> None:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        if self.fmt == "json-ld":
            g = Graph().parse(data=self.store.dump(format=self.ox.RdfFormat.N_TRIPLES, from_graph=self.ox.DefaultGraph()),
                              format="nt")
            serialize_rdflib(g, self.path, "json-ld")
        elif self.fmt == "trig":
            self.ox.serialize(self.store, str(self.path), self.ox.RdfFormat.TRIG, prefixes=prefixes)
        else:
            triples = (q.triple for q in self.store.quads_for_pattern(None, None, None, self.ox.DefaultGraph()))
            fmt = {"turtle": self.ox.RdfFormat.TURTLE, "xml": self.ox.RdfFormat.RDF_XML}[self.fmt]
            self.ox.serialize(triples, str(self.path), fmt, prefixes=prefixes)

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

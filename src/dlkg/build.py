"""Build a KG: read answers, extract facts, map to RDF, and write the result.

Two ways through the same per-paper step (`execute.PaperStep`):
- `build()` keeps the KG in memory as an rdflib Dataset (one named graph per paper): for notebooks and small corpora.
- `build_to()` streams: each paper's graph is written as soon as it is built, to a file (atomically, through a
  temporary file) or a store, and nothing grows with the corpus; `jobs` > 1 extracts papers in parallel processes.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .errors import DlkgError, NothingBuilt
from .layout import (ONTOLOGY_GRAPH, ONTOLOGY_GRAPH_IN_FILES, SHARED_GRAPH, PaperGraph, SharedSplitter, header,
                     natural_key, sorted_ntriples)
from .namespaces import DEFAULT_RESOURCE_BASE, PREFIXES
from .rdfio import QUAD_FORMATS, STREAMED_FORMATS, atomic_file, format_for, serialize_rdflib, sink_for
from .vocabulary import ontology_graph

if TYPE_CHECKING:
    from .execute import BuildResult
    from .store import WritableStore

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- in memory
def build(inputs: Iterable[str | Path] | None = None, base: str = DEFAULT_RESOURCE_BASE,
          on_paper: Callable[[str], None] | None = None, jobs: int = 1, model: Path | bool = True,
          threshold: float | None = None) -> BuildResult:
    """Build the KG of `inputs` (files or folders; default: the shipped seeds/) in memory. Bad records are skipped
    and listed in `BuildResult.problems`; inputs that give no paper raise `NothingBuilt`. `model`: the learned
    decision's model file (True: the shipped one; False: the rules alone); `threshold`: keep facts of at least this
    confidence (default: the model's)."""
    from .execute import BuildResult, paper_graphs  # here, not above: spaCy takes most of a second to import

    result = BuildResult(Dataset(), base)
    for prefix, ns in PREFIXES.items():
        result.dataset.bind(prefix, ns)
    for pg in paper_graphs(inputs, base, result.problem, jobs, model, threshold):
        result.dataset.graph(pg.iri).parse(data=pg.ntriples, format="nt")
        result.count(pg, on_paper)
    if result.papers == 0:
        raise NothingBuilt(result.problems)
    log.info("built %s in memory", result.summary())
    return result


def write(result: BuildResult, out: str | Path, with_ontology: bool = False) -> None:
    """Serialise an in-memory build to `out` (format from its extension) through a temporary file, so a failed
    write leaves any previous file intact. N-Triples, N-Quads, Turtle and TriG are written paper by paper as
    `build_to` writes them (papers in the natural order of their IRIs)."""
    fmt = format_for(out)
    if fmt in STREAMED_FORMATS:
        papers = sorted(((g.identifier, g) for g in result.dataset.graphs()
                         if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID), key=lambda x: natural_key(str(x[0])))
        _write_papers(Path(out), result.base, with_ontology,
                      (PaperGraph("", URIRef(iri), sorted_ntriples(g), 0, 0) for iri, g in papers))
        return
    kg_header = header(result.base, with_ontology)
    if fmt in QUAD_FORMATS:
        data: Graph | Dataset = result.dataset
        target = result.dataset.graph(ONTOLOGY_GRAPH_IN_FILES) if with_ontology else result.dataset.default_graph
        target += kg_header
    else:
        data = result.graph()
        data += kg_header
        for prefix, ns in PREFIXES.items():
            data.bind(prefix, ns)
    with atomic_file(Path(out)) as tmp:
        serialize_rdflib(data, tmp, fmt)


# ---------------------------------------------------------------- streaming
def build_to(inputs: Iterable[str | Path] | None = None, out: str | Path | None = None,
             store: "WritableStore | None" = None, base: str = DEFAULT_RESOURCE_BASE, with_ontology: bool = False,
             jobs: int = 1, on_paper: Callable[[str], None] | None = None,
             before_write: Callable[[BuildResult], None] | None = None, model: Path | bool = True,
             threshold: float | None = None) -> BuildResult:
    """Build and write paper by paper into `out` (a file; format from its extension) or `store`; memory stays flat.
    The file appears only when the build finished (a temporary file is renamed); `before_write(result)` may raise
    to abandon it (e.g. --strict). Inputs that give no paper raise `NothingBuilt`, and no file is written. A store
    gets each paper in one transaction, replacing what it held for it."""
    from .execute import BuildResult, paper_graphs

    if (out is None) == (store is None):
        raise DlkgError("build_to needs either an output file or a store")
    result = BuildResult(Dataset(), base)
    if store is not None:
        splitter = SharedSplitter(ontology_present=True)
        store.replace_graph(ONTOLOGY_GRAPH, ontology_graph())
        written: set[URIRef] = set()
        for pg in paper_graphs(inputs, base, result.problem, jobs, model, threshold):
            own, shared = splitter.split(pg)
            if shared:
                store.replace_graph(SHARED_GRAPH, shared, replace=False)
            # the first record of a paper in this build replaces what the store held; other sources add to it
            store.replace_graph(pg.iri, own, replace=pg.iri not in written)
            written.add(pg.iri)
            result.count(pg, on_paper)
        if result.papers == 0:
            raise NothingBuilt(result.problems)
        log.info("built %s into the store", result.summary())
        return result
    assert out is not None

    def counted() -> Iterator[PaperGraph]:
        for pg in paper_graphs(inputs, base, result.problem, jobs, model, threshold):
            result.count(pg, on_paper)
            yield pg

    def check() -> None:  # before the file appears: an empty build writes nothing, and a previous file stays
        if result.papers == 0:
            raise NothingBuilt(result.problems)
        if before_write:
            before_write(result)
    _write_papers(Path(out), base, with_ontology, counted(), check)
    log.info("built %s into %s", result.summary(), out)
    return result


def _write_papers(out: Path, base: str, with_ontology: bool, papers: Iterable[PaperGraph],
                  before_write: Callable[[], None] | None = None) -> None:
    """Write the header, then each paper's own triples and the shared ones it brings first (each once), into a
    temporary file renamed over `out` once `before_write` (which may raise to abandon the file) has passed."""
    fmt = format_for(out)
    splitter = SharedSplitter(ontology_present=with_ontology)
    with atomic_file(out) as tmp:
        sink = sink_for(tmp, fmt, base)
        try:  # the sink's files live beside tmp, which atomic_file cleans up even if we are interrupted right here
            sink.add(ONTOLOGY_GRAPH_IN_FILES if with_ontology else None, sorted_ntriples(header(base, with_ontology)))
            for pg in papers:
                own, shared = splitter.split(pg)
                sink.add(SHARED_GRAPH, shared)
                sink.add(pg.iri, own)
            if before_write:
                before_write()
            sink.finish()
        finally:
            sink.close()

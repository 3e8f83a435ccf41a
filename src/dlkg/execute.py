"""Running the per-paper step: read the input, extract each paper and map it to its graph, here or elsewhere.

`PaperStep` is what every executor runs for one paper (in this process, in worker processes, on Dask workers);
`input_papers` is what every executor reads, so a bad record is reported with its file and line, and a paper id
is deduplicated across the whole corpus, however the work is spread.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Dataset, Graph

from .errors import InputError
from .extract import Extractor
from .graph import GraphBuilder
from .ingest import Paper, read_papers
from .layout import PaperGraph, sorted_ntriples
from .namespaces import DEFAULT_RESOURCE_BASE
from .resources import seeds_dir
from .vocabulary import load_vocabulary

log = logging.getLogger(__name__)


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

    def problem(self, error: InputError) -> None:
        """Keep a bad record's error (the build goes on without it) and log it for library users."""
        log.warning("%s", error)
        self.problems.append(error)

    def summary(self) -> str:
        return f"{self.papers} papers, {self.answers} answers ({self.reported} reported), {len(self.problems)} problems"

    def count(self, pg: PaperGraph, on_paper: Callable[[str], None] | None = None) -> None:
        """Add one built paper to the totals."""
        self.papers += 1
        self.answers += pg.answers
        self.reported += pg.reported
        if on_paper:
            on_paper(pg.paper_id)


class PaperStep:
    """One paper -> its graph as sorted N-Triples; the extractor and mapper are built once per process."""

    def __init__(self, base: str, model: Path | bool = True, threshold: float | None = None) -> None:
        """`model`, `threshold`: the learned decision (`Extractor`): True for the shipped model, False for the rules."""
        self.base = base
        self.extractor = Extractor(model=model, threshold=threshold)
        self.mapper = GraphBuilder(load_vocabulary(), base)

    def __call__(self, group: list[Paper]) -> list[PaperGraph]:
        """The graphs of one paper's records (one per answering LLM), decided together (`Extractor.extract_group`)."""
        out = []
        for paper, facts in zip(group, self.extractor.extract_group(group)):
            out.append(PaperGraph(paper.id, self.mapper.publication_iri(paper.id),
                                  sorted_ntriples(self.mapper.triples(facts)), len(facts.answers),
                                  sum(1 for a in facts.answers if a.reported)))
        return out


def paper_groups(papers: Iterable[Paper]) -> Iterator[list[Paper]]:
    """Consecutive records of the same paper, as one group: how the corpus lists a paper's answering LLMs. Records
    of a paper that are not adjacent in the input are decided apart (each without the other's testimony)."""
    group: list[Paper] = []
    for paper in papers:
        if group and paper.id != group[0].id:
            yield group
            group = []
        group.append(paper)
    if group:
        yield group


def input_papers(inputs: Iterable[str | Path] | None, skip: Callable[[InputError], None]) -> Iterator[Paper]:
    """The papers of `inputs` (default: the shipped seeds/); a paper id seen twice from the same source keeps its
    first record."""
    seen: set[tuple[str, str]] = set()
    for paper in read_papers(list(inputs) if inputs else [seeds_dir()], load_vocabulary().questions, skip):
        key = (paper.id, paper.source)
        if key in seen:
            skip(InputError(paper.origin, None,
                            f"duplicate record for paper {paper.id!r} from source {paper.source!r}; kept the first"))
            continue
        seen.add(key)
        yield paper


# ---------------------------------------------------------------- local execution: this process or a process pool
_pool_step: PaperStep | None = None


def _start_pool_worker(base: str, model: Path | bool = True, threshold: float | None = None) -> None:
    """A pool worker dies on SIGTERM, as Pool.terminate() expects. Forked, it would inherit the handler the CLI
    installs (SIGTERM -> SystemExit, so that the parent cleans up), and a worker could swallow that exit while
    waiting for a task: the pool then waited for it forever (seen once in a CI run)."""
    global _pool_step
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _pool_step = PaperStep(base, model, threshold)


def _run_in_pool(group: list[Paper]) -> list[PaperGraph]:
    assert _pool_step is not None, "the pool initialiser builds the step"
    return _pool_step(group)


def paper_graphs(inputs: Iterable[str | Path] | None, base: str, skip: Callable[[InputError], None],
                 jobs: int = 1, model: Path | bool = True, threshold: float | None = None) -> Iterator[PaperGraph]:
    """Every paper's graph, in input order; with jobs > 1, extraction runs in that many processes."""
    groups = paper_groups(input_papers(inputs, skip))
    step = PaperStep(base, model, threshold)  # built here too: a bad model file fails before any worker starts
    if jobs <= 1:
        for group in groups:
            yield from step(group)
        return
    with multiprocessing.get_context("fork").Pool(jobs, _start_pool_worker, (base, model, threshold)) as pool:
        for graphs in pool.imap(_run_in_pool, groups, chunksize=2):
            yield from graphs

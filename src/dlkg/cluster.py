"""Build on a Dask cluster: extraction runs on the cluster's workers, one N-Quads file per partition of papers.

The client reads the input (so every unreadable record is reported with its file and line, and a paper id is
deduplicated across the whole corpus, as in a local build) and hands partitions of papers to the workers, at most two
per worker thread at a time, so client memory stays flat. Each partition becomes `part-NNNNN.nq` (a named graph per
paper plus the shared graph, the layout of `dlkg build --store`), ready for a triple store's bulk loader. Workers run
the same per-paper step as a local build, so the union of the partitions holds exactly the triples of
`dlkg build -o kg.nq`. Workers need dlkg installed; they do not need the input files or a shared file system.
"""
from __future__ import annotations

import shutil
import tempfile
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Dataset

from .errors import DlkgError, NothingBuilt
from .execute import BuildResult, PaperStep, input_papers, paper_groups
from .ingest import Paper
from .layout import ONTOLOGY_GRAPH_IN_FILES, SHARED_GRAPH, PaperGraph, SharedSplitter, as_nquads, header, sorted_ntriples
from .namespaces import DEFAULT_RESOURCE_BASE

_worker_step: PaperStep | None = None


def _extract_partition(papers: list[Paper], base: str) -> tuple[str, list[PaperGraph]]:
    """On a worker: the partition's N-Quads, and each paper's counts (its triples emptied to spare the network)."""
    global _worker_step
    if _worker_step is None or _worker_step.base != base:  # the extractor loads once per worker process
        _worker_step = PaperStep(base)
    step = _worker_step
    splitter = SharedSplitter(ontology_present=False)
    quads, counts = [], []
    for pg in (pg for group in paper_groups(papers) for pg in step(group)):
        own, shared = splitter.split(pg)
        quads += [as_nquads(SHARED_GRAPH, shared), as_nquads(pg.iri, own)]
        pg.ntriples = ""
        counts.append(pg)
    return "".join(quads), counts


def build_on_dask(scheduler: str, out_dir: str | Path, inputs: Iterable[str | Path] | None = None,
                  base: str = DEFAULT_RESOURCE_BASE, with_ontology: bool = False, partition_size: int = 500,
                  on_paper: Callable[[str], None] | None = None,
                  before_write: Callable[[BuildResult], None] | None = None) -> BuildResult:
    """Build `inputs` on the Dask cluster at `scheduler` (an address such as tcp://host:8786, or a Client or
    LocalCluster) into `out_dir`. The directory is replaced only when every partition is written: a failed or
    interrupted build leaves the previous one as it was."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise DlkgError("the dask executor needs dask.distributed: pip install 'dlkg[dask]'") from None

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise DlkgError(f"{out_dir}: the dask executor writes a directory of partitions; this is a file")
    result = BuildResult(Dataset(), base)
    papers = input_papers(inputs, result.problem)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        kg_header = sorted_ntriples(header(base, with_ontology))
        (work / "header.nq").write_text(
            as_nquads(ONTOLOGY_GRAPH_IN_FILES, kg_header) if with_ontology else kg_header, encoding="utf-8")
        client = scheduler if isinstance(scheduler, Client) else _connect(Client, scheduler)
        try:
            numbered = enumerate(_partitions(papers, partition_size))
            window = 2 * max(1, sum(client.nthreads().values()))
            pending = as_completed()
            for index, part in islice(numbered, window):
                pending.add(_submit(client, index, part, base))
            for future in pending:
                index, (quads, counts) = future.result()
                (work / f"part-{index:05d}.nq").write_text(quads, encoding="utf-8")
                for pg in counts:
                    result.count(pg, on_paper)
                for index, part in islice(numbered, 1):
                    pending.add(_submit(client, index, part, base))
        finally:
            if client is not scheduler:
                client.close()
        if not result.papers:
            raise NothingBuilt(result.problems)  # the work folder goes; a previous output stays as it was
        if before_write:
            before_write(result)
        _replace_dir(work, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _connect(client_class, address: str):
    try:
        return client_class(address, timeout="20s")
    except (OSError, ValueError) as exc:  # distributed raises OSError on timeouts, ValueError on bad addresses
        raise DlkgError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _partitions(papers: Iterator[Paper], size: int) -> Iterator[list[Paper]]:
    """About `size` records each, never splitting a paper's adjacent records (they are decided together)."""
    part: list[Paper] = []
    for group in paper_groups(papers):
        part += group
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _submit(client, index: int, part: list[Paper], base: str):
    return client.submit(_numbered, index, part, base, pure=False)


def _numbered(index: int, part: list[Paper], base: str) -> tuple[int, tuple[str, list[PaperGraph]]]:
    return index, _extract_partition(part, base)


def _replace_dir(new: Path, out: Path) -> None:
    """Swap the finished directory in; the old one is removed only after the swap."""
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)

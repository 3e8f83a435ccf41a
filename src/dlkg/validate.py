"""SHACL validation of a KG with pySHACL, and a report that names the paper and CQ of every violation."""
from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyshacl
from rdflib import Graph, Node, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH

from .rdfio import parse_ntriples
from .layout import SHARED_GRAPH
from .namespaces import DLKG, PREFIXES
from .resources import shapes_dir
from .vocabulary import ontology_graph


@dataclass
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str
    paper: str | None = None
    cq: str | None = None

    def order(self) -> tuple[str, ...]:
        return self.paper or "", self.cq or "", self.focus, self.path or "", self.message

    def __str__(self) -> str:
        where = " ".join(x for x in (f"paper {self.paper}" if self.paper else "", self.cq or "") if x)
        path = f" [{self.path}]" if self.path else ""
        return f"{self.severity}: {where + ': ' if where else ''}{self.focus}{path}: {self.message}"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def text(self) -> str:
        if self.conforms:
            return "Conforms: the KG satisfies every shape."
        lines = [f"Does not conform: {len(self.violations)} violation(s)."]
        lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)


_NAMES = Graph()
for _prefix, _ns in PREFIXES.items():
    _NAMES.bind(_prefix, _ns)


def shapes_graph(folder: Path | None = None) -> Graph:
    g = Graph()
    for path in sorted((folder or shapes_dir()).glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def targeted_property_shapes(shapes: Graph) -> Graph:
    """The same shapes with each `sh:property` of a targeted node shape given the node shape's targets itself.

    SHACL-equivalent, but pySHACL checks a nested property shape one focus node at a time, rebuilding its constraints
    for each (a 400-paper KG: 150,000 calls, 27 s); a targeted property shape is checked for all focus nodes at once
    (under 2 s). Node shapes that other shapes refer to (sh:node, sh:or ...) or that are deactivated stay as they are."""
    flat = Graph()
    flat += shapes
    for shape in set(shapes.subjects(SH.property, None)):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(shape, p)]
        if not targets or (None, None, shape) in shapes or (shape, SH.deactivated, None) in shapes:
            continue
        for prop in shapes.objects(shape, SH.property):
            if (None, SH.property, prop) in shapes and len(set(shapes.subjects(SH.property, prop))) > 1:
                continue  # shared by several node shapes: leave nested
            flat.remove((shape, SH.property, prop))
            flat.add((prop, RDF.type, SH.PropertyShape))
            for p, o in targets:
                flat.add((prop, p, o))
    return flat


def validate(data: Graph, shapes: Graph | None = None, ontology: Graph | None = None) -> ValidationReport:
    """Validate `data` against dlkg's shapes; the ontology is mixed in (not inferred over) so sh:class sees subclasses."""
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=targeted_property_shapes(shapes if shapes is not None else shapes_graph()),
        ont_graph=ontology if ontology is not None else ontology_graph(),
        inference="none", abort_on_first=False, allow_warnings=True, meta_shacl=False)
    return _report(data, results, bool(conforms))


def _report(data: Graph, results: Graph, conforms: bool) -> ValidationReport:
    report = ValidationReport(conforms)
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        message = results.value(r, SH.resultMessage)
        severity = results.value(r, SH.resultSeverity)
        if focus is None:
            continue
        paper, cq = _locate(data, focus)
        report.violations.append(Violation(
            _short(focus), _short(path) if path is not None else None, str(message or "constraint violated"),
            str(severity).rsplit("#", 1)[-1] if severity else "Violation", paper, cq))
    report.violations.sort(key=Violation.order)
    return report


class _BatchValidator:
    """Validates batches of papers against the shapes with just the part of the ontology they reach: every
    subclass axiom (for sh:class) plus everything the ontology says about the IRIs a batch uses, and about the
    IRIs those lead to (a model's broader entries, the CQ an entry is asked in), but not via rdf:type. Copying the
    whole ontology (26,000 triples) into every batch took longer than validating it."""

    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.shapes = targeted_property_shapes(shapes)
        self.ontology = ontology
        self.subclass_axioms = list(ontology.triples((None, RDFS.subClassOf, None)))
        self._reach: dict[URIRef, list] = {}

    def validate(self, data: Graph) -> ValidationReport:
        """Validate a batch of papers (`data` is extended with the ontology triples it reaches)."""
        described = list(self.subclass_axioms)
        for iri in {n for t in data for n in (t[0], t[2]) if isinstance(n, URIRef)}:
            described += self._reached_from(iri)
        data.addN((s, p, o, data) for s, p, o in described)
        return self.check(data)

    def check(self, data: Graph) -> ValidationReport:
        """`data` is validated as it is: no inference and no SHACL rules, so pySHACL leaves it unchanged."""
        conforms, results, _ = pyshacl.validate(
            data, shacl_graph=self.shapes, inference="none", inplace=True, abort_on_first=False,
            allow_warnings=True, meta_shacl=False)
        return _report(data, results, bool(conforms))

    def _reached_from(self, iri: URIRef) -> list:
        if iri not in self._reach:
            triples, todo, seen = [], [iri], {iri}
            while todo:
                node = todo.pop()
                for p, o in self.ontology.predicate_objects(node):
                    triples.append((node, p, o))
                    if isinstance(o, URIRef) and p != RDF.type and o not in seen:
                        seen.add(o)
                        todo.append(o)
            self._reach[iri] = triples
        return self._reach[iri]


# ---------------------------------------------------------------- batches, in this process or in `jobs` forked ones
_batch_validator: _BatchValidator | None = None
_worker_store = None


def _validator() -> _BatchValidator:
    if _batch_validator is None:
        raise RuntimeError("the batch validator is set up by _setup_batches before any batch runs")
    return _batch_validator


def _validate_ntriples(ntriples: str) -> ValidationReport:
    return _validator().validate(parse_ntriples(ntriples))


def _validate_stored(batch: tuple[str, list[URIRef]]) -> ValidationReport:
    """Each process reads its papers from the store itself: reading them in one process was a third of the time."""
    global _worker_store
    from .store import DiskStore

    path, iris = batch
    if _worker_store is None or str(_worker_store.path) != path:
        _worker_store = DiskStore(path, read_only=True)
    data = _worker_store.named_graph(SHARED_GRAPH)
    for iri in iris:
        _worker_store.named_graph(iri, into=data)
    return _validator().validate(data)


def _run_batches(batches: Iterator, work: Callable[..., ValidationReport], jobs: int, shapes: Graph | None,
                 ontology: Graph | None) -> ValidationReport:
    """The ontology checked once plus every batch: every shape looks only at a paper's own nodes and the ontology,
    so this is the report on the whole graph (tests/test_validate.py checks it on planted violations)."""
    global _batch_validator
    ontology = ontology if ontology is not None else ontology_graph()
    _batch_validator = _BatchValidator(shapes if shapes is not None else shapes_graph(), ontology)
    merged = _batch_validator.check(ontology)  # the vocabulary entries themselves, once
    if jobs <= 1:
        for part in map(work, batches):
            _merge(merged, part)
    else:
        in_flight = threading.BoundedSemaphore(2 * jobs)  # Pool would otherwise read every batch ahead into memory

        def fed() -> Iterator:
            for batch in batches:
                in_flight.acquire()
                yield batch

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for part in pool.imap_unordered(work, fed()):
                in_flight.release()
                _merge(merged, part)
    merged.violations.sort(key=Violation.order)
    return merged


def validate_in_batches(papers: Iterable[Graph | str], batch_size: int = 50, jobs: int = 1,
                        shapes: Graph | None = None, ontology: Graph | None = None) -> ValidationReport:
    """Validate a KG paper by paper (each paper a Graph or N-Triples text), `batch_size` papers per pySHACL run and
    `jobs` runs in parallel; memory holds a few batches, never the KG. Same report as `validate` on the whole."""
    return _run_batches(_ntriples_batches(papers, batch_size), _validate_ntriples, jobs, shapes, ontology)


def validate_store(path: str | Path, batch_size: int = 50, jobs: int = 1, shapes: Graph | None = None,
                   ontology: Graph | None = None) -> ValidationReport:
    """Validate an on-disk store (`dlkg build --store`) paper by paper, `jobs` processes reading and validating
    `batch_size` papers at a time. Same report as `validate` on the whole KG."""
    from .store import DiskStore

    iris = DiskStore(path, read_only=True).paper_iris()
    batches = ((str(path), iris[i:i + batch_size]) for i in range(0, len(iris), batch_size))
    return _run_batches(batches, _validate_stored, jobs, shapes, ontology)


def _ntriples_batches(papers: Iterable[Graph | str], batch_size: int) -> Iterator[str]:
    batch: list[str] = []
    for paper in papers:
        batch.append(paper if isinstance(paper, str) else paper.serialize(format="nt"))
        if len(batch) == batch_size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _merge(into: ValidationReport, part: ValidationReport) -> None:
    into.conforms = into.conforms and part.conforms
    known = {(v.focus, v.path, v.message) for v in into.violations}
    into.violations += [v for v in part.violations if (v.focus, v.path, v.message) not in known]


def _short(node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return _NAMES.namespace_manager.normalizeUri(node)
        except Exception:  # rdflib raises plain exceptions for IRIs it cannot abbreviate
            return f"<{node}>"
    return str(node)


def _locate(g: Graph, node: Node) -> tuple[str | None, str | None]:
    """The paper id and CQ a focus node belongs to, following the graph pattern back to the publication."""
    cq = None
    answer = g.value(node, DLKG.fromAnswer) or (node if (node, RDF.type, DLKG.CQAnswer) in g else None)
    if answer is not None:
        q = g.value(answer, DLKG.answersQuestion)
        ident = None if q is None else g.value(q, DCTERMS.identifier) or ontology_graph().value(q, DCTERMS.identifier)
        cq = str(ident) if ident is not None else None  # the CQs are described once, in the ontology
        pub = g.value(answer, DLKG.aboutPublication)
    elif (node, RDF.type, DLKG.Publication) in g:
        pub = node
    else:
        pipeline = (g.value(node, DLKG.inPipeline) or (node if (node, RDF.type, DLKG.DeepLearningPipeline) in g else None)
                    or g.value(None, DLKG.hasHyperparameterSetting, node) or next(iter(_pipelines_using(g, node)), None))
        pub = g.value(None, DLKG.describesPipeline, pipeline) if pipeline is not None else None
    ident = g.value(pub, DCTERMS.identifier) if pub is not None else None
    return (str(ident) if ident is not None else None), cq


def _pipelines_using(g: Graph, node: Node):
    for s, p in g.subject_predicates(node):
        if (s, RDF.type, DLKG.DeepLearningPipeline) in g:
            yield s

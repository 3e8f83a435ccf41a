"""SHACL validation of a KG with pySHACL, and a report that names the paper and CQ of every violation."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyshacl
from rdflib import Graph, Node, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from .namespaces import DLKG, PREFIXES, shapes_dir
from .vocabulary import ontology_graph


@dataclass
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str
    paper: str | None = None
    cq: str | None = None

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


def validate(data: Graph, shapes: Graph | None = None, ontology: Graph | None = None) -> ValidationReport:
    """Validate `data` against dlkg's shapes; the ontology is mixed in (not inferred over) so sh:class sees subclasses."""
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes if shapes is not None else shapes_graph(),
        ont_graph=ontology if ontology is not None else ontology_graph(),
        inference="none", abort_on_first=False, allow_warnings=True, meta_shacl=False)
    report = ValidationReport(bool(conforms))
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        message = results.value(r, SH.resultMessage)
        severity = results.value(r, SH.resultSeverity)
        paper, cq = _locate(data, focus)
        report.violations.append(Violation(
            _short(data, focus), _short(data, path) if path is not None else None, str(message or "constraint violated"),
            str(severity).rsplit("#", 1)[-1] if severity else "Violation", paper, cq))
    report.violations.sort(key=lambda v: (v.paper or "", v.cq or "", v.focus))
    return report


def validate_in_batches(papers: Iterable[Graph], batch_size: int = 200, shapes: Graph | None = None,
                        ontology: Graph | None = None) -> ValidationReport:
    """Validate a KG paper by paper, `batch_size` papers per pySHACL run, so a KG larger than memory can be checked
    (e.g. from a `DiskStore`). Every shape looks only at a paper's own nodes and the shared vocabulary, so the
    merged report equals the report on the whole graph."""
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    merged = ValidationReport(True)
    batch = Graph()
    for n, paper in enumerate(papers, 1):
        batch += paper
        if n % batch_size == 0:
            _merge(merged, validate(batch, shapes, ontology))
            batch = Graph()
    if len(batch):
        _merge(merged, validate(batch, shapes, ontology))
    merged.violations.sort(key=lambda v: (v.paper or "", v.cq or "", v.focus))
    return merged


def _merge(into: ValidationReport, part: ValidationReport) -> None:
    into.conforms = into.conforms and part.conforms
    known = {(v.focus, v.path, v.message) for v in into.violations}
    into.violations += [v for v in part.violations if (v.focus, v.path, v.message) not in known]


def _short(g: Graph, node: Node) -> str:
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

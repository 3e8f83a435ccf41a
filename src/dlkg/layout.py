"""The graph layout: which named graph holds what, and how a KG splits per paper.

A built KG has one named graph per paper (named by the publication's IRI: everything minted under it), one graph of
what papers share (the CQs, the answering models), and in a store one graph for the ontology and vocabulary. `build`
writes that layout; `store` and `validate` read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from rdflib import Graph, Node, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.plugins.serializers.nt import _nt_row  # the serialiser's row writer: same bytes as Graph.serialize

from .namespaces import DLKG
from .vocabulary import VOCABULARY_ONTOLOGY, ontology_graph, single_ontology

ONTOLOGY_GRAPH = URIRef("https://w3id.org/dlkg/graph/ontology")  # the ontology and vocabulary in a store
ONTOLOGY_GRAPH_IN_FILES = URIRef("https://w3id.org/dlkg/ontology")  # the named graph --with-ontology fills in TriG/N-Quads
SHARED_GRAPH = URIRef("https://w3id.org/dlkg/graph/shared")  # what papers share (CQs, answering models), once


@dataclass
class PaperGraph:
    """One paper's graph, as N-Triples text (cheap to pass between processes and to write)."""
    paper_id: str
    iri: URIRef
    ntriples: str
    answers: int
    reported: int


_DIGITS = re.compile(r"\d+")


def natural_key(text: str) -> str:
    """Digits compare as numbers: CQ2 before CQ12, Publication_9 before Publication_10 (digit runs padded to ten
    places; a string key, since it is computed for every line of a paper's block)."""
    return _DIGITS.sub(lambda m: m.group().rjust(10, "0"), text)


def sorted_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """N-Triples without duplicates in sorted order: the same bytes on every run, whatever the hash seed. Rows are
    written by rdflib's own N-Triples serialiser; skipping the Graph it would first fill makes this 5x faster."""
    return "".join(sorted({_nt_row(triple) for triple in triples}))


def as_nquads(graph: URIRef, ntriples: str) -> str:
    """N-Triples lines put in `graph`, as N-Quads."""
    return "".join(f"{line[:-2]} <{graph}> .\n" for line in ntriples.splitlines() if line.strip())


def header(base: str, with_ontology: bool) -> Graph:
    """With the ontology: the TBox and vocabulary as one self-contained ontology. Without: the KG's own ontology
    header, importing the vocabulary (which imports the ontology; ontology/catalog-v001.xml resolves both)."""
    if with_ontology:
        return single_ontology()
    g = Graph()
    kg = URIRef(base.rstrip("/#"))
    g.add((kg, RDF.type, OWL.Ontology))
    g.add((kg, OWL.imports, VOCABULARY_ONTOLOGY))
    return g


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


def split_by_paper(g: Graph, ontology_present: bool = True) -> list[tuple[URIRef, Graph]]:
    """Split a KG into one graph per publication (everything minted under its IRI) plus one graph of what papers
    share (the CQs, the answering models), minus what the ontology graph (if loaded too) says: each triple lives in one
    graph only, so a store's union default graph counts it once. One pass over the triples: a resource belongs to
    the longest publication IRI that is its own IRI or a "/"-prefix of it."""
    pubs = sorted(str(p) for p in g.subjects(predicate=None, object=DLKG.Publication))
    parts = {pub: Graph() for pub in pubs}
    shared, ontology = Graph(), ontology_graph() if ontology_present else Graph()
    for triple in g:
        pub = _owning_publication(str(triple[0]), parts)
        if pub is not None:
            parts[pub].add(triple)
        elif triple not in ontology:
            shared.add(triple)
    return [(URIRef(pub), parts[pub]) for pub in pubs] + ([(SHARED_GRAPH, shared)] if len(shared) else [])


def _owning_publication(iri: str, publications: dict[str, Graph]) -> str | None:
    if iri in publications:
        return iri
    cut = iri.rfind("/")
    while cut > 0:
        if iri[:cut] in publications:
            return iri[:cut]
        cut = iri.rfind("/", 0, cut)
    return None

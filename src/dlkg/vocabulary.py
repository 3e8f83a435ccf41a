"""The shipped knowledge: ontology (TBox), SKOS vocabulary and the 28 competency questions, read from ontology/.

The extractor's matcher is built from this data, so a new architecture is one Turtle entry, not a code change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .errors import DlkgError
from .namespaces import DLKG
from .resources import ontology_dir


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: a shared entity with its names and where its generic names are meaningful."""
    iri: URIRef
    concept: str                 # one of the CQs' concepts (Vocabulary.concepts)
    pref_label: str
    labels: tuple[str, ...]      # prefLabel first, then altLabels
    cqs: frozenset[str] = frozenset()  # empty: meaningful in every answer
    case_sensitive: bool = False


@dataclass
class Vocabulary:
    terms: dict[URIRef, Term]
    questions: dict[str, str]                     # CQ id -> question text
    example_terms: dict[str, tuple[str, ...]]     # CQ id -> the question's own examples
    component_property: dict[str, URIRef]         # concept -> its sub-property of dlkg:hasComponent
    setting_values: dict[URIRef, list[tuple[str, URIRef]]]  # hyperparameter -> (label, value entry) of its known values
    broader: dict[URIRef, tuple[URIRef, ...]] = field(default_factory=dict)
    prefer_specific: frozenset[str] = frozenset()  # concepts whose broader entries give way to narrower ones
    cq_concepts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # CQ id -> its concepts (dlkg:concept)

    @property
    def concepts(self) -> tuple[str, ...]:
        """Every concept a CQ asks about, in CQ order."""
        return tuple(c for cs in self.cq_concepts.values() for c in cs)

    def ancestors(self, iri: URIRef) -> set[URIRef]:
        """Every entry above `iri` in the skos:broader taxonomy."""
        seen: set[URIRef] = set()
        todo = list(self.broader.get(iri, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(self.broader.get(node, ()))
        return seen

    def by_concept(self, concept: str) -> list[Term]:
        return [t for t in self.terms.values() if t.concept == concept]


def ontology_files(folder: Path | None = None) -> list[Path]:
    """The TBox and every vocabulary file, in a stable order."""
    folder = folder or ontology_dir()
    return sorted(folder.rglob("*.ttl"))


@lru_cache(maxsize=4)
def ontology_graph(folder: Path | None = None) -> Graph:
    """TBox + vocabulary as one rdflib Graph (small: a few thousand triples). Cached; do not mutate."""
    g = Graph()
    for path in ontology_files(folder):
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib's parsers raise their own exception types
            raise DlkgError(f"{path}: not valid Turtle: {exc}") from exc
    return g


DLKG_ONTOLOGY = URIRef("https://w3id.org/dlkg/ontology")
VOCABULARY_ONTOLOGY = URIRef("https://w3id.org/dlkg/vocab")  # imports the ontology and every vocabulary module


def single_ontology() -> Graph:
    """TBox + vocabulary as ONE OWL ontology (the dlkg ontology's header, no imports of the vocabulary modules),
    for single-file exports that Protégé opens offline without a catalog."""
    source = ontology_graph()
    g = Graph()
    headers = set(source.subjects(RDF.type, OWL.Ontology)) - {DLKG_ONTOLOGY}
    for s, p, o in source:
        if s not in headers and p != OWL.imports:
            g.add((s, p, o))
    return g


def cq_concepts(g: Graph) -> dict[str, tuple[str, ...]]:
    """CQ id -> the concepts it asks about (its dlkg:concept values), in CQ number order: the ontology says it once."""
    out = {}
    for q in g.subjects(RDF.type, DLKG.CompetencyQuestion):
        concepts = sorted(str(c)[len(str(DLKG)):] for c in g.objects(q, DLKG.concept) if str(c).startswith(str(DLKG)))
        out[str(g.value(q, DCTERMS.identifier))] = tuple(concepts)
    if not out or not all(out.values()):
        raise DlkgError("the ontology names no competency questions, or a question without dlkg:concept")
    return dict(sorted(out.items(), key=lambda kv: int(re.sub(r"\D", "", kv[0]) or 0)))


def _concept_of_class(g: Graph, concepts: tuple[str, ...]) -> dict[URIRef, str]:
    out: dict[URIRef, str] = {}
    for concept in concepts:
        for cls in g.transitive_subjects(RDFS.subClassOf, DLKG[concept]):
            if isinstance(cls, URIRef):
                out.setdefault(cls, concept)
    return out


@lru_cache(maxsize=4)
def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    g = ontology_graph(folder)
    by_cq = cq_concepts(g)
    concepts = tuple(c for cs in by_cq.values() for c in cs)
    concept_of = _concept_of_class(g, concepts)
    terms: dict[URIRef, Term] = {}
    for s in set(g.subjects(SKOS.prefLabel, None)):
        if not isinstance(s, URIRef):
            continue
        of_term = [concept_of[c] for c in g.objects(s, RDF.type) if isinstance(c, URIRef) and c in concept_of]
        if not of_term:
            continue
        pref = str(g.value(s, SKOS.prefLabel))
        alts = sorted(str(o) for o in g.objects(s, SKOS.altLabel))
        cqs = frozenset(str(o) for o in g.objects(s, DLKG.askedInCQ))
        case = g.value(s, DLKG.caseSensitive) == Literal(True)
        terms[s] = Term(s, of_term[0], pref, (pref, *alts), cqs, case)
    questions, examples = {}, {}
    for q in g.subjects(RDF.type, DLKG.CompetencyQuestion):
        cq = str(g.value(q, DCTERMS.identifier))
        questions[cq] = str(g.value(q, DLKG.questionText) or "")
        examples[cq] = tuple(sorted(str(o) for o in g.objects(q, DLKG.exampleTerm)))
    broader = {s: tuple(b for b in g.objects(s, SKOS.broader) if isinstance(b, URIRef)) for s in terms}
    props: dict[str, URIRef] = {}
    for prop in g.transitive_subjects(RDFS.subPropertyOf, DLKG.hasComponent):
        rng = g.value(prop, RDFS.range)
        if isinstance(prop, URIRef) and str(rng).startswith(str(DLKG)) and str(rng)[len(str(DLKG)):] in concepts:
            props[str(rng)[len(str(DLKG)):]] = prop
    missing = set(concepts) - set(props)
    if missing:
        where = ontology_dir() if folder is None else folder
        raise DlkgError(f"{where}: the ontology lacks component properties for {sorted(missing)}")
    values: dict[URIRef, list[tuple[str, URIRef]]] = {}
    for value, hyper in g.subject_objects(DLKG.valueOf):
        if not (isinstance(value, URIRef) and isinstance(hyper, URIRef)):
            continue
        for label in [g.value(value, SKOS.prefLabel), *g.objects(value, SKOS.altLabel)]:
            values.setdefault(hyper, []).append((str(label), value))
    prefer_specific = frozenset(c for c in concepts if g.value(DLKG[c], DLKG.preferSpecific) == Literal(True))
    return Vocabulary(terms, questions, examples, props, values, broader, prefer_specific, by_cq)

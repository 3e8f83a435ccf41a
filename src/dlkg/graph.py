"""Facts -> RDF, following the graph pattern of DESIGN.md. One rdflib Graph per paper record."""
from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from .extract import Evidence, Fact, PaperFacts, Setting
from .namespaces import BIBO, DEFAULT_RESOURCE_BASE, DLKG, DLV, PROV
from .vocabulary import Vocabulary


def slug(text: str, max_len: int = 60) -> str:
    """A readable, always-valid IRI segment for any text; a short hash keeps distinct long or odd texts distinct."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("+", "plus")).strip("-")
    if not s or len(s) > max_len or re.search(r"[^A-Za-z0-9 ._+-]", text):
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        s = f"{s[:max_len].rstrip('-')}-{digest}" if s else digest
    return s


def paper_segment(paper_id: str) -> str:
    """Paper ids are kept as written where safe ("Publication_9"), percent-encoded otherwise."""
    return quote(paper_id, safe="_.-~")


def _concept_path(concept: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", concept).lower()


def value_literal(value: Decimal | int | str) -> Literal:
    if isinstance(value, bool):
        return Literal(str(value))
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, Decimal):
        return Literal(value, datatype=XSD.decimal)
    return Literal(value)


def clean_literal(text: str) -> Literal:
    """Text as a literal that every serialiser can write (no lone surrogates or NUL)."""
    return Literal(text.encode("utf-8", "replace").decode("utf-8").replace("\x00", ""))


class GraphBuilder:
    """Maps the facts of one paper record to triples; vocabulary entities are shared, the rest is paper-local."""

    def __init__(self, vocabulary: Vocabulary, base: str = DEFAULT_RESOURCE_BASE):
        self.vocabulary = vocabulary
        self.res = Namespace(base)

    def publication_iri(self, paper_id: str) -> URIRef:
        return self.res[f"paper/{paper_segment(paper_id)}"]

    def build(self, pf: PaperFacts) -> Graph:
        g = Graph()
        for prefix, ns in (("dlkg", DLKG), ("dlv", DLV), ("res", self.res), ("bibo", BIBO), ("prov", PROV),
                           ("dcterms", DCTERMS), ("skos", SKOS), ("owl", OWL)):
            g.bind(prefix, ns)
        paper = pf.paper
        pub = self.publication_iri(paper.id)
        pl = URIRef(f"{pub}/pipeline")
        g.add((pub, RDF.type, DLKG.Publication))
        g.add((pub, RDF.type, OWL.NamedIndividual))
        g.add((pub, DCTERMS.identifier, Literal(paper.id)))
        if paper.title:
            g.add((pub, DCTERMS.title, clean_literal(paper.title)))
        if paper.doi:
            g.add((pub, BIBO.doi, Literal(paper.doi.strip())))
        g.add((pub, DLKG.describesPipeline, pl))
        g.add((pl, RDF.type, DLKG.DeepLearningPipeline))
        g.add((pl, RDF.type, OWL.NamedIndividual))
        g.add((pl, RDFS.label, Literal(f"deep-learning pipeline of {paper.id}")))

        agent = self.res[f"agent/{slug(paper.source)}"]
        g.add((agent, RDF.type, DLKG.LanguageModel))
        g.add((agent, RDF.type, OWL.NamedIndividual))
        g.add((agent, RDFS.label, Literal(paper.source)))
        answer_iri: dict[str, URIRef] = {}
        for res in pf.answers:
            a = res.answer
            ans = URIRef(f"{pub}/answer/{slug(paper.source)}/{a.cq}")
            answer_iri[a.cq] = ans
            q = DLKG[a.cq]
            g.add((q, RDF.type, DLKG.CompetencyQuestion))
            g.add((q, DCTERMS.identifier, Literal(a.cq)))
            g.add((ans, RDF.type, DLKG.CQAnswer))
            g.add((ans, RDF.type, OWL.NamedIndividual))
            g.add((ans, DLKG.aboutPublication, pub))
            g.add((ans, DLKG.answersQuestion, q))
            g.add((ans, DLKG.status, DLKG.Reported if res.reported else DLKG.NotReported))
            g.add((ans, DLKG.answerText, clean_literal(a.text)))
            g.add((ans, PROV.wasAttributedTo, agent))

        for fact in pf.facts:
            node = self._component(g, pub, fact)
            g.add((pl, self.vocabulary.component_property[fact.concept], node))
            self._evidence(g, pl, node, fact.evidence, answer_iri, paper.source)
        for setting in pf.settings:
            node = self._setting(g, pub, setting)
            g.add((pl, DLKG.hasHyperparameterSetting, node))
            self._evidence(g, pl, node, [setting.evidence], answer_iri, paper.source)
        return g

    def _component(self, g: Graph, pub: URIRef, fact: Fact) -> URIRef:
        cls = DLKG[fact.concept]
        if fact.term is not None:
            node = fact.term.iri
            g.add((node, RDF.type, OWL.NamedIndividual))
            g.add((node, RDF.type, cls))
            g.add((node, SKOS.prefLabel, Literal(fact.term.pref_label, lang="en")))
            return node
        node = URIRef(f"{pub}/{_concept_path(fact.concept)}/{slug(fact.url or fact.label)}")
        g.add((node, RDF.type, OWL.NamedIndividual))
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, clean_literal(fact.label)))
        if fact.url:
            g.add((node, DLKG.url, Literal(fact.url, datatype=XSD.anyURI)))
        return node

    def _setting(self, g: Graph, pub: URIRef, s: Setting) -> URIRef:
        node = URIRef(f"{pub}/setting/{slug(s.name.pref_label)}/{slug(s.value_text)}")
        g.add((node, RDF.type, DLKG.HyperparameterSetting))
        g.add((node, RDF.type, OWL.NamedIndividual))
        g.add((node, DLKG.hyperparameter, s.name.iri))
        g.add((s.name.iri, RDF.type, DLKG.Hyperparameter))
        g.add((s.name.iri, RDF.type, OWL.NamedIndividual))
        g.add((s.name.iri, SKOS.prefLabel, Literal(s.name.pref_label, lang="en")))
        g.add((node, DLKG.value, value_literal(s.value)))
        g.add((node, RDFS.label, clean_literal(f"{s.name.pref_label} = {s.value_text}")))
        if s.unit:
            g.add((node, DLKG.unit, Literal(s.unit)))
        return node

    def _evidence(self, g: Graph, pl: URIRef, node: URIRef, evidence: list[Evidence],
                  answer_iri: dict[str, URIRef], source: str) -> None:
        for ev in evidence:
            node_key = hashlib.sha1(str(node).encode("utf-8")).hexdigest()[:8]
            e = URIRef(f"{pl}/evidence/{slug(source)}/{ev.cq}/{ev.start}-{ev.end}-{node_key}")
            g.add((e, RDF.type, DLKG.Evidence))
            g.add((e, RDF.type, OWL.NamedIndividual))
            g.add((e, DLKG.supports, node))
            g.add((e, DLKG.inPipeline, pl))
            g.add((e, DLKG.fromAnswer, answer_iri[ev.cq]))
            g.add((e, DLKG.startChar, Literal(ev.start, datatype=XSD.integer)))
            g.add((e, DLKG.endChar, Literal(ev.end, datatype=XSD.integer)))
            g.add((e, DLKG.quote, clean_literal(ev.quote)))

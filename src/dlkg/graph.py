"""Facts -> RDF, following the graph pattern of DESIGN.md. One rdflib Graph per paper record."""
from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from urllib.parse import quote

from rdflib import Literal, Namespace, Node, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from .extract import Evidence, Fact, PaperFacts, Setting
from .namespaces import BIBO, DEFAULT_RESOURCE_BASE, DLKG, PROV
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


def _canonical_decimal(x: float) -> str:
    """xsd:decimal's canonical form at four places ("0.884", "1.0"): Turtle writers print a decimal's lexical form as
    it is, so "0.8840" in one output and "0.884" in another would be two different literals."""
    text = f"{x:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


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

    def triples(self, pf: PaperFacts) -> list[tuple[URIRef, URIRef, Node]]:
        """The paper's triples (some twice); a plain list, since filling a Graph costs more than building them."""
        out: list = []
        paper = pf.paper
        pub = self.publication_iri(paper.id)
        pl = URIRef(f"{pub}/pipeline")
        out.append((pub, RDF.type, DLKG.Publication))
        out.append((pub, RDF.type, OWL.NamedIndividual))
        out.append((pub, DCTERMS.identifier, Literal(paper.id)))
        if paper.title:
            out.append((pub, DCTERMS.title, clean_literal(paper.title)))
        if paper.doi:
            out.append((pub, BIBO.doi, Literal(paper.doi.strip())))
        out.append((pub, DLKG.describesPipeline, pl))
        out.append((pl, RDF.type, DLKG.DeepLearningPipeline))
        out.append((pl, RDF.type, OWL.NamedIndividual))
        out.append((pl, RDFS.label, Literal(f"deep-learning pipeline of {paper.id}")))

        agent = self.res[f"agent/{slug(paper.source)}"]
        out.append((agent, RDF.type, DLKG.LanguageModel))
        out.append((agent, RDF.type, OWL.NamedIndividual))
        out.append((agent, RDFS.label, Literal(paper.source)))
        answer_iri: dict[str, URIRef] = {}
        for res in pf.answers:
            a = res.answer
            ans = URIRef(f"{pub}/answer/{slug(paper.source)}/{a.cq}")
            answer_iri[a.cq] = ans
            q = DLKG[a.cq]
            out.append((q, RDF.type, DLKG.CompetencyQuestion))
            out.append((q, DCTERMS.identifier, Literal(a.cq)))
            out.append((ans, RDF.type, DLKG.CQAnswer))
            out.append((ans, RDF.type, OWL.NamedIndividual))
            out.append((ans, DLKG.aboutPublication, pub))
            out.append((ans, DLKG.answersQuestion, q))
            out.append((ans, DLKG.status, DLKG.Reported if res.reported else DLKG.NotReported))
            out.append((ans, DLKG.answerText, clean_literal(a.text)))
            out.append((ans, PROV.wasAttributedTo, agent))

        for fact in pf.facts:
            node = self._component(out, pub, fact)
            out.append((pl, self.vocabulary.component_property[fact.concept], node))
            self._evidence(out, pl, node, fact.evidence, answer_iri, paper.source, fact.confidence)
        for setting in pf.settings:
            node = self._setting(out, pub, setting)
            out.append((pl, DLKG.hasHyperparameterSetting, node))
            self._evidence(out, pl, node, [setting.evidence], answer_iri, paper.source, setting.confidence)
        return out

    def _component(self, out: list, pub: URIRef, fact: Fact) -> URIRef:
        cls = DLKG[fact.concept]
        if fact.term is not None:
            node = fact.term.iri
            out.append((node, RDF.type, OWL.NamedIndividual))
            out.append((node, RDF.type, cls))
            out.append((node, SKOS.prefLabel, Literal(fact.term.pref_label, lang="en")))
            return node
        node = URIRef(f"{pub}/{_concept_path(fact.concept)}/{slug(fact.url or fact.label)}")
        out.append((node, RDF.type, OWL.NamedIndividual))
        out.append((node, RDF.type, cls))
        out.append((node, RDFS.label, clean_literal(fact.label)))
        if fact.url:
            out.append((node, DLKG.url, Literal(fact.url, datatype=XSD.anyURI)))
        return node

    def _setting(self, out: list, pub: URIRef, s: Setting) -> URIRef:
        node = URIRef(f"{pub}/setting/{slug(s.name.pref_label)}/{slug(s.value_text)}")
        out.append((node, RDF.type, DLKG.HyperparameterSetting))
        out.append((node, RDF.type, OWL.NamedIndividual))
        if str(s.name.iri):  # a vocabulary entry
            name = s.name.iri
            out.append((name, SKOS.prefLabel, Literal(s.name.pref_label, lang="en")))
        else:  # a name the vocabulary lacks: the paper's own
            name = URIRef(f"{pub}/hyperparameter/{slug(s.name.pref_label)}")
            out.append((name, RDFS.label, clean_literal(s.name.pref_label)))
        out.append((node, DLKG.hyperparameter, name))
        out.append((name, RDF.type, DLKG.Hyperparameter))
        out.append((name, RDF.type, OWL.NamedIndividual))
        out.append((node, DLKG.value, value_literal(s.value)))
        out.append((node, RDFS.label, clean_literal(f"{s.name.pref_label} = {s.value_text}")))
        if s.unit:
            out.append((node, DLKG.unit, Literal(s.unit)))
        return node

    def _evidence(self, out: list, pl: URIRef, node: URIRef, evidence: list[Evidence],
                  answer_iri: dict[str, URIRef], source: str, confidence: float | None) -> None:
        """Each evidence span of a fact; with the learned decision's confidence in the fact, for filtering."""
        for ev in evidence:
            node_key = hashlib.sha1(str(node).encode("utf-8")).hexdigest()[:8]
            e = URIRef(f"{pl}/evidence/{slug(source)}/{ev.cq}/{ev.start}-{ev.end}-{node_key}")
            out.append((e, RDF.type, DLKG.Evidence))
            out.append((e, RDF.type, OWL.NamedIndividual))
            out.append((e, DLKG.supports, node))
            out.append((e, DLKG.inPipeline, pl))
            out.append((e, DLKG.fromAnswer, answer_iri[ev.cq]))
            out.append((e, DLKG.startChar, Literal(ev.start, datatype=XSD.integer)))
            out.append((e, DLKG.endChar, Literal(ev.end, datatype=XSD.integer)))
            out.append((e, DLKG.quote, clean_literal(ev.quote)))
            if confidence is not None:
                out.append((e, DLKG.confidence, Literal(_canonical_decimal(confidence), datatype=XSD.decimal)))

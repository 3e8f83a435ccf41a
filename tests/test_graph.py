from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from dlkg.build import build
from dlkg.graph import slug
from dlkg.namespaces import DLKG

from conftest import DATA


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        raise AssertionError(f"missing:\n{missing.serialize(format='nt')}\nextra:\n{extra.serialize(format='nt')}")


def test_small_input_maps_to_the_golden_graph():
    """The mapping contract, on what the rules keep (the learned decision keeps the same facts here, see below)."""
    assert_isomorphic(Graph().parse(DATA / "small-expected.ttl"), build([DATA / "small.jsonl"], model=False).graph())


def test_the_learned_decision_keeps_the_plain_facts_of_the_small_input_and_says_how_sure_it_is():
    actual = build([DATA / "small.jsonl"]).graph()
    confidences = {(e, c) for e, c in actual.subject_objects(DLKG.confidence)}
    assert {e for e, _ in confidences} == set(actual.subjects(RDF.type, DLKG.Evidence))
    assert all(Literal(0) < c <= Literal(1) for _, c in confidences)
    for triple in list(actual.triples((None, DLKG.confidence, None))):
        actual.remove(triple)
    assert_isomorphic(Graph().parse(DATA / "small-expected.ttl"), actual)


def test_graph_pattern_of_the_design_contract():
    g = build([DATA / "small.jsonl"]).graph()
    pub = next(g.subjects(DCTERMS.identifier, Literal("Paper_A")))
    assert (pub, RDF.type, DLKG.Publication) in g
    assert list(g.objects(pub, DCTERMS.identifier)) == [Literal("Paper_A")]
    (pl,) = g.objects(pub, DLKG.describesPipeline)
    values = {g.value(s, DLKG.value) for s in g.objects(pl, DLKG.hasHyperparameterSetting)}
    assert Literal("0.001", datatype=XSD.decimal) in values and Literal(16) in values
    statuses = {str(g.value(a, DLKG.answersQuestion)).rsplit("#")[-1]: g.value(a, DLKG.status)
                for a in g.subjects(DLKG.aboutPublication, pub)}
    assert statuses == {"CQ12": DLKG.Reported, "CQ13": DLKG.Reported, "CQ20": DLKG.Reported, "CQ24": DLKG.NotReported}


def test_slug_is_readable_and_always_a_valid_iri_segment():
    assert slug("learning rate") == "learning-rate"
    odd = slug('x" } <a> # %20 ( ) ' + "é" * 600)
    assert len(odd) <= 70 and URIRef("https://example.org/" + odd).n3().startswith("<https://example.org/")
    assert slug("a<b") != slug("a>b")

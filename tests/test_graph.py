from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from dlkg.build import build
from dlkg.graph import slug
from dlkg.namespaces import DLKG

from conftest import DATA


def test_small_input_maps_to_the_golden_graph():
    actual = build([DATA / "small.jsonl"]).graph()
    expected = Graph().parse(DATA / "small-expected.ttl")
    if not isomorphic(expected, actual):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        raise AssertionError(f"missing:\n{missing.serialize(format='nt')}\nextra:\n{extra.serialize(format='nt')}")


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

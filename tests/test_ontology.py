
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from dlkg.namespaces import DLKG
from dlkg.validate import validate
from dlkg.vocabulary import load_vocabulary, ontology_graph, single_ontology

CORE = ["Publication", "DeepLearningPipeline", "CQAnswer", "CompetencyQuestion", "HyperparameterSetting"]


@pytest.fixture(scope="module")
def onto():
    return ontology_graph()


def test_header_has_version_licence_and_creators(onto):
    header = URIRef("https://w3id.org/dlkg/ontology")
    assert (header, RDF.type, OWL.Ontology) in onto
    for p in (OWL.versionIRI, URIRef("http://purl.org/dc/terms/license"), URIRef("http://purl.org/dc/terms/creator")):
        assert onto.value(header, p) is not None, p


def test_every_concept_and_core_class_is_defined(onto):
    for name in list(load_vocabulary().concepts) + CORE:
        cls = DLKG[name]
        assert (cls, RDF.type, OWL.Class) in onto, name
        assert onto.value(cls, RDFS.label) and onto.value(cls, SKOS.definition), name


def test_component_properties_have_domain_range_and_parent(onto):
    vocab = load_vocabulary()
    assert set(vocab.component_property) == set(vocab.concepts)
    for concept, prop in vocab.component_property.items():
        assert (prop, RDFS.subPropertyOf, DLKG.hasComponent) in onto
        assert onto.value(prop, RDFS.domain) == DLKG.DeepLearningPipeline
        assert onto.value(prop, RDFS.range) == DLKG[concept]
        assert onto.value(prop, RDFS.label) and onto.value(prop, SKOS.definition)


def test_all_28_questions_are_individuals(onto):
    vocab = load_vocabulary()
    assert sorted(vocab.questions, key=lambda q: int(q[2:])) == [f"CQ{i}" for i in range(1, 29)]
    assert all(text.endswith("?") for text in vocab.questions.values())


def test_vocabulary_is_large_typed_and_its_taxonomy_closed(onto):
    vocab = load_vocabulary()
    assert len(vocab.terms) >= 400
    for term in vocab.terms.values():
        assert (term.iri, RDF.type, OWL.NamedIndividual) in onto
        for parent in vocab.broader[term.iri]:
            assert parent in vocab.terms, (term.iri, parent)
    ancestors = vocab.ancestors(URIRef("https://w3id.org/dlkg/vocab/resnet-50"))
    assert URIRef("https://w3id.org/dlkg/vocab/convolutional-neural-network") in ancestors
    assert URIRef("https://w3id.org/dlkg/vocab/gpu") in vocab.ancestors(URIRef("https://w3id.org/dlkg/vocab/nvidia-geforce-rtx-2080"))


def test_vocabulary_conforms_to_the_shapes(onto):
    report = validate(Graph() + onto)
    assert report.conforms, report.text()


def test_no_undeclared_dlkg_terms(onto):
    declared = set(onto.subjects(RDF.type, None))
    used = {t for triple in onto for t in triple if isinstance(t, URIRef) and str(t).startswith(str(DLKG))}
    assert used <= declared, sorted(used - declared)[:5]


def test_hermit_finds_the_ontology_and_a_kg_consistent_and_infers_types(tmp_path, seeds_graph):
    owlready2 = pytest.importorskip("owlready2")
    import shutil
    if not shutil.which("java"):
        pytest.skip("HermiT needs Java")
    g = Graph() + onto_and(seeds_graph)
    probe = URIRef("https://example.org/probe-model")
    pipeline = next(g.subjects(RDF.type, DLKG.DeepLearningPipeline))
    g.add((pipeline, DLKG.usesModel, probe))  # typed by nothing but the property's range
    g.add((probe, RDF.type, OWL.NamedIndividual))
    path = tmp_path / "all.owl"
    g.serialize(path, format="xml")
    world = owlready2.World()
    onto_ = world.get_ontology(path.as_uri()).load()
    with onto_:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    model_cls = world[str(DLKG.DeepLearningModel)]
    assert model_cls in world[str(probe)].is_a or model_cls in world[str(probe)].INDIRECT_is_a


def onto_and(kg):
    """The self-contained form `dlkg build --with-ontology` writes (no imports to fetch)."""
    return single_ontology() + kg

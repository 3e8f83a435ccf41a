"""Virtuoso as the remote store, for real: Debian's server started here on 127.0.0.1 (installed by .ci/run)."""
import shutil

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from dlkg.cli import main
from dlkg.query import list_queries, run_query
from dlkg.store import EndpointStore
from dlkg.vocabulary import ontology_graph

from test_queries import _comparable, params_for
from test_store import free_port
from virtuoso import running_virtuoso

pytestmark = pytest.mark.skipif(shutil.which("virtuoso-t") is None,
                                reason="Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
OURS = "FILTER (STRSTARTS(STR(?g), 'https://w3id.org/dlkg/'))"  # Virtuoso keeps its own system graphs beside ours
OUR_TRIPLES = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}"
OUR_GRAPHS = f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}"
PUB9 = URIRef("https://w3id.org/dlkg/resource/paper/Publication_9")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A fresh Virtuoso database; yields its SPARQL endpoint and its Graph Store Protocol endpoint."""
    http, sql = free_port(), free_port()
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), http, sql):
        yield f"http://127.0.0.1:{http}/sparql", f"http://127.0.0.1:{http}/sparql-graph-crud"


@pytest.fixture(scope="module")
def bulk_virtuoso(tmp_path_factory):
    """A second database, for the bulk loader: yields its SPARQL endpoint, SQL address and data folder (which the
    server may read files from)."""
    http, sql = free_port(), free_port()
    folder = tmp_path_factory.mktemp("virtuoso-bulk")
    with running_virtuoso(folder, http, sql):
        yield f"http://127.0.0.1:{http}/sparql", f"127.0.0.1:{sql}", folder


@pytest.fixture(scope="module")
def seeds_kg(tmp_path_factory):
    kg = tmp_path_factory.mktemp("kg") / "kg.ttl"
    assert CliRunner().invoke(main, ["build", "-o", str(kg), "-q"]).exit_code == 0
    return kg


@pytest.fixture(scope="module")
def loaded(virtuoso, seeds_kg):
    endpoint, gsp = virtuoso
    r = CliRunner().invoke(main, ["load", str(seeds_kg), "--endpoint", endpoint, "--gsp", gsp])
    assert r.exit_code == 0, r.output
    return endpoint, gsp


def count(endpoint: str, query: str) -> int:
    return int(EndpointStore(endpoint).select(query, {}).rows[0][0])


def test_load_is_one_graph_per_paper_reloads_idempotently_and_replaces_one_paper(loaded, seeds_kg):
    endpoint, gsp = loaded
    kg = Graph().parse(seeds_kg)
    papers = len(set(kg.subjects(None, URIRef("https://w3id.org/dlkg/ontology#Publication"))))
    triples = count(endpoint, OUR_TRIPLES)
    assert count(endpoint, OUR_GRAPHS) == papers + 2  # the papers, what they share, the ontology
    assert triples == len(kg + ontology_graph())  # each triple in one graph only
    assert CliRunner().invoke(main, ["load", str(seeds_kg), "--endpoint", endpoint, "--gsp", gsp]).exit_code == 0
    assert count(endpoint, OUR_TRIPLES) == triples

    store = EndpointStore(endpoint, gsp=gsp)
    own = count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PUB9}> {{ ?s ?p ?o }} }}")
    replacement = Graph()
    replacement.add((PUB9, URIRef("http://purl.org/dc/terms/title"), URIRef("urn:x-test:replaced")))
    store.replace_graph(PUB9, replacement)
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PUB9}> {{ ?s ?p ?o }} }}") == 1
    assert count(endpoint, OUR_TRIPLES) == triples - own + 1
    assert CliRunner().invoke(main, ["load", str(seeds_kg), "--endpoint", endpoint, "--gsp", gsp]).exit_code == 0
    assert count(endpoint, OUR_TRIPLES) == triples


def test_small_graphs_load_through_sparql_update_too(virtuoso):
    """Without --gsp, graphs go in as SPARQL updates; blank nodes need the INSERT template Virtuoso accepts."""
    endpoint, _ = virtuoso
    g = Graph().parse(data="<urn:x-test:s> <urn:x-test:p> [ <urn:x-test:q> 1 ] .", format="turtle")
    iri = URIRef("https://w3id.org/dlkg/graph/test-update")
    EndpointStore(endpoint).replace_graph(iri, g)
    EndpointStore(endpoint).replace_graph(iri, g)  # replaced, not added to
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}") == 2
    EndpointStore(endpoint).replace_graph(iri, Graph())


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_saved_query_gives_rdflibs_rows_on_virtuoso(query, loaded, seeds_kg):
    endpoint, _ = loaded
    params = params_for(query)
    in_rdflib = run_query(query, Graph().parse(seeds_kg) + ontology_graph(), params)
    in_virtuoso = run_query(query, EndpointStore(endpoint), params)
    assert in_rdflib.variables == in_virtuoso.variables
    assert _comparable(in_rdflib.rows) == _comparable(in_virtuoso.rows)


def test_the_bulk_loader_gives_the_same_graphs_and_reloads_idempotently(bulk_virtuoso, seeds_kg):
    endpoint, sql, folder = bulk_virtuoso
    nq = folder / "kg.nq"
    assert CliRunner().invoke(main, ["build", "-o", str(nq), "-q"]).exit_code == 0
    r = CliRunner().invoke(main, ["load", str(nq), "--virtuoso-bulk", sql])
    assert r.exit_code == 0, r.output
    kg = Graph().parse(seeds_kg)
    papers = len(set(kg.subjects(None, URIRef("https://w3id.org/dlkg/ontology#Publication"))))
    assert count(endpoint, OUR_GRAPHS) == papers + 2
    triples = count(endpoint, OUR_TRIPLES)
    assert triples == len(kg + ontology_graph())  # the CQs the shared graph repeats from the ontology are dropped
    assert CliRunner().invoke(main, ["load", str(nq), "--virtuoso-bulk", sql]).exit_code == 0
    assert count(endpoint, OUR_TRIPLES) == triples
    rows = run_query("concept-reporting-rates", EndpointStore(endpoint), {})
    assert _comparable(rows.rows) == _comparable(run_query("concept-reporting-rates", kg + ontology_graph(), {}).rows)


def test_the_bulk_loader_takes_n_quads_only_and_names_the_file(bulk_virtuoso, seeds_kg):
    _, sql, _ = bulk_virtuoso
    r = CliRunner().invoke(main, ["load", str(seeds_kg), "--virtuoso-bulk", sql])
    assert r.exit_code == 1 and str(seeds_kg) in r.output and "N-Quads" in r.output

import pytest
from rdflib.plugins.sparql import prepareQuery

from dlkg.errors import QueryError
from dlkg.query import list_queries, run_query
from dlkg.store import MemoryStore
from dlkg.vocabulary import ontology_graph

from conftest import disk_store_of


@pytest.fixture(scope="module")
def kg(seeds_graph):
    return seeds_graph + ontology_graph()


def test_every_saved_query_parses_and_documents_itself():
    queries = list_queries()
    assert len(queries) >= 12
    for q in queries:
        prepareQuery(q.text)
        assert q.title != q.name and q.description, q.name
        for p in q.params:
            assert f"?{p.name}" in q.text and p.description


@pytest.fixture(scope="module")
def oxigraph_store(tmp_path_factory, seeds_graph):
    store = disk_store_of(seeds_graph, tmp_path_factory.mktemp("queries") / "store")
    yield store
    store.close()


@pytest.fixture(scope="module")
def memory_store(tmp_path_factory, seeds_result):
    """The seeds as a user reads them: a Turtle file in an in-memory Oxigraph store (`dlkg query NAME kg.ttl`)."""
    from dlkg.build import write

    path = tmp_path_factory.mktemp("memory") / "kg.ttl"
    write(seeds_result, path)
    return MemoryStore([path])


#: Parameter values that find something in the seeds ("CNN" for names: a broad family, so broader matches count).
TEST_VALUES = {"paper": "Publication_9", "min_confidence": "0.5"}


def params_for(query) -> dict[str, str]:
    return {p.name: TEST_VALUES.get(p.name, "CNN") for p in query.params}


def _comparable(rows):
    """Rows with GROUP_CONCAT lists sorted (their order is unspecified) and numbers compared as numbers."""
    def cell(v):
        if v is None:
            return ""
        try:
            return str(round(float(v), 6))
        except ValueError:
            return "; ".join(sorted(v.split("; ")))
    return sorted(tuple(cell(v) for v in row) for row in rows)


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_saved_query_gives_the_same_rows_in_rdflib_and_oxigraph(query, kg, oxigraph_store, memory_store):
    """rdflib's engine, Oxigraph on disk (a graph per paper, queried as their union) and Oxigraph in memory (the
    KG file `dlkg query` reads): the same rows."""
    params = params_for(query)
    in_rdflib = run_query(query, kg, params)
    for store in (oxigraph_store, memory_store):
        in_oxigraph = run_query(query, store, params)
        assert in_rdflib.variables == in_oxigraph.variables
        assert _comparable(in_rdflib.rows) == _comparable(in_oxigraph.rows)
    if any(p.name in TEST_VALUES for p in query.params):
        assert in_rdflib.rows, f"{query.name}: the test's parameters find nothing in the seeds"


def test_headline_query_finds_sashimi_by_name_and_by_broader_model(kg):
    rows = run_query("papers-using-model-on-gpu", kg, {"model": "Mask R-CNN"}).as_dicts()
    assert [r["identifier"] for r in rows] == ["Publication_9"]
    assert rows[0]["title"].startswith("Sashimi")
    by_synonym = run_query("papers-using-model-on-gpu", kg, {"model": "mask rcnn"}).as_dicts()
    assert [r["identifier"] for r in by_synonym] == ["Publication_9"]
    broader = {r["identifier"] for r in run_query("papers-using-model-on-gpu", kg, {"model": "CNN"}).as_dicts()}
    assert "Publication_9" in broader and len(broader) > 1


def test_parameters_cannot_change_the_query(kg):
    rows = run_query("papers-using-model-on-gpu", kg, {"model": 'x" } ; DROP ALL ; #'}).rows
    assert rows == []
    assert run_query("papers-using-model-on-gpu", kg, {"model": "Mask R-CNN"}).rows


def test_unknown_and_missing_parameters_are_user_errors(kg):
    with pytest.raises(QueryError, match="needs --param model"):
        run_query("papers-using-model-on-gpu", kg, {})
    with pytest.raises(QueryError, match="no parameter"):
        run_query("papers-using-model-on-gpu", kg, {"model": "x", "gpu": "y"})
    with pytest.raises(QueryError, match="no saved query"):
        run_query("no-such-query", kg)


def test_reporting_rates_count_every_answer(kg, seeds_result):
    rows = run_query("concept-reporting-rates", kg).as_dicts()
    assert sum(int(r["answers"]) for r in rows) == seeds_result.answers
    assert sum(int(r["reported"]) for r in rows) == seeds_result.reported


@pytest.mark.parametrize("query", [q for q in list_queries() if q.name != "broader-names"], ids=lambda q: q.name)
def test_a_kg_without_papers_gives_no_rows_but_zero_counts(query):
    """rdflib gives an aggregate over nothing one group of nothing; a query joining on it must not list junk.
    (broader-names is about the vocabulary, which a KG without papers still has.)"""
    rows = run_query(query, ontology_graph(), {p.name: "CNN" for p in query.params}).rows
    assert rows == ([["0", "0", "0", "0"]] if query.name == "kg-summary" else [])


def test_a_misspelt_query_name_gets_the_closest_names():
    with pytest.raises(QueryError, match="did you mean papers-using-model-on-gpu"):
        run_query("papers-using-modle-on-gpu", ontology_graph(), {})
    with pytest.raises(QueryError, match="`dlkg queries` lists them"):
        run_query("zzz", ontology_graph(), {})

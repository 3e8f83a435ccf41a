from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF

from dlkg.namespaces import DLKG
from dlkg.layout import SHARED_GRAPH, split_by_paper
from dlkg.validate import validate, validate_in_batches, validate_store

from conftest import disk_store_of


def test_seed_kg_conforms(seeds_graph):
    report = validate(seeds_graph)
    assert report.conforms, report.text()


def planted(seeds_graph):
    """The seeds KG with three violations in two papers."""
    g = seeds_graph.__class__()
    g += seeds_graph
    answer = next(a for a in g.subjects(RDF.type, DLKG.CQAnswer)
                  if str(a).endswith("/Publication_9/answer/mixtral-8-22b/CQ20"))
    g.remove((answer, DLKG.status, None))
    g.add((answer, DLKG.status, DLKG.Maybe))
    setting = next(s for s in g.subjects(RDF.type, DLKG.HyperparameterSetting) if "/Publication_9/" in str(s))
    g.add((setting, DLKG.value, Literal("second value")))
    pub = next(p for p in g.subjects(RDF.type, DLKG.Publication) if not str(p).endswith("/Publication_9"))
    g.remove((pub, DCTERMS.identifier, None))
    return g


def test_planted_violations_are_reported_with_paper_and_cq(seeds_graph):
    report = validate(planted(seeds_graph))
    assert not report.conforms
    status = [v for v in report.violations if v.path == "dlkg:status"]
    assert status and status[0].paper == "Publication_9" and status[0].cq == "CQ20"
    assert any(v.path == "dlkg:value" and v.paper for v in report.violations)
    assert "paper Publication_9 CQ20" in report.text()


def test_validating_paper_by_paper_equals_validating_the_whole(seeds_graph):
    g = planted(seeds_graph)
    whole = validate(g)
    parts = dict(split_by_paper(g))
    shared = parts.pop(SHARED_GRAPH)
    batched = validate_in_batches((part + shared for part in parts.values()), batch_size=3)
    assert not batched.conforms and len(whole.violations) == 3
    assert [str(v) for v in batched.violations] == [str(v) for v in whole.violations]


def test_validating_a_store_in_parallel_equals_validating_the_whole(seeds_graph, tmp_path):
    g = planted(seeds_graph)
    store = disk_store_of(g, tmp_path / "store")
    store.close()
    del store  # release the write lock: the validating processes open it read-only
    whole = validate(g)
    for jobs in (1, 2):
        stored = validate_store(tmp_path / "store", batch_size=2, jobs=jobs)
        assert [str(v) for v in stored.violations] == [str(v) for v in whole.violations]

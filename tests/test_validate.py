from rdflib import Literal
from rdflib.namespace import RDF

from dlkg.namespaces import DLKG
from dlkg.validate import validate


def test_seed_kg_conforms(seeds_graph):
    report = validate(seeds_graph)
    assert report.conforms, report.text()


def test_planted_violations_are_reported_with_paper_and_cq(seeds_graph):
    g = seeds_graph.__class__()
    g += seeds_graph
    answer = next(a for a in g.subjects(RDF.type, DLKG.CQAnswer)
                  if str(a).endswith("/Publication_9/answer/mixtral-8-22b/CQ20"))
    g.remove((answer, DLKG.status, None))
    g.add((answer, DLKG.status, DLKG.Maybe))
    setting = next(g.subjects(RDF.type, DLKG.HyperparameterSetting))
    g.add((setting, DLKG.value, Literal("second value")))
    report = validate(g)
    assert not report.conforms
    status = [v for v in report.violations if v.path == "dlkg:status"]
    assert status and status[0].paper == "Publication_9" and status[0].cq == "CQ20"
    assert any(v.path == "dlkg:value" and v.paper for v in report.violations)
    assert "paper Publication_9 CQ20" in report.text()

"""Turtle and TriG that people publish and diff: prefixed, grouped by paper, deterministic, streamed."""
import re

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from dlkg.build import build, build_to, write
from dlkg.layout import SHARED_GRAPH
from dlkg.namespaces import DLKG, PREFIXES

from conftest import DATA


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The shipped seeds (ten papers, one of them answered by three LLMs) built into each format."""
    d = tmp_path_factory.mktemp("turtle")
    scratch_seen: list[str] = []

    def no_scratch_store(_paper):  # called while the build writes: Turtle needs no whole-file store beside it
        scratch_seen.extend(p.name for p in d.iterdir() if p.name.endswith(".store"))

    build_to(out=d / "kg.nt")
    build_to(out=d / "kg.nq")
    build_to(out=d / "kg.ttl", on_paper=no_scratch_store)
    build_to(out=d / "kg.trig", on_paper=no_scratch_store)
    build_to(out=d / "again.ttl", jobs=2)
    return d, scratch_seen


def test_turtle_reparses_to_the_ntriples_build(builds):
    d, _ = builds
    assert isomorphic(Graph().parse(d / "kg.ttl"), Graph().parse(d / "kg.nt"))


def test_two_builds_write_the_same_bytes_whatever_the_processes(builds):
    d, _ = builds
    assert (d / "kg.ttl").read_bytes() == (d / "again.ttl").read_bytes()


def test_every_namespace_has_a_prefix_and_resources_are_relative_to_the_base(builds):
    d, _ = builds
    text = (d / "kg.ttl").read_text()
    directives, body = text.split("\n\n", 1)
    assert directives.splitlines()[0] == "@base <https://w3id.org/dlkg/resource/> ."
    for prefix, ns in PREFIXES.items():
        assert f"@prefix {prefix}: <{ns}> ." in directives
    ours = tuple(str(ns) for ns in PREFIXES.values()) + ("https://w3id.org/dlkg/",)
    absolute = [iri for iri in re.findall(r"<(https?://[^>]*)>", body) if iri.startswith(ours)]
    assert absolute == [], absolute[:5]  # written with a prefix or relative to the base (outside links stay whole)
    assert "<paper/Publication_9>" in body and "owl:NamedIndividual" in body


def test_each_paper_is_one_block_led_by_its_name_publication_first_answers_in_cq_order(builds):
    d, _ = builds
    text = (d / "kg.ttl").read_text()
    blocks = [b for b in text.split("\n\n# ")[1:]]
    papers = [b for b in blocks if b.startswith("Publication_")]
    graph = Graph().parse(d / "kg.nt")
    ids = sorted(str(i) for i in graph.objects(None, DCTERMS.identifier) if str(i).startswith("Publication_"))
    assert sorted(b.split(":")[0] for b in papers) == ids  # one block per paper, though one has three LLMs' records
    for block in papers:
        paper = block.split(":")[0]
        heading, first_subject = block.splitlines()[:2]
        assert first_subject.startswith(f"<paper/{paper}> a "), (heading, first_subject)
        subjects = [line.split(" ")[0] for line in block.splitlines()[1:] if line.startswith("<")]
        assert subjects[1] == f"<paper/{paper}/pipeline>"
        answers = [s for s in subjects if "/answer/" in s]
        evidence = [i for i, s in enumerate(subjects) if "/evidence/" in s]
        assert answers and all(i > subjects.index(answers[-1]) for i in evidence)  # evidence comes last
        for llm in {a.split("/")[3] for a in answers}:
            cqs = [int(a.rsplit("/CQ", 1)[1].rstrip(">")) for a in answers if a.split("/")[3] == llm]
            assert cqs == sorted(cqs)  # CQ2 before CQ12
    pub9 = next(b for b in papers if b.startswith("Publication_9:"))
    assert pub9.splitlines()[0] == ("Publication_9: Sashimi: A toolkit for facilitating high-throughput organismal "
                                    "image segmentation using deep learning (doi 10.1111/2041-210X.13712)")
    assert blocks[-1].startswith("shared by the papers") and "dlkg:CQ12" in blocks[-1]


def test_turtle_and_trig_are_written_without_a_whole_file_store(builds):
    _, scratch_seen = builds
    assert scratch_seen == []


def test_trig_keeps_one_named_graph_per_paper_as_the_nquads_build(builds):
    d, _ = builds
    trig, nq = Dataset().parse(d / "kg.trig", format="trig"), Dataset().parse(d / "kg.nq", format="nquads")
    graphs = {g.identifier: g for g in trig.graphs() if len(g)}
    expected = {g.identifier: g for g in nq.graphs() if len(g)}
    assert graphs.keys() == expected.keys() and SHARED_GRAPH in graphs
    assert all(isomorphic(graphs[k], expected[k]) for k in expected)
    pub = URIRef("https://w3id.org/dlkg/resource/paper/Publication_9")
    assert (pub, RDF.type, DLKG.Publication) in graphs[pub]


def test_an_in_memory_build_writes_the_same_turtle(tmp_path):
    write(build([DATA / "small.jsonl"]), tmp_path / "memory.ttl")
    build_to([DATA / "small.jsonl"], out=tmp_path / "streamed.ttl")
    assert (tmp_path / "memory.ttl").read_bytes() == (tmp_path / "streamed.ttl").read_bytes()

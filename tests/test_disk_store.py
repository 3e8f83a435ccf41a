"""The embedded on-disk store (pyoxigraph): build, query, validate and stats without re-parsing files."""
import json

import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.compare import isomorphic

from dlkg.layout import ONTOLOGY_GRAPH, SHARED_GRAPH
from dlkg.rdfio import read_kg
from dlkg.cli import main
from dlkg.errors import StoreError
from dlkg.query import run_query
from dlkg.store import DiskStore
from dlkg.vocabulary import ontology_graph

ALL_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seeds built twice: into a store directory and into a TriG file."""
    tmp = tmp_path_factory.mktemp("disk")
    runner = CliRunner()
    r = runner.invoke(main, ["build", "--store", str(tmp / "store"), "-q"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(main, ["build", "-o", str(tmp / "kg.trig"), "-q"]).exit_code == 0
    return tmp / "store", tmp / "kg.trig"


def test_store_holds_the_same_graphs_as_the_file(built):
    store_dir, trig = built
    store = DiskStore(store_dir, read_only=True)
    expected = Dataset()
    expected.parse(trig, format="trig")
    names = {g.identifier for g in expected.graphs() if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID}
    assert set(store.graph_names()) == names | {ONTOLOGY_GRAPH}
    for iri in names - {SHARED_GRAPH}:
        assert isomorphic(store.named_graph(iri), expected.graph(iri)), iri
    # the store holds the ontology graph too, so shared triples it already states are not repeated
    assert set(store.named_graph(SHARED_GRAPH)) == set(expected.graph(SHARED_GRAPH)) - set(ontology_graph())


def test_building_again_replaces_each_paper(built, tmp_path):
    store_dir, _ = built
    before = int(DiskStore(store_dir, read_only=True).select(ALL_TRIPLES, {}).rows[0][0])
    copy = tmp_path / "store"
    r = CliRunner().invoke(main, ["build", "--store", str(copy), "-q"])
    assert r.exit_code == 0
    r = CliRunner().invoke(main, ["build", "--store", str(copy), "-q"])
    assert r.exit_code == 0
    assert int(DiskStore(copy, read_only=True).select(ALL_TRIPLES, {}).rows[0][0]) == before


def test_a_finished_build_leaves_no_write_ahead_log_behind(built):
    """Everything is flushed into the store's tables; logs kept for reuse would take several times its size."""
    store_dir, _ = built
    logs = list(store_dir.glob("*.log"))
    assert logs and all(log.stat().st_size == 0 for log in logs), [(log.name, log.stat().st_size) for log in logs]
    assert DiskStore(store_dir, read_only=True).paper_iris()


@pytest.mark.parametrize("knob", ["FLUSH_EVERY_CHARS", "OPTIMIZE_AFTER_CHARS"])
def test_flushing_after_every_write_or_compacting_on_close_stores_the_same_graphs(built, tmp_path, monkeypatch, knob):
    """A build flushes RocksDB's memory tables as it goes (so its memory stays flat), and a store closed after a
    large write is compacted (pyoxigraph's optimize, for faster reads); neither changes data or leaves a write-ahead
    log behind. The seeds are small, so the threshold is lowered to reach it."""
    monkeypatch.setattr(DiskStore, knob, 0)
    r = CliRunner().invoke(main, ["build", "--store", str(tmp_path / "store"), "-q"])
    assert r.exit_code == 0, r.output
    changed, plain = DiskStore(tmp_path / "store", read_only=True), DiskStore(built[0], read_only=True)
    assert changed.graph_names() == plain.graph_names()
    for iri in plain.graph_names():
        assert isomorphic(changed.named_graph(iri), plain.named_graph(iri)), iri
    assert all(log.stat().st_size == 0 for log in (tmp_path / "store").glob("*.log"))


def test_queries_stats_and_validation_on_the_store(built):
    store_dir, trig = built
    runner = CliRunner()
    store = DiskStore(store_dir, read_only=True)
    rows = run_query("papers-using-model-on-gpu", store, {"model": "mask rcnn"}).as_dicts()
    assert [r["identifier"] for r in rows] == ["Publication_9"]
    assert run_query("papers-using-model-on-gpu", store, {"model": 'x" } ; DROP ALL ; #'}).rows == []
    r = runner.invoke(main, ["query", "papers-using-model-on-gpu", "--store", str(store_dir), "--param", "model=Mask R-CNN"])
    assert r.exit_code == 0 and "Publication_9" in r.output

    from_store = json.loads(runner.invoke(main, ["stats", "--store", str(store_dir), "--format", "json"]).output)
    from_file = json.loads(runner.invoke(main, ["stats", str(trig), "--format", "json"]).output)
    assert from_store == from_file
    rates = {r["cq"]: r["answers"] for r in run_query("concept-reporting-rates", store).as_dicts()}
    assert rates == {r["cq"]: r["answers"] for r in run_query("concept-reporting-rates", read_kg((str(trig),), with_ontology=True)).as_dicts()}
    summary = from_file["kg-summary"][0]
    assert int(summary["answers"]) == int(summary["reported"]) + int(summary["notReported"]) > 0
    assert any(row["concept"] == "deep learning model" for row in from_file["components-per-concept"])

    r = runner.invoke(main, ["validate", "--store", str(store_dir)])
    assert r.exit_code == 0 and "Conforms" in r.output


def test_a_missing_store_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(main, ["query", "kg-summary", "--store", str(tmp_path / "nowhere")])
    assert r.exit_code == 1 and "no dlkg store here" in r.output


def test_build_needs_exactly_one_destination(tmp_path):
    r = CliRunner().invoke(main, ["build", "-q"])
    assert r.exit_code == 1 and "either -o FILE or --store DIR" in r.output


def test_a_build_killed_mid_store_leaves_whole_papers_and_can_be_repeated(tmp_path):
    """Each paper is one transaction: after SIGTERM every paper graph in the store is complete, and building again
    gives the store a full build gives."""
    import shutil
    import signal
    import subprocess
    import time

    from conftest import DATA
    record = json.loads((DATA / "small.jsonl").read_text().splitlines()[0])
    corpus = tmp_path / "many.jsonl"
    corpus.write_text("".join(json.dumps({**record, "id": f"P{i}"}) + "\n" for i in range(600)))
    store_dir = tmp_path / "store"
    proc = subprocess.Popen([shutil.which("dlkg"), "build", str(corpus), "--store", str(store_dir), "-q"])
    def papers_seen_by_a_reader() -> bool:  # a reader beside the writer
        try:
            return bool(DiskStore(store_dir, read_only=True).paper_iris())
        except StoreError:  # no store yet, or one the writer is still creating
            return False
    deadline = time.monotonic() + 60
    while not papers_seen_by_a_reader():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)  # a few papers in, far from the end (600 papers take tens of seconds)
    assert proc.wait(timeout=60) != 0

    def paper_sizes() -> dict:
        store = DiskStore(store_dir, read_only=True)
        sizes = {iri: len(store.named_graph(iri)) for iri in store.paper_iris()}
        store.close()
        return sizes
    interrupted = paper_sizes()
    assert 0 < len(interrupted) < 600 and len(set(interrupted.values())) == 1  # copies of one record: all whole
    assert CliRunner().invoke(main, ["build", str(corpus), "--store", str(store_dir), "-q"]).exit_code == 0
    repeated = paper_sizes()
    assert len(repeated) == 600 and set(repeated.values()) == set(interrupted.values())
    fresh = tmp_path / "fresh"
    assert CliRunner().invoke(main, ["build", str(corpus), "--store", str(fresh), "-q"]).exit_code == 0
    count = lambda path: int(DiskStore(path, read_only=True).select(ALL_TRIPLES, {}).rows[0][0])
    assert count(store_dir) == count(fresh)

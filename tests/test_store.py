"""The remote-store path against a real Oxigraph server started here on 127.0.0.1 (no mocks)."""
import json
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from click.testing import CliRunner

from rdflib import RDF, Graph, URIRef

from dlkg.cli import main
from dlkg.errors import StoreError
from dlkg.namespaces import DLKG
from dlkg.query import run_query
from dlkg.store import DiskStore, EndpointStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_oxigraph(location, port: int) -> subprocess.Popen:
    """A real Oxigraph server on 127.0.0.1:port, answering once this returns."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    proc = subprocess.Popen([exe, "serve", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1)
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("oxigraph server did not start")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1; yields its base URL and its data directory."""
    port, location = free_port(), tmp_path_factory.mktemp("oxigraph")
    proc = start_oxigraph(location, port)
    yield f"http://127.0.0.1:{port}", location
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def seeds_kg(tmp_path_factory):
    kg = tmp_path_factory.mktemp("kg") / "kg.ttl"
    assert CliRunner().invoke(main, ["build", "-o", str(kg), "-q"]).exit_code == 0
    return kg


def count(endpoint: str, query: str) -> int:
    return int(EndpointStore(endpoint).select(query, {}).rows[0][0])


ALL_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_load_is_one_graph_per_paper_and_idempotent(server, seeds_kg):
    base, _ = server
    runner = CliRunner()
    endpoint = f"{base}/query"
    r = runner.invoke(main, ["load", str(seeds_kg), "--endpoint", endpoint])
    assert r.exit_code == 0, r.output
    triples = count(endpoint, ALL_TRIPLES)
    graphs = count(endpoint, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    papers = count(endpoint, "PREFIX dlkg: <https://w3id.org/dlkg/ontology#> "
                             "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dlkg:Publication }")
    in_file = set(Graph().parse(seeds_kg).subjects(RDF.type, DLKG.Publication))
    assert papers == len(in_file) and graphs == papers + 2  # one per paper, one shared, ontology+vocabulary
    assert runner.invoke(main, ["load", str(seeds_kg), "--endpoint", endpoint]).exit_code == 0
    assert count(endpoint, ALL_TRIPLES) == triples
    # the Graph Store Protocol path (HTTP PUT per graph) replaces the same graphs: still no duplicates
    r = runner.invoke(main, ["load", str(seeds_kg), "--gsp", f"{base}/store"])
    assert r.exit_code == 0, r.output
    assert count(endpoint, ALL_TRIPLES) == triples

    store = EndpointStore(endpoint)
    rows = run_query("papers-using-model-on-gpu", store, {"model": "Mask R-CNN"}).as_dicts()
    assert [r["identifier"] for r in rows] == ["Publication_9"]
    injected = run_query("papers-using-model-on-gpu", store, {"model": 'x" } ; DROP ALL ; #'})
    assert injected.rows == []
    assert count(endpoint, ALL_TRIPLES) == triples
    r = runner.invoke(main, ["query", "papers-using-model-on-gpu", "--endpoint", endpoint, "--param", "model=Mask R-CNN"])
    assert r.exit_code == 0 and "Publication_9" in r.output
    r = runner.invoke(main, ["stats", "--endpoint", endpoint, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["kg-summary"][0]["papers"] == str(papers)
    # shared nodes (the CQs) live in one graph only, so the union default graph counts every answer once
    rates = run_query("concept-reporting-rates", store).as_dicts()
    assert sum(int(r["answers"]) for r in rates) == int(json.loads(r.output)["kg-summary"][0]["answers"])


def test_http_errors_are_clear(server, seeds_kg):
    base, _ = server
    with pytest.raises(StoreError, match="HTTP 400"):
        EndpointStore(f"{base}/query").select("SELECT nonsense WHERE", {})
    r = CliRunner().invoke(main, ["load", str(seeds_kg), "--gsp", f"{base}/no-such-service"])
    assert r.exit_code == 1 and "HTTP 404" in r.output and "Traceback" not in r.output


def test_a_running_server_locks_its_store(server):
    _, location = server
    with pytest.raises(StoreError, match="cannot open the store"):
        DiskStore(location)


def test_unreachable_endpoint_is_a_clear_error(seeds_kg):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match="cannot reach"):
        run_query("concept-reporting-rates", EndpointStore(f"{url}/query", timeout=5))
    r = CliRunner().invoke(main, ["load", str(seeds_kg), "--endpoint", f"{url}/query", "--timeout", "5"])
    assert r.exit_code == 1 and "cannot reach the endpoint" in r.output


def test_a_silent_server_times_out(seeds_kg):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/update"
        store = EndpointStore(url, timeout=1, retries=0)
        with pytest.raises(StoreError, match="no answer within 1 s"):
            store.replace_graph(URIRef("https://example.org/g"), Graph())


def test_a_server_that_dies_mid_load_then_a_repeated_load_gives_no_duplicates(tmp_path):
    from conftest import shared
    answers = shared("corpus", "answers-434-papers-5-llms.jsonl.gz")
    import gzip
    corpus = tmp_path / "corpus.jsonl"
    with gzip.open(answers, "rt", encoding="utf-8") as fh:
        corpus.write_text("".join(line for _, line in zip(range(150), fh)), encoding="utf-8")
    kg = tmp_path / "kg.nt"
    assert CliRunner().invoke(main, ["build", str(corpus), "-o", str(kg), "-q"]).exit_code == 0
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    proc = start_oxigraph(tmp_path / "db", port)
    load = subprocess.Popen(["dlkg", "load", str(kg), "--endpoint", endpoint, "--timeout", "5"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while count(endpoint, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") < 5:
            assert load.poll() is None and time.monotonic() < deadline, "the load ended before the server was killed"
            time.sleep(0.05)
        proc.kill()  # mid-load
        proc.wait(timeout=10)
        output = load.communicate(timeout=120)[0]
        assert load.returncode == 1 and "cannot reach the endpoint" in output and "Traceback" not in output
        proc = start_oxigraph(tmp_path / "db", port)  # same data directory: what was written survives
        r = CliRunner().invoke(main, ["load", str(kg), "--endpoint", endpoint])
        assert r.exit_code == 0, r.output
        after_resume = count(endpoint, ALL_TRIPLES)
    finally:
        load.kill()
        proc.terminate()
        proc.wait(timeout=10)
    fresh_port = free_port()
    fresh = start_oxigraph(tmp_path / "fresh", fresh_port)
    try:
        fresh_endpoint = f"http://127.0.0.1:{fresh_port}/query"
        assert CliRunner().invoke(main, ["load", str(kg), "--endpoint", fresh_endpoint]).exit_code == 0
        assert after_resume == count(fresh_endpoint, ALL_TRIPLES)
    finally:
        fresh.terminate()
        fresh.wait(timeout=10)


def test_http_500_is_retried_with_backoff_then_reported(seeds_kg):
    import http.server
    import threading

    hits = []

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(time.monotonic())
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        store = EndpointStore(f"http://127.0.0.1:{httpd.server_address[1]}/update", timeout=5, retries=2)
        with pytest.raises(StoreError, match="HTTP 500"):
            store.replace_graph(URIRef("https://example.org/g"), Graph())
    finally:
        httpd.shutdown()
    assert len(hits) == 3 and hits[2] - hits[1] >= 0.9 * (hits[1] - hits[0])  # two retries, backing off


def test_the_report_from_a_triple_store_has_the_same_numbers_as_from_the_file(tmp_path):
    """`dlkg report --endpoint`: every figure is a saved query, so a server gives what the KG file gives."""
    from conftest import DATA

    kg = DATA / "report-kg.ttl"
    port = free_port()
    proc = start_oxigraph(tmp_path / "data", port)
    try:
        runner = CliRunner()
        endpoint = f"http://127.0.0.1:{port}/query"
        assert runner.invoke(main, ["load", str(kg), "--endpoint", endpoint]).exit_code == 0
        for args, out in ((["--endpoint", endpoint], "remote.json"), ([str(kg)], "local.json")):
            r = runner.invoke(main, ["report", *args, "-o", str(tmp_path / out)])
            assert r.exit_code == 0, r.output
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    tables = lambda out: {name: sorted(json.dumps(row, sort_keys=True) for row in table["rows"])
                          for name, table in json.loads((tmp_path / out).read_text())["tables"].items()}
    remote, local = tables("remote.json"), tables("local.json")
    assert remote == local and remote["kg-summary"] == ['{"answers": 24, "notReported": 5, "papers": 3, "reported": 19}']

"""The remote-store path against a real Oxigraph server started here on 127.0.0.1 (no mocks)."""
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from click.testing import CliRunner

from dlkg.cli import main
from dlkg.errors import StoreError
from dlkg.query import run_query


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("oxigraph server did not start")
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def count(endpoint: str, query: str) -> int:
    from dlkg.store import select
    return int(select(endpoint, query, {}).rows[0][0])


def test_load_is_one_graph_per_paper_and_idempotent(server, tmp_path):
    kg = tmp_path / "kg.ttl"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-o", str(kg), "-q"]).exit_code == 0
    endpoint = f"{server}/query"
    r = runner.invoke(main, ["load", str(kg), "--endpoint", endpoint])
    assert r.exit_code == 0, r.output
    triples = count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs = count(endpoint, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    papers = count(endpoint, "PREFIX dlkg: <https://w3id.org/dlkg/ontology#> "
                             "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dlkg:Publication }")
    assert graphs == papers + 1  # one per paper plus ontology+vocabulary
    assert runner.invoke(main, ["load", str(kg), "--endpoint", endpoint]).exit_code == 0
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == triples

    rows = run_query("papers-using-model-on-gpu", params={"model": "Mask R-CNN"}, endpoint=endpoint).as_dicts()
    assert [r["identifier"] for r in rows] == ["Publication_9"]
    injected = run_query("papers-using-model-on-gpu", params={"model": 'x" } ; DROP ALL ; #'}, endpoint=endpoint)
    assert injected.rows == []
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == triples
    r = runner.invoke(main, ["query", "papers-using-model-on-gpu", "--endpoint", endpoint, "--param", "model=Mask R-CNN"])
    assert r.exit_code == 0 and "Publication_9" in r.output


def test_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot reach"):
        run_query("concept-reporting-rates", endpoint=f"http://127.0.0.1:{free_port()}/query", timeout=5)

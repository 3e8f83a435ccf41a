import json

from click.testing import CliRunner
from rdflib import Graph

from dlkg.cli import main

from conftest import DATA


def test_build_validate_query_from_the_shipped_seeds(tmp_path):
    runner = CliRunner()
    out = tmp_path / "kg.ttl"
    r = runner.invoke(main, ["build", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert len(Graph().parse(out)) > 1000
    r = runner.invoke(main, ["validate", str(out)])
    assert r.exit_code == 0 and "Conforms" in r.output
    r = runner.invoke(main, ["query", "papers-using-model-on-gpu", "--kg", str(out), "--param", "model=Mask R-CNN",
                             "--format", "json"])
    assert r.exit_code == 0, r.output
    assert [row["identifier"] for row in json.loads(r.output)] == ["Publication_9"]


def test_skipped_records_are_named_and_change_the_exit_code(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text((DATA / "small.jsonl").read_text() + "{broken\n")
    out = tmp_path / "kg.ttl"
    r = CliRunner().invoke(main, ["build", str(src), "-o", str(out), "-q"])
    assert r.exit_code == 3 and f"{src}:2" in r.output and out.exists()
    out.unlink()
    r = CliRunner().invoke(main, ["build", str(src), "-o", str(out), "-q", "--strict"])
    assert r.exit_code == 1 and not out.exists() and "Traceback" not in r.output


def test_every_export_format_parses_back_to_the_same_graph(tmp_path):
    from rdflib import Dataset
    from rdflib.compare import isomorphic
    reference = None
    for ext, fmt in [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml"), ("trig", "trig"),
                     ("nq", "nquads")]:
        out = tmp_path / f"kg.{ext}"
        assert CliRunner().invoke(main, ["build", str(DATA / "small.jsonl"), "-o", str(out), "-q"]).exit_code == 0
        if fmt in ("trig", "nquads"):
            ds = Dataset().parse(out, format=fmt)
            assert len(list(ds.graphs())) >= 2  # the default graph and one per paper
            g = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
        else:
            g = Graph().parse(out, format=fmt)
        reference = reference or g
        assert isomorphic(reference, g), ext
    context = json.loads((tmp_path / "kg.jsonld").read_text())["@context"]
    assert context["dlkg"] == "https://w3id.org/dlkg/ontology#"  # compact JSON-LD with dlkg's prefixes


def test_queries_lists_names_titles_and_parameters():
    r = CliRunner().invoke(main, ["queries"])
    assert r.exit_code == 0 and "papers-using-model-on-gpu" in r.output and "--param model=" in r.output


def test_user_errors_have_no_traceback(tmp_path):
    r = CliRunner().invoke(main, ["query", "papers-using-model-on-gpu", "--kg", str(tmp_path / "missing.ttl"),
                                  "--param", "model=x"])
    assert r.exit_code == 1 and "missing.ttl" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["build", "-o", str(tmp_path / "kg.xyz")])
    assert r.exit_code == 1 and "unknown output format" in r.output

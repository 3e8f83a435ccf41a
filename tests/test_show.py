"""`dlkg show` (one paper at a glance), `dlkg table` (the comparison table) and what every KG-reading command says
when there is nothing to read: on the seeds, on papers of the shared corpus answered by five LLMs, and in Chromium."""
from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import shutil

import pytest
from click.testing import CliRunner

from dlkg.build import build_to
from dlkg.cli import main
from dlkg.report import page_name
from dlkg.store import DiskStore

from browser import chromium, clipped_at
from conftest import shared


@pytest.fixture(scope="module")
def seeds_kg(tmp_path_factory, seeds_result):
    from dlkg.build import write

    path = tmp_path_factory.mktemp("show") / "kg.ttl"
    write(seeds_result, path)
    return path


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("show-store") / "store"
    store = DiskStore(folder)
    build_to(store=store)
    store.close()
    return folder


@pytest.fixture(scope="module")
def corpus_kg(tmp_path_factory):
    """Three papers of the shared corpus, each answered by five LLMs (their records are adjacent in the file)."""
    folder = tmp_path_factory.mktemp("corpus")
    with gzip.open(shared("corpus", "answers-434-papers-5-llms.jsonl.gz"), "rt", encoding="utf-8") as fh:
        lines = list(itertools.islice(fh, 15))
    (folder / "answers.jsonl").write_text("".join(lines), encoding="utf-8")
    build_to([folder / "answers.jsonl"], out=folder / "kg.nq")
    return folder / "kg.nq", [json.loads(line) for line in lines]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_show_gives_title_doi_and_each_cq_in_number_order_with_quotes_marked(seeds_kg):
    result = run("show", "Publication_9", str(seeds_kg))
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Publication_9: Sashimi: A toolkit") and "https://doi.org/10.1111/2041-210X.13712" in text
    cqs = [line.split()[0] for line in text.splitlines() if line.startswith("CQ")]
    assert cqs == sorted(cqs, key=lambda cq: int(cq[2:])) and "CQ2" in cqs and "CQ12" in cqs
    assert "[Mask R-CNN]" in text  # the quote, marked in the answer text
    assert "- deep learning model: Mask R-CNN (broader:" in text
    assert "- hyperparameter setting: learning rate = 0.001" in text
    assert "mixtral_8_22b: NotReported" in text


def test_show_json_quotes_are_the_answer_text_at_their_offsets(seeds_kg):
    result = run("show", "Publication_9", "--kg", str(seeds_kg), "--format", "json")
    profile = json.loads(result.output)
    assert profile["doi"] == "10.1111/2041-210X.13712" and profile["llms"] == ["mixtral_8_22b"]
    facts = [(a, f) for q in profile["questions"] for a in q["answers"] for f in a["facts"]]
    assert len(facts) > 20
    for answer, fact in facts:
        assert answer["text"][fact["start"]:fact["end"]] == fact["quote"]
        assert fact["concept"] and fact["name"] and fact["entry"].startswith("https://w3id.org/dlkg/")
    assert {"name": "TensorFlow", "concept": "framework"}.items() <= next(
        f for _, f in facts if f["name"] == "TensorFlow").items()


def test_show_gives_the_same_profile_from_a_store(seeds_kg, seeds_store):
    from_file = run("show", "Publication_9", str(seeds_kg), "--format", "json").output
    from_store = run("show", "Publication_9", "--store", str(seeds_store), "--format", "json").output
    assert json.loads(from_file) == json.loads(from_store)


def test_show_on_a_paper_answered_by_five_llms_says_where_they_disagree(corpus_kg):
    kg, records = corpus_kg
    paper = records[0]["id"]
    profile = json.loads(run("show", paper, str(kg), "--format", "json").output)
    llms = profile["llms"]
    assert len(llms) == 5 and profile["title"] == records[0]["title"]
    cq12 = next(q for q in profile["questions"] if q["cq"] == "CQ12")
    assert sorted(a["llm"] for a in cq12["answers"]) == llms  # a status per answering LLM
    disagreements = [d for q in profile["questions"] for d in q["disagreements"]]
    assert disagreements and all(": named by " in d and "; not by " in d for d in disagreements)
    text = run("show", paper, str(kg)).output
    assert "LLMs disagree: " in text


def test_show_html_is_one_self_contained_page_that_nothing_clips(seeds_kg, tmp_path):
    out = tmp_path / "p9.html"
    result = run("show", "Publication_9", str(seeds_kg), "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert '<mark title="deep learning model: Mask R-CNN">Mask R-CNN</mark>' in html
    assert '<a href="https://doi.org/10.1111/2041-210X.13712">' in html
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    for width in (1400, 800):
        assert clipped_at(out, width, tmp_path) == [], width


def test_an_unknown_paper_gets_the_closest_ids(seeds_kg):
    result = run("show", "Publication_99", str(seeds_kg))
    assert result.exit_code == 1
    assert "no paper 'Publication_99' in this KG; did you mean Publication_9" in result.output
    result = run("query", "component-evidence", str(seeds_kg), "--param", "paper=publication_9x")
    assert result.exit_code == 1 and "did you mean Publication_9" in result.output


def test_query_takes_kg_files_as_arguments_and_as_kg(seeds_kg):
    positional = run("query", "kg-summary", str(seeds_kg), "--format", "csv")
    option = run("query", "kg-summary", "--kg", str(seeds_kg), "--format", "csv")
    assert positional.exit_code == option.exit_code == 0
    assert positional.output == option.output
    header, counts = positional.output.split("\n")[:2]
    papers, answers, reported, not_reported = map(int, counts.split(","))
    # nine seed papers and their answers; how many are Reported is the shipped model's call
    assert header == "papers,answers,reported,notReported" and (papers, answers) == (9, 238)
    assert reported + not_reported == answers and reported > 0 and not_reported > 0
    for command in (["stats"], ["validate"], ["table", "-o", "-"]):  # every reading command, the same way
        assert run(*command, str(seeds_kg)).output == run(*command, "--kg", str(seeds_kg)).output, command


def test_table_has_one_row_per_paper_and_a_column_per_variable(seeds_kg, seeds_store, tmp_path):
    out = tmp_path / "papers.csv"
    result = run("table", str(seeds_kg), "-o", str(out))
    assert result.exit_code == 0 and "9 papers" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["paper", "title", "doi", "model", "dataset", "framework", "hardware", "hyperparameters",
                             "randomness", "metrics", "code_link", "data_link"]
    assert len(rows) == 9 and len({r["paper"] for r in rows}) == 9
    sashimi = next(r for r in rows if r["paper"] == "Publication_9")
    assert sashimi["model"] == "Faster R-CNN; Mask R-CNN" and sashimi["framework"] == "TensorFlow"
    assert "learning rate = 0.001" in sashimi["hyperparameters"].split("; ")
    assert sashimi["code_link"] == "https://github.com/ShawnTylerSchwartz/sashimi"
    from_store = run("table", "--store", str(seeds_store), "-o", "-")
    assert from_store.output == out.read_text(encoding="utf-8")
    as_json = tmp_path / "papers.json"
    run("table", str(seeds_kg), "-o", str(as_json))
    assert json.loads(as_json.read_text(encoding="utf-8")) == rows
    assert run("table", str(seeds_kg), "-o", str(tmp_path / "papers.xlsx")).exit_code == 1


@pytest.mark.parametrize("command", [["query", "kg-summary"], ["stats"], ["show", "Publication_9"],
                                     ["table", "-o", "OUT"], ["report", "-o", "OUT"]], ids=lambda c: c[0])
def test_a_kg_without_papers_is_said_and_exits_4(command, tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("<urn:x-test:a> <urn:x-test:b> <urn:x-test:c> .\n")
    out = tmp_path / ("out.csv" if command[0] == "table" else "out.html")
    args = [str(out) if a == "OUT" else a for a in command]
    result = run(*args, str(empty))
    assert result.exit_code == 4, result.output
    assert f"error: {empty}: the KG holds no papers" in result.output
    assert not out.exists()


def test_a_kg_file_that_does_not_parse_is_named_with_its_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <urn:x-test:> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    result = run("stats", str(bad))
    assert result.exit_code == 1 and f"{bad}: cannot parse as turtle" in result.output and "line 3" in result.output
    assert "no such file" in run("stats", str(tmp_path / "missing.ttl")).output


def test_table_and_report_on_papers_answered_by_five_llms(corpus_kg, tmp_path):
    kg, records = corpus_kg
    papers = list(dict.fromkeys(r["id"] for r in records))
    table = run("table", str(kg), "-o", "-")
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert [r["paper"] for r in rows] == sorted(papers) and all(r["title"] for r in rows)
    out = tmp_path / "report.html"
    result = run("report", str(kg), "-o", str(out))
    assert result.exit_code == 0 and f"and {len(papers)} paper pages beside it" in result.output, result.output
    html = out.read_text(encoding="utf-8")
    section = html[html.index('id="llms"'):html.index('id="sources"')]
    for llm in {r["source"] for r in records}:
        assert f"<th>{llm}</th>" in section
    assert section.count("<tr><td>CQ") == 28 and "<td>model</td>" in section
    assert sorted(p.name for p in (tmp_path / "report-papers").iterdir()) == sorted(page_name(p) for p in papers)
    if chromium():
        for width in (1400, 800):
            assert clipped_at(out, width, tmp_path) == [], width

"""`dlkg report`: the numbers on a small hand-checked KG (tests/data/report-kg.ttl), its JSON and CSV forms, and the
HTML page rendered by a real browser (Debian's headless Chromium) with its plots visible."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from PIL import Image

from dlkg.cli import main
from dlkg.report import REPORT_QUERIES, agreement, build_report, most_specific
from dlkg.rdfio import read_kg
from dlkg.store import DiskStore, open_store

from browser import chromium, clipped_at
from conftest import DATA, disk_store_of

KG = DATA / "report-kg.ttl"


@pytest.fixture(scope="module")
def report():
    return build_report(open_store([KG]), "report-kg.ttl")


def _levels(report):
    return {r["identifier"]: r for r in report.records("reproducibility-levels")}


def test_summary_counts_papers_and_answers(report):
    assert report.records("kg-summary") == [{"papers": 3, "answers": 24, "reported": 19, "notReported": 5}]


def test_reproducibility_levels_follow_the_documented_rule(report):
    levels = _levels(report)
    assert [r["identifier"] for r in report.records("reproducibility-levels")] == ["P1", "P3", "P2"]
    assert (levels["P1"]["documented"], levels["P1"]["level"]) == (8, "full")
    assert (levels["P3"]["documented"], levels["P3"]["level"]) == (6, "high")
    assert (levels["P2"]["documented"], levels["P2"]["level"]) == (4, "medium")
    # P2: one LLM says NotReported for the model, the other reports it -> documented; no dataset from either answer;
    # hardware NotReported by its own answer, but a GPU was extracted from the model answer -> documented
    assert {v for v in ("dataset", "sourceCode", "frameworks", "model", "hardware", "hyperparameters", "randomness",
                        "metrics") if levels["P2"][v]} == {"sourceCode", "frameworks", "model", "hardware"}
    # P3: hyperparameters Reported without any extracted setting still count; nothing about randomness or code
    assert levels["P3"]["hyperparameters"] == 1 and levels["P3"]["randomness"] == 0 and levels["P3"]["sourceCode"] == 0


def test_coverage_counts_papers_not_answers(report):
    coverage = {r["cq"]: r for r in report.records("concept-coverage")}
    assert set(coverage) == {"CQ5", "CQ8", "CQ10", "CQ11", "CQ12", "CQ13", "CQ19", "CQ20", "CQ22", "CQ24"}
    assert coverage["CQ12"] | {} == {"cq": "CQ12", "concepts": "deep learning model", "papers": 3, "reported": 3,
                                     "withFacts": 3, "reportedRate": 1, "factRate": 1}
    assert (coverage["CQ5"]["papers"], coverage["CQ5"]["reported"], coverage["CQ5"]["reportedRate"]) == (3, 2, 0.667)
    assert (coverage["CQ13"]["reported"], coverage["CQ13"]["withFacts"]) == (2, 1)
    assert (coverage["CQ24"]["reportedRate"], coverage["CQ24"]["factRate"]) == (0.5, 0)
    assert (coverage["CQ20"]["reported"], coverage["CQ20"]["withFacts"], coverage["CQ20"]["factRate"]) == (2, 3, 1)


def test_completeness_has_one_cell_per_paper_and_question(report):
    cells = {(r["identifier"], r["cq"]): (r["status"], r["facts"]) for r in report.records("paper-completeness")}
    assert len(cells) == 22
    assert cells["P1", "CQ13"] == ("Reported", 2)       # two hyperparameter settings
    assert cells["P1", "CQ24"] == ("Reported", 0)
    assert cells["P2", "CQ12"] == ("Reported", 1)       # Reported by one of the two LLMs; the GPU is not a model
    assert cells["P2", "CQ20"] == ("NotReported", 1)    # the GPU named in the model answer
    assert cells["P2", "CQ5"] == ("NotReported", 0)
    assert ("P3", "CQ24") not in cells                   # never asked


def test_components_and_cooccurrence(report):
    top = {(r["concept"], r["name"]): r["papers"] for r in report.records("component-popularity")}
    assert top["deep learning model", "ResNet-50"] == 2 and top["hardware resource", "GPU"] == 3
    assert top["framework", "PyTorch"] == 2 and top["framework", "TensorFlow"] == 1
    assert top["dataset", "camera-trap images of owls"] == 1  # a paper's own dataset, by its label
    assert top["code repository link", "https://gitlab.com/example/calls"] == 1  # a link, by its URL
    pairs = {(r["family"], r["framework"]): r["papers"] for r in report.records("frameworks-by-model-family")}
    # ResNet-50's nearest model family is CNN (via ResNet); LSTM is a family itself
    assert pairs == {("convolutional neural network", "PyTorch"): 1, ("convolutional neural network", "TensorFlow"): 1,
                     ("long short-term memory", "PyTorch"): 1}
    assert [r["identifier"] for r in report.records("code-link-but-no-data-link")] == ["P2"]


def test_a_store_and_rdflib_give_the_same_report_as_the_file(report, tmp_path):
    """The report read from the file (in-memory Oxigraph), from a store on disk and from rdflib's engine."""
    graph = read_kg([str(KG)], with_ontology=True)
    disk_store_of(graph, tmp_path / "store").close()
    key = lambda row: json.dumps(row, sort_keys=True)
    for other in (build_report(DiskStore(tmp_path / "store", read_only=True)), build_report(graph)):
        for name in REPORT_QUERIES:
            assert sorted(other.records(name), key=key) == sorted(report.records(name), key=key), name


def test_json_and_csv_outputs(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(KG), "-o", str(tmp_path / "numbers.json")])
    assert result.exit_code == 0, result.output
    numbers = json.loads((tmp_path / "numbers.json").read_text())
    assert set(numbers["tables"]) == set(REPORT_QUERIES)
    assert numbers["tables"]["kg-summary"]["rows"][0]["papers"] == 3
    assert numbers["tables"]["reproducibility-levels"]["query"] == "queries/reproducibility-levels.rq"

    result = runner.invoke(main, ["report", str(KG), "-o", str(tmp_path / "tables")])
    assert result.exit_code == 0 and f"{len(REPORT_QUERIES)} CSV files" in result.output, result.output
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(f"{q}.csv" for q in REPORT_QUERIES)
    with open(tmp_path / "tables" / "reproducibility-levels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["identifier"], r["level"]) for r in rows] == [("P1", "full"), ("P3", "high"), ("P2", "medium")]


def test_a_failed_report_leaves_the_previous_one(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("previous report")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "missing.ttl"), "-o", str(out)])
    assert result.exit_code == 1 and "missing.ttl" in result.output
    assert out.read_text() == "previous report" and list(tmp_path.iterdir()) == [out]


def test_html_is_self_contained_and_escapes_what_it_quotes(report):
    html = report.to_html()
    assert html.count("<svg") == 9  # coverage, levels, heatmap, five top-N plots, co-occurrence
    assert html.count("<script>") == 1 and "<link" not in html and " src=" not in html  # one inline script
    assert "Bird calls &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    for name in REPORT_QUERIES:
        assert f"queries/{name}.rq" in html


def test_an_empty_kg_gives_a_page_that_says_so(tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    html = build_report(open_store([empty])).to_html()
    assert "<svg" not in html and "No answers in this KG." in html


def test_the_page_renders_its_plots_in_headless_chromium(report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(report.to_html(), encoding="utf-8")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1200,3600",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours and len(colours) > 50, "the screenshot is blank"
    counts = {rgb: n for n, rgb in colours}
    # bars and heatmap cells in the plots' own colours: drawn, not just laid out
    assert counts.get((0x08, 0x51, 0x9C), 0) > 2000          # 'with facts' bars and dark heatmap cells
    assert counts.get((0x00, 0x6D, 0x2C), 0) > 200           # the 'full' level bar (P1)
    assert counts.get((0xFD, 0xAE, 0x6B), 0) > 200           # NotReported cells


def test_the_page_fits_1400_and_800_pixels_and_names_papers_with_their_doi(tmp_path):
    """Nothing cut off at either width (wide tables and plots scroll in their own box; labels keep their size)."""
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(KG), "-o", str(out)])
    assert result.exit_code == 0 and "and 3 paper pages beside it" in result.output, result.output
    html = out.read_text(encoding="utf-8")
    assert 'figure svg { max-width: none;' in html
    pages = sorted(p.name for p in (tmp_path / "report-papers").iterdir())
    assert pages == ["P1.html", "P2.html", "P3.html"]
    for page in pages:
        assert f'href="report-papers/{page}"' in html
    assert "P1" in (tmp_path / "report-papers" / "P1.html").read_text(encoding="utf-8")
    if not chromium():
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    for width in (1400, 800):
        assert clipped_at(out, width, tmp_path) == [], width


def test_pages_of_papers_no_longer_shown_are_removed(tmp_path):
    out = tmp_path / "report.html"
    CliRunner().invoke(main, ["report", str(KG), "-o", str(out)])
    result = CliRunner().invoke(main, ["report", str(KG), "-o", str(out), "--max-papers", "1"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "report-papers").iterdir()] == ["P1.html"]
    CliRunner().invoke(main, ["report", str(KG), "-o", str(tmp_path / "bare.html"), "--no-pages"])
    assert not (tmp_path / "bare-papers").exists() and "report-papers/" not in (tmp_path / "bare.html").read_text()


def test_charts_name_the_most_specific_things():
    popularity = [{"concept": "deep learning model", "name": n, "papers": k}
                  for n, k in [("convolutional neural network", 9), ("ResNet-50", 4), ("LSTM", 2), ("U-Net", 1)]]
    broader = [{"narrower": "ResNet-50", "broader": "convolutional neural network"},
               {"narrower": "ResNet-50", "broader": "deep neural network"}]
    assert [r["name"] for r in most_specific(popularity, broader)["deep learning model"]] == ["ResNet-50", "LSTM", "U-Net"]
    only_generic = [{"concept": "hardware resource", "name": "GPU", "papers": 3}]
    assert most_specific(only_generic, broader)["hardware resource"] == only_generic


def test_llm_agreement_counts_unanimous_papers_and_pairwise_overlap():
    rows = [{"identifier": "P1", "llm": "a", "variable": "model", "thing": "x"},
            {"identifier": "P1", "llm": "b", "variable": "model", "thing": "x"},
            {"identifier": "P2", "llm": "a", "variable": "model", "thing": "x"},
            {"identifier": "P2", "llm": "a", "variable": "model", "thing": "y"},
            {"identifier": "P2", "llm": "b", "variable": "model", "thing": "y"},
            {"identifier": "P3", "llm": "a", "variable": None, "thing": None},   # answered, names nothing
            {"identifier": "P3", "llm": "b", "variable": None, "thing": None},
            {"identifier": "P4", "llm": "a", "variable": "framework", "thing": "z"}]  # one LLM only: not compared
    model = next(a for a in agreement(rows) if a["variable"] == "model")
    assert (model["papers"], model["unanimous"]) == (2, 1) and model["overlap"] == pytest.approx((1 + 0.5) / 2)
    assert next(a for a in agreement(rows) if a["variable"] == "framework")["papers"] == 0


def test_max_papers_limits_the_page_not_the_numbers(report):
    html = report.to_html(max_papers=2)
    assert "the 2 most\ndocumented of 3" in html and "Showing 2 of 3 papers" in html
    table = html[html.index('id="levels-table"'):].split("</table>")[0]
    assert "<tr><td>P1</td>" in table and "<tr><td>P2</td>" not in table  # P2: least documented
    assert len(report.records("reproducibility-levels")) == 3

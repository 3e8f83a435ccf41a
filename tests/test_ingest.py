import gzip
import json

import pytest

from dlkg.ingest import read_papers, repair_text
from dlkg.vocabulary import load_vocabulary

from conftest import DATA, shared


@pytest.mark.parametrize("raw, fixed", [
    ("a learning rate of 0. 001 for stages 1 and 2", "a learning rate of 0.001 for stages 1 and 2"),
    ("see <https://github. com/ShawnTylerSchwartz/sashimi>.", "see <https://github.com/ShawnTylerSchwartz/sashimi>."),
    ("at https: //doi. org/10. 5281/zenodo. 3066235", "at https://doi.org/10.5281/zenodo.3066235"),
    ("a learning rate of 1 × 10−4", "a learning rate of 1e-4"),
    ("the learning rate is set to 10^(-3) and weight decay to 5 × 10^(-4).", "the learning rate is set to 1e-3 and weight decay to 5e-4."),
    ("about 10^(6) images", "about 10^6 images"),
    ("The answer. %INSTRUCTIONS: Use the provided pieces of context", "The answer."),
    ("Adam was used. %Context 34. Kingma, D. ; Ba, J. Adam: a method", "Adam was used."),
    ("trained in 2014. 3 models were compared", "trained in 2014. 3 models were compared"),
    ("an i7 3. 50GHz CPU and momentum of 0. 9.", "an i7 3.50GHz CPU and momentum of 0.9."),
])
def test_repair_text_undoes_pdf_artefacts(raw, fixed):
    assert repair_text(raw) == fixed


def questions():
    return load_vocabulary().questions


def test_jsonl_reads_papers_and_reports_bad_lines_with_file_and_line(tmp_path):
    good = json.loads((DATA / "small.jsonl").read_text())
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps({"id": "x", "answers": []}),
                               json.dumps({"id": "y", "source": "s", "answers": [{"cq": "CQ99", "answer": "a"}]})]) + "\n")
    problems = []
    papers = list(read_papers([path], questions(), problems.append))
    assert [p.id for p in papers] == ["Paper_A", "y"] and papers[1].answers == []  # only the bad answer is left out
    assert [(e.line, e.path) for e in problems] == [(2, str(path)), (3, str(path)), (4, str(path))]
    assert "source" in problems[1].message and "CQ99" in problems[2].message


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write((DATA / "small.jsonl").read_text())
    papers = list(read_papers([path], questions(), pytest.fail))
    assert papers[0].title.startswith("Counting owls") and len(papers[0].answers) == 4


def test_folder_of_per_cq_files(tmp_path):
    (tmp_path / "Publication12_CQ12.txt").write_text("The pipeline uses a U-Net.")
    (tmp_path / "Publication12_CQ19.txt").write_text("It is built with PyTorch.")
    (tmp_path / "Publication_10.1016_x.pdf_CQ5.txt").write_text("The COCO dataset was used.")
    (tmp_path / "notes.md").write_text("unrelated")
    papers = {p.id: p for p in read_papers([tmp_path], questions(), pytest.fail)}
    assert sorted(papers) == ["Publication_10.1016_x", "Publication_12"]
    assert [a.cq for a in papers["Publication_12"].answers] == ["CQ12", "CQ19"]


def test_seed_prompt_dumps_are_read():
    problems = []
    ner = list(read_papers([shared("seeds", "000_9b58558d0204815c.txt")], questions(), problems.append))
    rag = list(read_papers([shared("seeds", "002_b8fef4049d05a893.txt")], questions(), problems.append))
    assert not problems
    cqs = [a.cq for a in ner[0].answers]
    assert cqs[:3] == ["CQ2", "CQ4", "CQ5"] and "CQ20" in cqs and len(cqs) == 13
    assert "github.com/ShawnTylerSchwartz/sashimi" in next(a.text for a in ner[0].answers if a.cq == "CQ10")
    assert [a.cq for a in rag[0].answers] == ["CQ5"] and "ImageNet" in rag[0].answers[0].text

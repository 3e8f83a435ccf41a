"""The bad-input catalogue: every case is built through the CLI and must end as its row says.

Outcome rules (README, "Bad input"): a record that cannot be read is reported as `skipped: FILE:LINE: why` and the
rest is built, with exit code 3 (`--strict`: exit 1, nothing written); whatever is built re-parses strictly (Oxigraph's
N-Triples parser rejects invalid IRIs and literals) and conforms to the SHACL shapes; no user error shows a traceback.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from dlkg.cli import main
from dlkg.rdfio import parse_ntriples
from dlkg.validate import validate_in_batches

GOOD = "The model was trained with PyTorch on an NVIDIA Tesla V100 GPU."


def record(pid="Publication_1", source="llm-a", answers=(("CQ17", GOOD),), **extra) -> str:
    rec = {"id": pid, "source": source, "answers": [{"cq": cq, "answer": text} for cq, text in answers], **extra}
    return json.dumps(rec, ensure_ascii=False)


def jsonl(*lines: str) -> bytes:
    """UTF-8 lines; a lone surrogate is written as JSON writes it (\\ud800), which json.loads gives back as is."""
    return ("\n".join(lines) + "\n").encode("utf-8", "backslashreplace")


def build(tmp_path: Path, files: dict[str, bytes], *args: str):
    """Write `files`, build them (or the one folder they sit in) to N-Triples; return the CLI result and the KG."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, data in files.items():
        (inputs / name).parent.mkdir(parents=True, exist_ok=True)
        (inputs / name).write_bytes(data)
    target = [str(inputs / name) for name in files] if len(files) == 1 else [str(inputs)]
    out = tmp_path / "kg.nt"
    r = CliRunner().invoke(main, ["build", *target, "-o", str(out), "-q", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), f"traceback: {r.exception!r}"
    assert "Traceback" not in r.output
    kg = out.read_bytes() if out.exists() else None
    if kg is not None:
        list(pyoxigraph.parse(kg, format=pyoxigraph.RdfFormat.N_TRIPLES))  # strict: raises on a bad IRI or literal
        report = validate_in_batches([kg.decode("utf-8")])
        assert report.conforms, report.text()
    return r, (parse_ntriples(kg) if kg is not None else None)


def labels(kg) -> set[str]:
    from rdflib.namespace import RDFS, SKOS
    return {str(o) for p in (RDFS.label, SKOS.prefLabel) for o in kg.objects(None, p)}


def values(kg) -> set:
    from dlkg.namespaces import DLKG
    return {o.toPython() for o in kg.objects(None, DLKG.value)}


def papers(kg) -> set[str]:
    from rdflib.namespace import DCTERMS, RDF
    from dlkg.namespaces import DLKG
    return {str(kg.value(p, DCTERMS.identifier)) for p in kg.subjects(RDF.type, DLKG.Publication)}


def skipped(r) -> list[str]:
    return [line for line in r.output.splitlines() if line.startswith("skipped: ")]


# ---------------------------------------------------------------- unreadable files and records

def test_empty_file(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": b""})
    assert r.exit_code == 4 and skipped(r) == [f"skipped: {tmp_path}/in/a.jsonl: no records"]
    assert "error: the inputs gave no paper; nothing was written" in r.output and kg is None


def test_binary_file(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": bytes(range(256)) * 64})
    assert r.exit_code == 4 and len(skipped(r)) == 1 and "binary file" in r.output and kg is None


def test_invalid_utf8_costs_only_its_line(tmp_path):
    data = jsonl(record("P1")) + record("P2").encode()[:-3] + b"\xff\xfe\"}]}\n" + jsonl(record("P3"))
    r, kg = build(tmp_path, {"a.jsonl": data})
    assert r.exit_code == 3 and len(skipped(r)) == 1 and "a.jsonl:2: invalid UTF-8" in r.output
    assert papers(kg) == {"P1", "P3"}


def test_byte_order_mark(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": b"\xef\xbb\xbf" + jsonl(record("P1"), record("P2"))})
    assert r.exit_code == 0 and papers(kg) == {"P1", "P2"}


def test_windows_line_endings(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1"), record("P2")).replace(b"\n", b"\r\n")})
    assert r.exit_code == 0 and papers(kg) == {"P1", "P2"} and "PyTorch" in labels(kg)


def test_truncated_last_line(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1")) + record("P2").encode()[:40]})
    assert r.exit_code == 3 and "a.jsonl:2: invalid JSON" in r.output and papers(kg) == {"P1"}


def test_truncated_gzip(tmp_path):
    data = gzip.compress(jsonl(*(record(f"P{i}") for i in range(50))))
    r, kg = build(tmp_path, {"a.jsonl.gz": data[: len(data) // 2]})
    assert r.exit_code in (3, 4) and "a.jsonl.gz" in r.output and "unreadable data" in r.output
    assert (kg is None) == (r.exit_code == 4)  # whatever came before the break is kept; nothing, and no file is written


@pytest.mark.parametrize("line, why", [
    ('["not", "an", "object"]', "expected a JSON object, got list"),
    ('42', "expected a JSON object, got int"),
    ('"text"', "expected a JSON object, got str"),
    ('null', "expected a JSON object, got NoneType"),
    (json.dumps({"source": "x", "answers": []}), "missing required field 'id'"),
    (json.dumps({"id": "P9", "answers": []}), "missing required field 'source'"),
    (json.dumps({"id": "P9", "source": "x"}), "missing required field 'answers'"),
    (json.dumps({"id": "  ", "source": "x", "answers": []}), "field 'id' must be a non-empty string"),
    ('{"id": NaN, "source": "x", "answers": []}', "field 'id' must be a non-empty string"),
    (json.dumps({"id": "P9", "source": "x", "answers": {"CQ1": "a"}}), "field 'answers' must be a list"),
    (json.dumps({"id": "P9", "source": "x", "answers": ["just text"]}), "answer #1 must be an object with 'cq' and 'answer'"),
])
def test_a_record_that_cannot_be_read_is_named_and_the_rest_built(tmp_path, line, why):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1"), line, record("P3"))})
    assert r.exit_code == 3 and skipped(r) == [f"skipped: {tmp_path}/in/a.jsonl:2: {why}"]
    assert papers(kg) == {"P1", "P3"}


def test_strict_refuses_and_writes_nothing(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1"), "{oops")}, "--strict")
    assert r.exit_code == 1 and "a.jsonl:2" in r.output and kg is None


def test_unknown_cq_costs_only_that_answer(tmp_path):
    line = record("P1", answers=(("CQ29", "We used Keras."), ("CQ17", GOOD)))
    r, kg = build(tmp_path, {"a.jsonl": jsonl(line)})
    assert r.exit_code == 3 and "a.jsonl:1: answer #1 has unknown CQ id 'CQ29'" in r.output
    assert papers(kg) == {"P1"} and "PyTorch" in labels(kg) and "Keras" not in labels(kg)


def test_the_same_cq_twice_in_one_record_keeps_the_first(tmp_path):
    line = record("P1", answers=(("CQ17", GOOD), ("CQ17", "We used Keras.")))
    r, kg = build(tmp_path, {"a.jsonl": jsonl(line)})
    assert r.exit_code == 3 and "a.jsonl:1: answer #2 answers CQ17 again; kept the first" in r.output
    assert "PyTorch" in labels(kg) and "Keras" not in labels(kg)


def test_duplicate_paper_from_the_same_source_keeps_the_first(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1"), record("P1", answers=(("CQ17", "We used Keras."),)))})
    assert r.exit_code == 3 and "duplicate record for paper 'P1' from source 'llm-a'" in r.output
    assert "Keras" not in labels(kg)


def test_the_same_paper_from_two_sources_is_one_paper_with_both_answers(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1"), record("P1", "llm-b", (("CQ17", "We used Keras."),)))})
    assert r.exit_code == 0 and papers(kg) == {"P1"} and {"PyTorch", "Keras"} <= labels(kg)


def test_a_missing_input(tmp_path):
    r = CliRunner().invoke(main, ["build", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "kg.nt"), "-q"])
    assert r.exit_code == 4 and "nope.jsonl: no such file or folder" in r.output
    assert "nothing was written" in r.output and not (tmp_path / "kg.nt").exists()


def test_a_build_that_gives_nothing_leaves_the_previous_kg_as_it_was(tmp_path):
    out = tmp_path / "kg.nt"
    assert CliRunner().invoke(main, ["build", "-o", str(out), "-q"]).exit_code == 0
    before = out.read_bytes()
    (tmp_path / "empty.jsonl").write_text("\n")
    r = CliRunner().invoke(main, ["build", str(tmp_path / "empty.jsonl"), "-o", str(out), "-q"])
    assert r.exit_code == 4 and out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", "kg.nt"]  # no temporary file left


def test_a_folder_with_unrelated_files(tmp_path):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1")), "README.md": b"# notes\n", "notes.txt": b"just notes\n",
                             "figure.png": b"\x89PNG\r\n\x1a\n\x00\x00", "table.csv": b"a,b\n1,2\n",
                             "sub/data.bin": bytes(range(256))})
    assert r.exit_code == 0 and papers(kg) == {"P1"} and not skipped(r)


def test_a_json_array_file_is_not_jsonl(tmp_path):
    r, kg = build(tmp_path, {"a.json": f"[{record('P1')}]".encode()})
    assert r.exit_code == 4 and skipped(r) == [f"skipped: {tmp_path}/in/a.json:1: a JSON array, not JSON Lines: "
                                               "dlkg reads one JSON object per line (convert it with: jq -c '.[]' FILE)"]


def test_a_pretty_printed_json_file_is_named_once_with_the_fix(tmp_path):
    pretty = json.dumps([json.loads(record("P1")), json.loads(record("P2"))], indent=2).encode()
    r, kg = build(tmp_path, {"a.jsonl": pretty})
    assert r.exit_code == 4 and len(skipped(r)) == 1 and "one JSON object per line" in r.output
    one = json.dumps(json.loads(record("P1")), indent=2).encode()  # one record, pretty-printed
    (tmp_path / "again").mkdir()
    r, kg = build(tmp_path / "again", {"a.jsonl": one})
    assert r.exit_code == 4 and len(skipped(r)) == 1 and "a JSON document, not JSON Lines" in r.output


def test_answers_that_are_null_numbers_or_empty(tmp_path):
    line = json.dumps({"id": "P1", "source": "x", "answers": [{"cq": "CQ1", "answer": None}, {"cq": 2, "answer": 42},
                                                               {"cq": "cq3", "answer": ""}]})
    r, kg = build(tmp_path, {"a.jsonl": jsonl(line)})
    assert r.exit_code == 0 and papers(kg) == {"P1"}


# ---------------------------------------------------------------- hostile text

def test_a_10_mb_answer_is_cut_and_reported(tmp_path):
    huge = (GOOD + " ") * (10_000_000 // (len(GOOD) + 1))
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1", answers=(("CQ17", huge),)), record("P2"))})
    assert r.exit_code == 3 and f"a.jsonl:1: answer #1 (CQ17) has {len(huge):,} characters" in r.output
    assert "only the first 1,000,000 are read" in r.output
    assert papers(kg) == {"P1", "P2"} and "PyTorch" in labels(kg)


@pytest.mark.parametrize("text, expected", [
    ("**Framework:** We used `PyTorch` on an *NVIDIA Tesla V100* GPU.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n```py\nimport torch\n```",
     {"PyTorch"}),
    ("<p>The model was trained with <b>PyTorch</b> on a <i>Tesla V100</i>.</p><script>alert('x')</script>", {"PyTorch"}),
    (r"We trained with \textbf{PyTorch} and a learning rate of $10^{-4}$ on a Tesla V100 \cite{x}.", {"PyTorch"}),
    ("We used PyTorch 🔥🚀 on a Tesla V100 GPU 💻.", {"PyTorch"}),
    ("استخدمنا PyTorch على بطاقة Tesla V100. השתמשנו ב-PyTorch.", {"PyTorch"}),
    ("We used PyTorch\x00\x07\x1b[31m on a Tesla V100\x08 GPU.\ud800", {"PyTorch"}),
])
def test_hostile_text_builds_valid_rdf(tmp_path, text, expected):
    (tmp_path / "learned").mkdir(), (tmp_path / "rules").mkdir()
    r, kg = build(tmp_path / "learned", {"a.jsonl": jsonl(record("P1", answers=(("CQ17", text),)))})
    assert r.exit_code == 0 and "P1" in papers(kg)  # parsed back: valid RDF
    # the rules read the names through the noise; whether the learned decision keeps a framework named in the
    # regularisation answer is its call, close for a one-sentence answer, and not what is tested here
    r, kg = build(tmp_path / "rules", {"a.jsonl": jsonl(record("P1", answers=(("CQ17", text),)))}, "--rules-only")
    assert r.exit_code == 0 and expected <= labels(kg)


def test_urls_with_spaces_and_trailing_punctuation(tmp_path):
    text = ("The code is available at https: //github. com/someone/batnet. The data are at "
            "(https://zenodo.org/record/123456), see also <https://github.com/a/b>; and https://example.org/a%20b?x=1#frag.")
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1", answers=(("CQ20", text),)))})
    from dlkg.namespaces import DLKG
    urls = {str(u) for u in kg.objects(None, DLKG.url)}
    assert "https://github.com/someone/batnet" in urls
    assert not any(u.endswith((".", ")", ";", ",", ">")) or " " in u for u in urls)


@pytest.mark.parametrize("phrase, value", [
    ("a learning rate of 1e-4", "0.0001"), ("a learning rate of 10⁻⁴", "0.0001"), ("a learning rate of 1 × 10−4", "0.0001"),
    ("a learning rate of 0. 001", "0.001"), ("1,000 epochs", 1000), ("a batch size of 32", 32),
])
def test_numbers_as_llms_write_them(tmp_path, phrase, value):
    r, kg = build(tmp_path, {"a.jsonl": jsonl(record("P1", answers=(("CQ13", f"The model was trained with {phrase}."),)))})
    from decimal import Decimal
    assert r.exit_code == 0 and (Decimal(value) if isinstance(value, str) else value) in values(kg)


@pytest.mark.parametrize("pid", ['Paper "1" <script>#frag%20(x)', "a b\tc\nd", "Publicação_1", "../../etc/passwd",
                                 "x" * 500, "{}|\\^`"])
def test_ids_and_names_that_would_break_iris(tmp_path, pid):
    name = f'our {pid[:40]} network'
    text = f'We used a custom dataset of 1,000 images called "{pid}" and PyTorch. The model is {name}.'
    line = record(pid, answers=(("CQ17", GOOD), ("CQ1", text)), title=f"<b>{pid}</b>", doi=f"10.1/{pid}")
    r, kg = build(tmp_path, {"a.jsonl": jsonl(line)})
    assert r.exit_code == 0 and papers(kg) == {pid.strip()}


def test_a_library_user_sees_skipped_records_and_totals_in_the_log(tmp_path, caplog):
    """Through the Python API there is no CLI to print problems: they go to the "dlkg" logger, named by file and line."""
    import logging

    import dlkg

    path = tmp_path / "answers.jsonl"
    path.write_bytes(jsonl(record(), "{not json", record(pid="Publication_2")))
    with caplog.at_level(logging.INFO, logger="dlkg"):
        result = dlkg.build([path])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and f"{path}:2" in warnings[0]
    assert any("built 2 papers" in r.getMessage() and "1 problems" in r.getMessage()
               for r in caplog.records if r.levelno == logging.INFO)
    assert result.papers == 2 and len(result.problems) == 1

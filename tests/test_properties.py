"""Property-based tests (hypothesis) for IRI minting, number parsing and the answer readers, and a fuzz run of the
ingest and extraction over random mutations of corpus records."""
from __future__ import annotations

import gzip
import json
import random
from decimal import Decimal

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlkg.errors import InputError
from dlkg.extract import parse_value
from dlkg.graph import paper_segment, slug
from dlkg.ingest import read_jsonl, repair_text
from dlkg.namespaces import DEFAULT_RESOURCE_BASE

from conftest import shared

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------- IRIs
@FAST
@given(st.text())
def test_slug_is_a_short_safe_segment_for_any_text(text):
    s = slug(text)
    assert s and len(s) <= 70 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in s)
    assert slug(text) == s


@FAST
@given(st.text(min_size=1))
def test_paper_iris_are_valid_and_keep_ids_apart(text):
    iri = f"{DEFAULT_RESOURCE_BASE}paper/{paper_segment(text)}"
    pyoxigraph.NamedNode(iri)  # raises on an invalid IRI
    pyoxigraph.NamedNode(f"{iri}/answer/{slug(text)}/CQ1")
    assert paper_segment(text + "x") != paper_segment(text)


def plain(text: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in " ._+-") for c in text)


@FAST
@given(st.text(), st.text())
def test_distinct_odd_names_get_distinct_slugs(a, b):
    """Plain names may share a slug ("ResNet 50", "resnet-50"); names with any other character carry a hash."""
    if a != b and not plain(a) and not plain(b):
        assert slug(a) != slug(b)


# ---------------------------------------------------------------- numbers
@FAST
@given(st.integers(min_value=0, max_value=10**12))
def test_integers_with_and_without_thousands_separators(n):
    assert parse_value(str(n)) == n and parse_value(f"{n:,}") == n


@FAST
@given(st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=6, allow_nan=False))
def test_decimals_keep_their_value(d):
    text = format(d, "f")
    assert Decimal(parse_value(text)) == d


@FAST
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=12))
def test_powers_of_ten_as_llms_write_them(mantissa, k):
    sup = str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    expected = Decimal(f"{mantissa}e-{k}")
    for written in (f"{mantissa}e-{k}", f"{mantissa} × 10⁻{sup}", f"{mantissa} × 10−{k}", f"{mantissa}x10^-{k}",
                    f"${mantissa} \\times 10^{{-{k}}}$".replace(" \\times ", " × ")):
        assert parse_value(repair_text(written).strip("$")) == expected, written
    if mantissa == 1:
        assert parse_value(repair_text(f"10⁻{sup}")) == expected


# ---------------------------------------------------------------- readers
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
records = st.fixed_dictionaries({}, optional={
    "id": json_values | st.text(), "source": json_values | st.text(), "title": json_values, "doi": json_values,
    "answers": st.lists(st.fixed_dictionaries({}, optional={"cq": json_values | st.sampled_from(["CQ1", "cq28", 5, "CQ0"]),
                                                            "answer": json_values | st.text()}) | json_values, max_size=4)})


@FAST
@given(st.lists(records | json_values, min_size=1, max_size=5))
def test_the_jsonl_reader_never_raises_and_accounts_for_every_line(tmp_path, lines):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"".join(json.dumps(v).encode("utf-8", "backslashreplace") + b"\n" for v in lines))
    problems: list[InputError] = []
    papers = list(read_jsonl(path, problems.append))
    read_lines = {int(p.origin.rsplit(":", 1)[1]) for p in papers}
    assert read_lines | {p.line for p in problems} == set(range(1, len(lines) + 1))  # every line read or reported
    for p in papers:
        assert p.id == p.id.strip() and p.id and all(a.cq.startswith("CQ") for a in p.answers)


@FAST
@given(st.binary(max_size=400))
def test_the_jsonl_reader_survives_any_bytes(tmp_path, data):
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(data)
    problems: list[InputError] = []
    list(read_jsonl(path, problems.append))
    assert all(isinstance(p, InputError) and str(path) in str(p) for p in problems)


# ---------------------------------------------------------------- fuzz
def mutate(line: bytes, rng: random.Random) -> bytes:
    data = bytearray(line)
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        at = rng.randrange(len(data)) if data else 0
        if kind < 0.3:
            data[at:at + 1] = bytes([rng.randrange(256)])
        elif kind < 0.5:
            del data[at:at + rng.randint(1, 50)]
        elif kind < 0.7:
            data[at:at] = rng.choice([b"\\u0000", b"\\ud800", b"\"", b"{", b"]", b"\\n", "\u202e".encode(), b"<>#%",
                                      b"\xff", b"  ", b"CQ99", b"1e-4", b"https://", b"\r\n"])
        elif kind < 0.8:
            data = data[: rng.randrange(len(data) + 1)]
        else:
            data[at:at] = data[rng.randrange(len(data)):][: rng.randint(1, 200)] if data else b""
    return bytes(data).replace(b"\n", b" ") + b"\n"


def test_fuzzed_corpus_records_never_crash_the_build(tmp_path):
    from click.testing import CliRunner

    from dlkg.cli import main
    from dlkg.validate import validate_in_batches

    rng = random.Random(20261201)
    with gzip.open(shared("corpus", "answers-434-papers-5-llms.jsonl.gz"), "rb") as fh:
        originals = [line for _, line in zip(range(60), fh)]
    fuzzed = tmp_path / "fuzzed.jsonl"
    fuzzed.write_bytes(b"".join(mutate(rng.choice(originals), rng) for _ in range(400)))
    problems: list[InputError] = []
    read = list(read_jsonl(fuzzed, problems.append))
    assert read and problems  # some survive the mutations, some do not
    sample = tmp_path / "sample.jsonl"
    sample.write_bytes(b"".join(line for line in fuzzed.read_bytes().splitlines(keepends=True)[:80]))
    out = tmp_path / "kg.nt"
    r = CliRunner().invoke(main, ["build", str(sample), "-o", str(out), "-q"])
    assert r.exit_code in (0, 3) and (r.exception is None or isinstance(r.exception, SystemExit)), r.exception
    kg = out.read_bytes()
    list(pyoxigraph.parse(kg, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert validate_in_batches([kg.decode("utf-8")]).conforms

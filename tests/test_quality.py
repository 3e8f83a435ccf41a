"""Extraction quality on the shared dev gold (../shared, present in CI): a regression guard, not a tuning target."""
import json
import subprocess
import sys

import pytest

from dlkg.build import build, write
from dlkg.rdfio import read_kg
from dlkg.evaluate import load_gold, micro, predictions, score
from dlkg.resources import ontology_dir
from dlkg.vocabulary import ontology_graph

from conftest import shared


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    result = build([shared("corpus", "seed-study-answers.jsonl")])
    path = tmp_path_factory.mktemp("dev") / "dev.ttl"
    write(result, path)
    rows = score(load_gold(shared("gold", "seed-study-gold.jsonl")), predictions(result.graph() + ontology_graph()))
    return path, rows


def test_dev_gold_micro_scores_stay_above_the_floor(dev):
    _, rows = dev
    total = micro(rows)
    assert total.f1 >= 0.68, f"micro F1 {total.f1:.3f} (P {total.precision:.3f}, R {total.recall:.3f})"
    assert total.precision >= 0.75


def test_dlkg_evaluate_agrees_with_the_reference_scorer(dev):
    path, _ = dev
    # both read the written file: the greedy one-to-one matching depends on the order triples are read in
    rows = score(load_gold(shared("gold", "seed-study-gold.jsonl")), predictions(read_kg((str(path),), with_ontology=True)))
    out = subprocess.run([sys.executable, str(shared("tools", "score_kg.py")), "--gold", str(shared("gold", "seed-study-gold.jsonl")),
                          "--kg", str(path), "--kg", str(ontology_dir()), "--json"], capture_output=True, text=True, check=True)
    reference = json.loads(out.stdout)
    ours = micro(rows)
    assert (ours.tp, ours.fp, ours.fn) == (reference["micro"]["tp"], reference["micro"]["fp"], reference["micro"]["fn"])
    for concept, r in rows.items():
        ref = reference["concepts"][concept]
        assert (r.tp, r.fp, r.fn) == (ref["tp"], ref["fp"], ref["fn"]), concept

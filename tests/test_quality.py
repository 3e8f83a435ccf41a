"""Extraction quality on the shared dev gold (../shared, present in CI): a regression guard, not a tuning target."""
from dlkg.build import build
from dlkg.evaluate import load_gold, micro, predictions, score
from dlkg.vocabulary import ontology_graph

from conftest import shared


def test_dev_gold_micro_f1_stays_above_the_floor():
    result = build([shared("corpus", "seed-study-answers.jsonl")])
    rows = score(load_gold(shared("gold", "seed-study-gold.jsonl")), predictions(result.graph() + ontology_graph()))
    total = micro(rows)
    assert total.f1 >= 0.60, f"micro F1 {total.f1:.3f} (P {total.precision:.3f}, R {total.recall:.3f})"
    assert total.precision >= 0.60

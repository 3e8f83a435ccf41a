"""Extraction output on the shipped sample (tests/data, no ../shared needed): the golden snapshot and a quality floor."""
from golden import GOLD, RECORDS, SNAPSHOT, snapshot

from dlkg.build import build
from dlkg.evaluate import load_gold, micro, predictions, score
from dlkg.vocabulary import ontology_graph


def test_extraction_is_byte_identical_to_the_golden_snapshot():
    """A change that means to alter extraction regenerates the snapshot (python tests/golden.py --snapshot)."""
    assert snapshot() == SNAPSHOT.read_text(encoding="utf-8")


def test_facts_on_the_shipped_gold_sample_stay_above_the_floor():
    """A real quality test on 13 annotated records of every writing style (in-sample: a regression guard)."""
    result = build([RECORDS])
    total = micro(score(load_gold(GOLD), predictions(result.graph() + ontology_graph())))
    assert total.tp + total.fn > 200  # the sample holds a few hundred gold facts
    assert total.f1 >= 0.64 and total.precision >= 0.68, f"P {total.precision:.3f} R {total.recall:.3f} F1 {total.f1:.3f}"

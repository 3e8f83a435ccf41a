"""The learned decision (extract/decide.py, dlkg/train.py) on a tiny hand-written training set, not corpus copies:
training is deterministic, the model file round-trips, the threshold changes what is kept, and the confidence reaches
the KG. The rules' verdicts on each candidate are checked on hand-written sentences too."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal

from dlkg.cli import main
from dlkg.errors import DlkgError
from dlkg.extract import Extractor, Fact
from dlkg.extract.decide import MODEL_VERSION, DecisionModel, Models, name_tokens, sentence_tokens
from dlkg.rdfio import parse_ntriples
from dlkg.ingest import Answer, Paper, read_papers
from dlkg.namespaces import DLKG
from dlkg.train import best_threshold, examples, fit, fit_reported, pair_records, presence_examples

# four papers: models, frameworks and hardware stated plainly, next to textbook lists, denials and hedges
PAPERS = {
    "P1": {"CQ12": "The study trains a ResNet-50 network. Other models such as VGG16 are common in the literature.",
           "CQ19": "The model was implemented in PyTorch.", "CQ20": "Training ran on an NVIDIA Tesla V100 GPU."},
    "P2": {"CQ12": "A YOLOv5 detector is used to find the animals. It does not use Faster R-CNN.",
           "CQ19": "The authors used TensorFlow and Keras.", "CQ20": "The hardware is not mentioned; GPUs are typical."},
    "P3": {"CQ12": "The pipeline relies on a U-Net for segmentation. Transformers may also be applied in future work.",
           "CQ19": "Frameworks such as PyTorch or TensorFlow are often used, but the text does not say which one.",
           "CQ20": "Experiments were run on a CPU cluster."},
    "P4": {"CQ12": "The context does not say which model was used. Typically, CNNs like AlexNet or ResNet are used.",
           "CQ19": "Implemented with Keras.", "CQ20": "An NVIDIA GeForce RTX 2080 Ti GPU was used for training."},
}
GOLD = {
    "P1": {"DeepLearningModel": ["ResNet-50"], "Framework": ["PyTorch"], "HardwareResource": ["Tesla V100|V100"]},
    "P2": {"DeepLearningModel": ["YOLOv5"], "Framework": ["TensorFlow", "Keras"]},
    "P3": {"DeepLearningModel": ["U-Net"], "HardwareResource": ["CPU cluster|CPU"]},
    "P4": {"Framework": ["Keras"], "HardwareResource": ["GeForce RTX 2080 Ti|RTX 2080 Ti"]},
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("learn")
    answers, gold = folder / "answers.jsonl", folder / "gold.jsonl"
    answers.write_text("".join(json.dumps({"id": pid, "source": "llm-a", "answers": [
        {"cq": cq, "answer": text} for cq, text in cqs.items()]}) + "\n" for pid, cqs in PAPERS.items()))
    gold.write_text("".join(json.dumps({"paper": pid, "source": "llm-a", "concepts": concepts}) + "\n"
                            for pid, concepts in GOLD.items()))
    return answers, gold


@pytest.fixture(scope="module")
def trained(files) -> DecisionModel:
    answers, gold = files
    extractor = Extractor(model=False)
    exs, counts = examples(pair_records([gold], [answers], extractor), extractor)
    return fit(exs, counts, folds=2)


def test_training_is_deterministic_and_the_model_file_round_trips(files, trained, tmp_path):
    answers, gold = files
    extractor = Extractor(model=False)
    exs, counts = examples(pair_records([gold], [answers], extractor), extractor)
    again = fit(exs, counts, folds=2)
    assert Models(again, None).to_json() == Models(trained, None).to_json()
    path = tmp_path / "model.json"
    path.write_text(Models(trained, None).to_json())
    loaded = Models.load(path)
    assert loaded.to_json() == Models(trained, None).to_json() and loaded.reported is None
    assert loaded.facts is not None
    rows = [e.row for e in exs]
    assert loaded.facts.probabilities(rows) == [trained.probability(r) for r in rows]  # vectorised == one by one
    assert {e.row.get("any:rule=negated", 0) for e in exs} == {0.0, 1.0}  # the denial of Faster R-CNN is a candidate
    # each tree is fitted on a seeded draw of the candidates: the seed is the model's, another gives other trees
    other = fit(exs, counts, folds=2, seed=1)
    assert other.trees != trained.trees and "'random_state': 1" in other.about["learner"]
    assert Models(fit(exs, counts, folds=2, seed=1), None).to_json() == Models(other, None).to_json()


def test_the_word_model_reads_the_name_and_the_sentence_and_reaches_the_decision(files, trained):
    assert name_tokens("DeepLearningModel", "ResNet-50", "CQ12") == [
        "C_DeepLearningModel", "L_resnet_50", "CL_DeepLearningModel_resnet_50", "Q_CQ12_DeepLearningModel"]
    assert sentence_tokens("We trained a ResNet-50 network.") == [
        "we", "trained", "resnet", "50", "network", "we trained", "trained resnet", "resnet 50", "50 network"]
    words = trained.words
    assert words is not None and "words" in trained.features
    # the copy is scikit-learn's TF-IDF: unknown tokens count for nothing, and a repeated sentence word is sublinear
    known = sorted(words.sentence_terms)[0]
    assert words.probability((["never seen"], [known])) == words.probability((["never seen"], [known, "never seen"]))
    assert words.probability(([], [])) == 1 / (1 + math.exp(-words.intercept))
    answers, _ = files
    extractor = Extractor(model=False)
    rows, read = [], []
    for paper in read_papers([answers], extractor.vocabulary.questions, lambda e: None):
        c = extractor.candidates(paper)
        features = extractor.features.rows(c)
        rows += [row for _, row, _ in features]
        docs = [d for _, _, d in features]
        read += words.probabilities(docs)
        assert read[-len(docs):] == [words.probability(d) for d in docs]  # a sentence's part, shared, is the same
    assert len(set(read)) > 1  # the candidates read differently
    assert trained.probabilities([{**r, "words": w} for r, w in zip(rows, read)]) != trained.probabilities(rows)


def test_the_threshold_changes_what_is_kept_and_the_confidence_reaches_the_kg(files, trained, tmp_path):
    answers, _ = files
    model = tmp_path / "model.json"
    model.write_text(Models(trained, None).to_json())
    kept = {}
    for threshold in (0.0, trained.threshold, 1.0):
        out = tmp_path / f"kg-{threshold}.nt"
        r = CliRunner().invoke(main, ["build", str(answers), "-o", str(out), "-q", "--model", str(model),
                                      "--threshold", str(threshold)])
        assert r.exit_code == 0, r.output
        g = parse_ntriples(out.read_bytes())
        confidences = [float(o) for o in g.objects(None, DLKG.confidence)]
        assert all(0 <= c <= 1 for c in confidences) and all(c >= threshold for c in confidences)
        assert all(isinstance(o, Literal) and o.datatype.endswith("#decimal") for o in g.objects(None, DLKG.confidence))
        kept[threshold] = len(set(g.subjects(DLKG.supports, None)))
    assert kept[0.0] > kept[trained.threshold] >= kept[1.0]


def test_dlkg_train_writes_a_model_that_dlkg_build_uses(files, tmp_path):
    answers, gold = files
    out = tmp_path / "m.json"
    r = CliRunner().invoke(main, ["train", "--gold", str(gold), str(answers), "-o", str(out)])
    assert r.exit_code == 0, r.output
    facts = Models.load(out).facts
    assert "4 records" in r.output and facts is not None and facts.about["records"] == 4
    r = CliRunner().invoke(main, ["build", str(answers), "-o", str(tmp_path / "kg.ttl"), "--model", str(out), "-q"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["build", str(answers), "-o", str(tmp_path / "kg.ttl"), "--rules-only", "--model", str(out)])
    assert r.exit_code == 1 and "--rules-only takes no --model" in r.output


def test_a_broken_model_file_is_named_in_a_one_line_error(files, tmp_path):
    answers, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": MODEL_VERSION, "facts": {"features": ["a"]}}))
    with pytest.raises(DlkgError, match="bad.json: not a dlkg decision model"):
        Models.load(bad)
    r = CliRunner().invoke(main, ["build", str(answers), "-o", str(tmp_path / "kg.nt"), "--model", str(bad)])
    assert r.exit_code == 1 and "bad.json" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "kg.nt").exists()


def test_best_threshold_counts_a_gold_item_once(trained):
    class E:  # the fields best_threshold reads
        def __init__(self, record, matches):
            self.record, self.concept, self.matches = record, "DeepLearningModel", frozenset(matches)
    exs = [E(("P", "s"), {0}), E(("P", "s"), {0}), E(("P", "s"), set())]
    # keeping all three: one true positive (found twice) and one false positive, P 0.5; the best two keep P 1.0
    assert best_threshold([0.9, 0.8, 0.3], exs, gold_total=1, min_precision=0.75) == 0.8


def candidates(*answers: tuple[str, str]):
    extractor = Extractor(model=False)
    return extractor.candidates(Paper("P", "test", [Answer(cq, text) for cq, text in answers]))


def verdicts(c, concept):
    return {f.label: sorted({r for _, r in f.rejected} | ({""} if f.evidence else set())) for f in c.facts
            if f.concept == concept}


def test_every_vocabulary_name_is_a_candidate_with_the_rule_that_turns_it_down():
    c = candidates(("CQ22", "The model is evaluated with the F1-score. Accuracy is never used here. "
                            "Precision may have been used as well."))
    v = verdicts(c, "PerformanceMetric")
    assert v["F1-score"] == [""]
    assert v["accuracy"] == ["negated"]
    assert v["precision"] == ["speculative"]


def test_a_setting_the_vocabulary_lacks_is_a_candidate_only():
    c = candidates(("CQ13", "The random forest used mtry = 3 and ntree of 500."))
    open_settings = {(s.name.pref_label, str(s.value), s.rejected) for s in c.settings if not str(s.name.iri)}
    assert open_settings == {("mtry", "3", "open_setting"), ("ntree", "500", "open_setting")}
    assert Extractor(model=False).decide(c).settings == []  # the rules never keep them


def test_the_reported_decision_learns_from_presence_labels(files, tmp_path):
    answers, _ = files
    labels = tmp_path / "labels.csv"
    said = {"P1": "Yes Yes Yes", "P2": "Yes Yes No", "P3": "Yes No Yes", "P4": "No Yes Yes"}
    labels.write_text("paper,source,cq,reported\n" + "".join(
        f"{pid},llm-a,{cq},{yes}\n" for pid, row in said.items() for cq, yes in zip(("CQ12", "CQ19", "CQ20"), row.split())))
    extractor = Extractor(model=False)
    rows, ys, records = presence_examples([labels], [answers], extractor)
    assert len(rows) == 12 and sum(ys) == 9 and records[0] == ("P1", "llm-a")
    model = fit_reported(rows, ys)
    assert Models(None, model).to_json() == Models(None, fit_reported(rows, ys)).to_json()  # deterministic
    out = tmp_path / "m.json"
    r = CliRunner().invoke(main, ["train", "--presence", str(labels), str(answers), "-o", str(out)])
    assert r.exit_code == 0 and "Reported from 12 labelled answers" in r.output, r.output
    assert Models.load(out).facts is None  # no gold facts: the facts stay with the rules
    decided = Extractor(model=out).extract(Paper("P5", "llm-a", [Answer("CQ12", "The study trains a ResNet-50 network.")]))
    assert decided.answers[0].reported in (True, False) and [f.label for f in decided.facts] == ["ResNet-50"]
    bad = tmp_path / "bad.csv"
    bad.write_text("paper,source,cq,reported\nP1,llm-a,CQ12,maybe\n")
    with pytest.raises(DlkgError, match="bad.csv:2"):
        presence_examples([bad], [answers], extractor)


def test_a_papers_adjacent_records_are_decided_together_and_see_what_the_others_keep():
    from dlkg.execute import paper_groups
    from dlkg.extract.pipeline import link_records

    a = Paper("P", "llm-a", [Answer("CQ12", "The study trains a ResNet-50 network.")])
    b = Paper("P", "llm-b", [Answer("CQ12", "A ResNet-50 model is used, together with a U-Net.")])
    c = Paper("Q", "llm-a", [Answer("CQ12", "A U-Net is used.")])
    assert [[p.source for p in g] for g in paper_groups([a, b, c, a])] == [["llm-a", "llm-b"], ["llm-a"], ["llm-a"]]
    extractor = Extractor(model=False)
    group = [extractor.candidates(p) for p in (a, b)]
    link_records(group)
    rows = {(c.paper.source, item.label): row for c in group for item, row, _ in extractor.features.rows(c)
            if isinstance(item, Fact)}
    assert rows["llm-a", "ResNet-50"]["others_keep_it"] == 1.0 and rows["llm-a", "ResNet-50"]["other_records"] == 1.0
    assert rows["llm-b", "U-Net"]["others_keep_it"] == 0.0
    assert rows["llm-b", "U-Net"]["others_name_it"] == 0.0
    answer_rows = {c.paper.source: extractor.features.answer_rows(c)[0] for c in group}
    assert answer_rows["llm-a"]["peers"] == 1.0 and answer_rows["llm-a"]["peers_reported_share"] == 1.0
    alone = extractor.candidates(c)
    assert {item.label: row["other_records"] for item, row, _ in extractor.features.rows(alone)}["U-Net"] == 0.0


def test_the_other_records_settings_and_turned_down_names_are_features_too():
    """A setting another LLM's record states, and a name it gives only in a sentence the rules turn down, count: the
    first as kept and named by a peer, the second as named only."""
    from dlkg.extract.pipeline import link_records

    a = Paper("P", "llm-a", [Answer("CQ13", "The learning rate was set to 0.001 and the batch size to 32."),
                             Answer("CQ19", "The model was built with PyTorch.")])
    b = Paper("P", "llm-b", [Answer("CQ13", "A learning rate of 0.001 was used."),
                             Answer("CQ19", "Frameworks such as PyTorch are commonly used for this.")])
    extractor = Extractor(model=False)
    group = [extractor.candidates(p) for p in (a, b)]
    link_records(group)
    rows = {(c.paper.source, item.label if isinstance(item, Fact) else f"{item[0].name.pref_label}={item[0].value}"): row
            for c in group for item, row, _ in extractor.features.rows(c)}
    rate = rows["llm-a", "learning rate=0.001"]
    assert rate["others_keep_it"] == 1.0 and rate["others_name_it"] == 1.0 and rate["other_records"] == 1.0
    batch = rows["llm-a", "batch size=32"]
    assert batch["others_keep_it"] == 0.0 and batch["others_name_it"] == 0.0
    torch = rows["llm-a", "PyTorch"]
    assert torch["others_keep_it"] == 0.0 and torch["others_name_it"] == 1.0 and torch["others_name_it_share"] == 1.0


def test_a_candidate_knows_how_many_of_its_concept_the_record_names_and_the_rules_keep():
    import math

    paper = Paper("P", "llm-a", [Answer("CQ12", "The study trains a ResNet-50 and a U-Net."),
                                 Answer("CQ19", "Common frameworks include TensorFlow and PyTorch.")])
    extractor = Extractor(model=False)
    rows = {item.label: row for item, row, _ in extractor.features.rows(extractor.candidates(paper)) if isinstance(item, Fact)}
    assert rows["ResNet-50"]["concept_candidates"] == rows["U-Net"]["concept_candidates"] == math.log1p(2)
    assert rows["ResNet-50"]["concept_kept"] == math.log1p(2)
    assert rows["PyTorch"]["concept_candidates"] == math.log1p(2) and rows["PyTorch"]["concept_kept"] == 0.0


def test_the_confident_facts_query_filters_on_the_confidence():
    import dlkg
    from dlkg.query import run_query

    graph = dlkg.build().graph()  # the shipped seeds, the shipped model
    every = run_query("confident-facts", graph, {"min_confidence": "0"}).as_dicts()
    sure = run_query("confident-facts", graph, {"min_confidence": "0.9"}).as_dicts()
    assert every and len(sure) < len(every)
    assert all(float(r["best"]) >= 0.9 for r in sure)
    assert {(r["identifier"], r["component"]) for r in sure} <= {(r["identifier"], r["component"]) for r in every}

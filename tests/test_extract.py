"""Extraction on small hand-written answers (not corpus copies): negation, hedging, synonyms, values, open names.

These specify the rules (the candidates and the rules' verdicts), so they run without the learned decision, which
tests/test_learned.py covers and bench/quality.py measures out of fold."""
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from dlkg.extract import Extractor, parse_value, values_after
from dlkg.extract.cues import TwinPattern
from dlkg.ingest import Answer, Paper, repair_text


@pytest.fixture(scope="module")
def extractor():
    return Extractor(model=False)


def run(extractor, *answers):
    paper = Paper("P", "test", [Answer(cq, repair_text(text)) for cq, text in answers])
    return extractor.extract(paper)


def names(result, concept):
    return sorted(f.label for f in result.facts if f.concept == concept)


def test_missing_information_is_not_reported_and_generic_advice_yields_nothing(extractor):
    r = run(extractor, ("CQ6", "The context does not provide information on preprocessing. However, common "
                               "preprocessing steps include normalization, scaling and cleaning."))
    assert r.answers[0].reported is False
    assert r.facts == []


def test_speculation_yields_no_facts(extractor):
    r = run(extractor, ("CQ15", "The optimizer is not stated, but the authors likely used Adam."))
    assert names(r, "OptimizationTechnique") == []
    assert r.answers[0].reported is False


def test_synonyms_link_to_one_entry_and_specific_beats_generic(extractor):
    r = run(extractor, ("CQ15", "Weights were optimised with stochastic gradient descent."),
            ("CQ12", "We trained a ResNet50 network."),
            ("CQ20", "Training used a GeForce RTX 2080 graphics card."))
    assert names(r, "OptimizationTechnique") == ["stochastic gradient descent"]
    assert names(r, "DeepLearningModel") == ["ResNet-50"]
    assert "NVIDIA GeForce RTX 2080" in names(r, "HardwareResource")
    assert all(a.reported for a in r.answers)


def test_explicitly_unused_things_are_not_facts(extractor):
    r = run(extractor, ("CQ17", "Dropout was applied after each dense layer; no weight decay was used."))
    assert names(r, "RegularizationMethod") == ["dropout"]


@pytest.mark.parametrize("text, expected", [
    ("0.001", Decimal("0.001")), ("1e-4", Decimal("0.0001")), ("200,000", 200000), ("32", 32),
    ("50%", "50%"), ("224 × 224", "224 × 224"),
])
def test_parse_value(text, expected):
    assert parse_value(text) == expected


def test_values_after_reads_lists():
    assert values_after(" of 0.01, 0.001 and 0.0001 were tried") == ["0.01", "0.001", "0.0001"]
    assert values_after(" was set to 64.") == ["64"]


def test_hyperparameter_settings_with_repaired_numbers(extractor):
    r = run(extractor, ("CQ13", "The network used a learning rate of 0. 001, a batch size of 32 and momentum of 0.9. "
                                "It was trained for 120 epochs with the Adam optimizer."))
    got = {(s.name.pref_label, s.value) for s in r.settings}
    assert {("learning rate", Decimal("0.001")), ("batch size", 32), ("momentum", Decimal("0.9")),
            ("epochs", 120), ("optimizer", "Adam")} <= got


def test_open_world_model_and_own_dataset(extractor):
    r = run(extractor, ("CQ12", "The study introduces the SwiftBirdNet architecture, a convolutional neural network."),
            ("CQ5", "The authors collected a custom dataset of 12,500 drone images of seals."))
    assert "SwiftBirdNet" in names(r, "DeepLearningModel")
    assert "convolutional neural network" in names(r, "DeepLearningModel")
    assert names(r, "Dataset") == ["own dataset"]


def test_code_link_and_host(extractor):
    r = run(extractor, ("CQ10", "The code is available at https://github. com/example/owl-counter."))
    assert names(r, "CodeRepositoryLink") == ["https://github.com/example/owl-counter"]
    assert names(r, "CodeRepository") == ["GitHub"]


def test_every_fact_keeps_its_evidence(extractor):
    text = "The model was implemented in PyTorch."
    r = run(extractor, ("CQ19", text))
    (fact,) = [f for f in r.facts if f.concept == "Framework"]
    ev = fact.evidence[0]
    assert (ev.cq, text[ev.start:ev.end], ev.quote) == ("CQ19", "PyTorch", "PyTorch")


def test_i_dont_know_and_framing_only_answers_are_not_reported(extractor):
    r = run(extractor, ("CQ20", "I don't know. The provided text focuses on bird migration routes."),
            ("CQ19", "The provided text focuses on the ecology of seabirds in general."))
    assert [a.reported for a in r.answers] == [False, False]


def test_after_a_not_provided_only_on_topic_evidence_makes_it_reported(extractor):
    on_topic = ("CQ22", "The context does not list all metrics. However, it does mention that the F1-score was computed.")
    off_topic = ("CQ24", "The context does not mention randomness. However, it does mention two databases, T0 and T1.")
    r = run(extractor, on_topic, off_topic)
    assert [a.reported for a in r.answers] == [True, False]


def test_a_mention_conceded_inside_a_missing_statement_is_not_reported(extractor):
    conceded = ("CQ19", "While the text mentions libraries such as TensorFlow in general, it does not state which framework was used.")
    isnt_any = ("CQ7", "Unfortunately, there isn't any information about splitting the data. Typically, data is split 70/20/10.")
    r = run(extractor, conceded, isnt_any)
    assert [a.reported for a in r.answers] == [False, False]
    assert r.facts == [] and r.settings == []


@pytest.mark.parametrize("text", ["It is NOT given; such as X", "not given, such as X", "not\vgiven such as X",
                                  "not\x1cgiven such as X", "not\ngiven such as", "naïve not given such as", "not givenness such as"])
def test_the_re2_twin_of_a_pattern_answers_as_re_does(text):
    pattern = r"\bnot\s+(?:given|stated)\b[^.;]*\bsuch as\b"
    assert TwinPattern(pattern, re.I).search(text) == bool(re.search(pattern, text, re.I))


ECHOES = [("CQ22", "The evaluation includes accuracy and precision."),
          ("CQ22", "The evaluation includes accuracy, precision and recall.")]


def test_naming_every_example_the_question_gave_is_an_echo_and_some_of_them_is_not(extractor):
    assert [a.reported for a in run(extractor, *ECHOES).answers] == [True, False]


def test_the_same_answers_give_the_same_result_in_any_process():
    """Python salts string hashes per process: no result may depend on the order of a set of strings."""
    script = ("from dlkg.extract import Extractor; from dlkg.ingest import Answer, Paper; "
              f"p = Paper('P', 't', [Answer(c, t) for c, t in {ECHOES!r}]); "
              "r, m = Extractor(model=False).extract(p), Extractor().extract(p); "
              "print([a.reported for a in r.answers], sorted(f.label for f in r.facts), "
              "[a.reported for a in m.answers], sorted((f.label, f.confidence) for f in m.facts))")
    outputs = {subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "4")}
    assert len(outputs) == 1 and outputs.pop().startswith("[True, False]")


def test_textbook_overview_without_the_paper_yields_no_facts(extractor):
    r = run(extractor, ("CQ26", "Data bias can be handled in several ways. Oversampling involves duplicating examples "
                                "of the minority class, and undersampling typically removes examples of the majority class."))
    assert r.facts == [] and r.answers[0].reported is False


def test_raw_data_phrases_keep_what_the_data_shows(extractor):
    r = run(extractor, ("CQ1", "The authors deployed recorders that captured nocturnal frog audio recordings, and "
                               "drones took photographs of the wetland."))
    assert set(names(r, "RawData")) == {"nocturnal frog audio recordings", "photographs of wetland"}


def test_hardware_memory_and_device_head_nouns(extractor):
    r = run(extractor, ("CQ20", "Training used 32 GB of RAM, an Intel Core i7 3.60 GHz CPU and a Quadro RTX 8000 GPU."))
    assert set(names(r, "HardwareResource")) == {"32 GB RAM", "Intel Core i7", "NVIDIA Quadro RTX 8000"}


def test_cited_work_is_not_the_papers_pipeline(extractor):
    r = run(extractor, ("CQ17", "Srivastava et al. (2014) proposed dropout to prevent overfitting."),
            ("CQ5", "The model was pre-trained on the COCO dataset (Lin et al., 2014)."))
    assert names(r, "RegularizationMethod") == []
    assert names(r, "Dataset") == ["COCO"]


def test_resized_images_give_the_input_size_and_per_model_values(extractor):
    r = run(extractor, ("CQ6", "All images were resized to 224 × 224 pixels before training."),
            ("CQ13", "Batch size: varies by model (64 for VGG-16, 32 for ResNet-50, and 16 for DenseNet-121)."))
    got = {(s.name.pref_label, s.value) for s in r.settings}
    assert ("input size", "224 × 224") in got
    assert {("batch size", 64), ("batch size", 32), ("batch size", 16)} <= got


def test_a_question_restated_over_a_grab_bag_list_is_the_textbook_overview(extractor):
    overview = run(extractor, ("CQ24", "The strategies employed to handle randomness in the deep learning pipeline "
                                      "include fixing the random seed, cross-validation and dropout."))
    assert names(overview, "RandomnessStrategy") == [] and names(overview, "RegularizationMethod") == []
    one_kind = run(extractor, ("CQ4", "The data augmentation techniques applied in the deep learning pipeline "
                                     "include flipping, rotation and shearing."))
    assert len(names(one_kind, "DataAugmentationTechnique")) == 3
    anchored = run(extractor, ("CQ24", "The strategies employed to handle randomness in the deep learning pipeline "
                                      "include a fixed random seed of 7 and dropout."))
    assert names(anchored, "RandomnessStrategy") != []


def test_a_named_device_replaces_its_generic_class(extractor):
    r = run(extractor, ("CQ20", "The network was trained on an NVIDIA TITAN Xp. GPUs made training fast."),
            ("CQ12", "A ResNet-50, a CNN, was trained."))
    assert [n for n in names(r, "HardwareResource") if "TITAN" in n] and "GPU" not in names(r, "HardwareResource")
    # models keep both, as the annotation guidelines ask
    assert names(r, "DeepLearningModel") == ["ResNet-50", "convolutional neural network"]


def test_a_rate_given_after_with_belongs_to_the_technique(extractor):
    r = run(extractor, ("CQ13", "Dropout is applied before the two dense layers with probability 0.3, and L2 "
                                "regularization with a coefficient of 0.0005; the head has 3 layers."))
    got = {(s.name.pref_label, s.value) for s in r.settings}
    assert ("dropout rate", Decimal("0.3")) in got and ("weight decay", Decimal("0.0005")) in got
    assert not any(name == "number of layers" and value != 3 for name, value in got)


def test_a_list_longer_than_the_questions_examples_is_the_papers_own(extractor):
    echo = run(extractor, ("CQ22", "Performance is measured with metrics such as accuracy, precision and recall."))
    assert names(echo, "PerformanceMetric") == []
    own = run(extractor, ("CQ22", "Performance is measured with metrics such as accuracy, precision, recall and "
                                  "mean average precision."))
    assert names(own, "PerformanceMetric") == ["accuracy", "mean average precision", "precision", "recall"]


def test_reference_list_entries_are_cited_work(extractor):
    r = run(extractor, ("CQ19", "Models were trained in PyTorch. Elias, A. R. , Golubovic, N. , & Wolski, R. (2017). "
                                "Where's the bear? In Proceedings of the IEEE Conference on IoT, pp. 247-258."))
    assert names(r, "Framework") == ["PyTorch"]


def test_a_reference_entrys_doi_is_not_the_papers_code_link(extractor):
    r = run(extractor, ("CQ10", "The code is at https://github.com/example/wetlands. Beuel, S., Alvarez, M., Amler, E., "
                                "2016. A rapid assessment of disturbances in wetlands. Ecol. Indic. 67, 684–692. "
                                "<https://doi.org/10.1016/j.ecolind.2016.03.034>. Uwimana, C., See, L., 2018. Assessing "
                                "wetland use. Remote Sens. 10, 115. <https://doi.org/10.3390/rs10010115>."))
    assert names(r, "CodeRepositoryLink") == ["https://github.com/example/wetlands"]


def test_a_link_quoted_from_cited_work_is_not_the_papers(extractor):
    r = run(extractor, ("CQ11", "The data are on Zenodo: https://doi.org/10.5281/zenodo.8348734. The second article by "
                                "Ripoche et al. (2019) also mentions that data are available on request "
                                "(<https://doi.org/10.1093/jme/tjz002>)."))
    assert names(r, "DataRepositoryLink") == ["https://doi.org/10.5281/zenodo.8348734"]


def test_an_anaphor_keeps_the_papers_step_and_considered_as_is_a_hedge(extractor):
    r = run(extractor, ("CQ21", "Postprocessing is not described in detail. However, the text mentions a mask cleanup step. "
                                "This involves thresholding of the predicted masks."))
    assert "thresholding" in names(r, "PostprocessingStep")
    hedge = run(extractor, ("CQ23", "A fifth of the data was held out. This can be considered a form of cross-validation."))
    assert names(hedge, "GeneralizabilityMeasure") == []


def test_a_which_clause_explains_rather_than_names(extractor):
    r = run(extractor, ("CQ25", "The purpose of the model is image segmentation, which involves detecting the pixels of "
                                "each fish."))
    assert names(r, "ModelPurpose") == ["image segmentation"]


def test_no_model_sprouts_when_the_model_answer_finds_none(extractor):
    r = run(extractor, ("CQ12", "The text does not mention any deep learning model; the study fits a random forest."),
            ("CQ2", "The data are images, the kind of data CNNs are typically used for."),
            ("CQ25", "The purpose is to map land cover. The analysis might also use an LSTM in future work."))
    assert names(r, "DeepLearningModel") == []
    named = run(extractor, ("CQ12", "The pipeline uses a U-Net."), ("CQ13", "The ResNet-50 encoder was frozen."))
    assert names(named, "DeepLearningModel") == ["ResNet-50", "U-Net"]


def test_work_by_named_authors_is_cited_work(extractor):
    r = run(extractor, ("CQ12", "In the study by Kumar and Gorai (2023), a deep neural network was compared with a CNN."))
    assert names(r, "DeepLearningModel") == []


def test_values_as_written_flattened_powers_markdown_and_counts_that_end_training(extractor):
    r = run(extractor, ("CQ13", "* **Learning rate:** 10 -3\n* **Batch size:** 16\n* **Input size:** 224 × 224 pixels"),
            ("CQ16", "The network training was stopped after 70 epochs. The learning rate was reduced after 10 epochs."))
    got = {(s.name.pref_label, s.value_text) for s in r.settings}
    assert {("learning rate", "0.001"), ("batch size", "16"), ("input size", "224 × 224"), ("epochs", "70")} <= got
    assert ("epochs", "10") not in got  # a count after "reduced after" schedules; it does not end the training
    assert values_after(" of 10-20 epochs") == ["10", "20"]  # a range, not 10^-20


def candidate(extractor, concept, label, *answers):
    """The candidate fact of this concept and label, with the rules that turn its mentions down ([] if kept)."""
    paper = Paper("P", "test", [Answer(cq, repair_text(text)) for cq, text in answers])
    found = [f for f in extractor.candidates(paper).facts if f.concept == concept and f.label == label]
    return found[0] if found else None


def test_data_told_by_how_it_was_made_is_an_own_dataset_candidate(extractor):
    fact = candidate(extractor, "Dataset", "own dataset", ("CQ1", "The images were captured with camera traps."),
                     ("CQ5", "A dedicated plant cover dataset was used to train the model."))
    assert fact is not None and not fact.evidence  # candidates for the learned decision; the rules keep neither
    assert [why for _, why in fact.rejected] == ["own_data", "own_data"]
    # a named dataset is what the sentence describes
    assert candidate(extractor, "Dataset", "own dataset", ("CQ5", "The images were taken from the ImageNet dataset.")) is None
    assert candidate(extractor, "Dataset", "own dataset", ("CQ5", "The training dataset holds most images.")) is None


def test_list_headings_and_names_in_sentences_the_rules_turn_down_stay_candidates(extractor):
    text = ("The text describes these steps:\n* **Categorical Encoding:** columns are mapped to categories.\n"
            "2. Tokenization: text is split into words.\n* **Normalization:** values are scaled.")
    steps = {f.label: [why for _, why in f.rejected] for f in
             extractor.candidates(Paper("P", "test", [Answer("CQ6", text)])).facts if f.concept == "PreprocessingStep"}
    assert steps["Categorical Encoding"] == ["list_heading"] and steps["Tokenization"] == ["list_heading"]
    assert "Normalization" not in steps  # the vocabulary's name already: one candidate, not two
    # a hedged sentence's open-world names are candidates with the sentence's role as the reason
    fact = candidate(extractor, "RawData", "bird audio recordings",
                     ("CQ1", "Such pipelines might use bird audio recordings, depending on the application."))
    assert fact is not None and not fact.evidence and fact.rejected


def test_glued_settings_sizes_anywhere_and_the_optimiser_of_the_optimisation_answer(extractor):
    paper = Paper("P", "test", [
        Answer("CQ13", "The text only mentions epochs=500 and image size=640 pixels; max_depth=10 was used."),
        Answer("CQ3", "The photos were converted to 64*64 pixels. Crops with dimensions (128x128x3) were stored."),
        Answer("CQ15", "The weights were updated with Adam.")])
    c = extractor.candidates(paper)
    got = {(s.name.pref_label, s.value_text): s.rejected for s in c.settings}
    # "name=value" is three words: the vocabulary's name is read with its value; an unknown name is an open setting
    assert ("epochs", "500") in got and ("input size", "640") in got
    assert got[("max_depth", "10")] == "open_setting"
    # a size resized into is the rules' own; a size elsewhere is a candidate for the learned decision only
    assert got[("input size", "64*64")] == ""
    assert got[("input size", "128x128x3")] == "size_only"
    assert got[("optimizer", "Adam")] == "not_asked"  # the optimisation answer's optimiser, outside the settings' question
    assert ("optimizer", "Adam") not in {(s.name.pref_label, s.value_text) for s in c.rules_kept()[1]}
    assert values_after(" of 1200 by 800 pixels") == ["1200 by 800"]


def test_counts_of_parts_lists_of_values_and_the_number_of_a_setting(extractor):
    paper = Paper("P", "test", [
        Answer("CQ15", "The network has 22 convolutional layers, two input nodes and one output node; a forest of 100 "
                       "trees was compared. It is a two layer network, and one of the layers was frozen."),
        Answer("CQ13", "The grid search tried:\n\n* depth: 2, 3, or 4\n\nAdditionally, the number of anchors is set to "
                       "7,000.")])
    c = extractor.candidates(paper)
    got = {(s.name.pref_label, s.value_text): s.rejected for s in c.settings}
    # a count of a network's parts, in any answer, is "number of ..." for the learned decision only
    assert {k for k, why in got.items() if why == "count_phrase"} == {
        ("number of convolutional layers", "22"), ("number of input nodes", "2"), ("number of output nodes", "1"),
        ("number of trees", "100")}  # not "two layer network" (no count) nor "one of the layers"
    # an open setting with a list of values gives each; "the number of" stays in its name
    assert {v for (name, v), why in got.items() if name == "depth" and why == "open_setting"} == {"2", "3", "4"}
    assert got[("number of anchors", "7,000")] == "open_setting"

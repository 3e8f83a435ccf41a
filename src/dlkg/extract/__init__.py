"""Extraction: answer texts -> facts. One module per job, in the order a sentence meets them:

cues (the language data, ontology/language/cues.toml) -> roles (sentence roles, hedging) -> matcher (vocabulary
names) -> negation -> echoes (the question's own examples) -> values (settings) -> links -> open_names -> reported
(the rules' Reported call) propose candidates, each with the rules' verdict; decide (the learned decision) keeps
the facts and makes the Reported call; pipeline runs them (`Extractor`) and results holds what comes out.
"""
from .pipeline import Extractor, make_nlp
from .results import AnswerResult, Evidence, Fact, PaperFacts, Setting
from .values import parse_value, values_after

__all__ = ["AnswerResult", "Evidence", "Extractor", "Fact", "PaperFacts", "Setting", "make_nlp", "parse_value",
           "values_after"]

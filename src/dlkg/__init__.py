"""dlkg: knowledge graphs of deep-learning pipelines from LLM answers to competency questions about papers.

The public API, usable from a notebook as well as from the `dlkg` command:

    import dlkg
    result = dlkg.build(["answers.jsonl"])          # extract and map every paper, in memory
    dlkg.write(result, "kg.ttl")                    # Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads
    dlkg.build_to(["big.jsonl"], out="kg.nt", jobs=2)   # stream paper by paper: memory stays flat
    graph = dlkg.read_kg(["kg.ttl"], with_ontology=True)

The stages live in their own modules: ingest -> extract -> graph -> build (write) -> validate -> query / store;
e.g. `dlkg.validate.validate(graph)` and `dlkg.query.run_query("papers-using-model-on-gpu", graph, {"model": "Mask R-CNN"})`.
Skipped records and build totals go to the "dlkg" logger (`logging.basicConfig(level=logging.INFO)` shows them).
"""
import logging

from .build import build, build_to, write
from .execute import BuildResult
from .rdfio import read_kg

logging.getLogger(__name__).addHandler(logging.NullHandler())  # a library logs only where its user configures it

__version__ = "0.1.0"
__all__ = ["BuildResult", "build", "build_to", "read_kg", "write", "__version__"]

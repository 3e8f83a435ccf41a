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
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .build import build, build_to, write
from .rdfio import read_kg

if TYPE_CHECKING:
    from .execute import BuildResult

logging.getLogger(__name__).addHandler(logging.NullHandler())  # a library logs only where its user configures it

__version__ = "0.1.0"
__all__ = ["BuildResult", "build", "build_to", "read_kg", "write", "__version__"]

def __getattr__(name: str) -> Any:
    """BuildResult is imported on first use (PEP 562): with it come the extractor and spaCy, which take most of a
    second to import and which `dlkg query`, `show` or `report` never need."""
    if name == "BuildResult":
        from .execute import BuildResult

        return BuildResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

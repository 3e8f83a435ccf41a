"""dlkg: knowledge graphs of deep-learning pipelines from LLM answers to competency questions about papers.

The public API, usable from a notebook as well as from the `dlkg` command:

    import dlkg
    result = dlkg.build(["answers.jsonl"])          # extract and map every paper
    dlkg.write(result, "kg.ttl")                    # Turtle, N-Triples, JSON-LD, RDF/XML, TriG
    report = dlkg.validate(result.graph())          # SHACL
    rows = dlkg.run_query("papers-using-model-on-gpu", graphs=[result.graph()], params={"model": "Mask R-CNN"})
"""
from .build import BuildResult, build, write

__version__ = "0.1.0"
__all__ = ["BuildResult", "build", "write", "__version__"]

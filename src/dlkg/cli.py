"""The `dlkg` command: a thin layer over the Python API (build, validate, query, load, evaluate)."""
from __future__ import annotations

import sys

import click

from .build import build, format_for, read_kg, write
from .errors import DlkgError
from .namespaces import DEFAULT_RESOURCE_BASE
from .vocabulary import ontology_graph

EXIT_SKIPPED = 3


def _fail(exc: DlkgError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlkg")
def main() -> None:
    """Build, validate and query knowledge graphs of the deep-learning pipelines described in papers.

    Input: LLM answers to 28 competency questions per paper (JSONL, folders of per-CQ text files, prompt dumps).
    Output: RDF that follows the dlkg ontology, ready for Protégé, a triple store and the saved queries.
    """


@main.command("build")
@click.argument("inputs", nargs=-1, type=click.Path(exists=False))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="Output file; format from the extension: .ttl .nt .jsonld .rdf/.owl .trig .nq")
@click.option("--with-ontology", is_flag=True, help="Also write the ontology (TBox) and the vocabulary.")
@click.option("--base", default=DEFAULT_RESOURCE_BASE, show_default=True, help="Namespace of the KG's resources.")
@click.option("--strict", is_flag=True, help="Fail (write nothing) if any input record cannot be read.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def build_cmd(inputs: tuple[str, ...], out: str, with_ontology: bool, base: str, strict: bool, quiet: bool) -> None:
    """Build a KG from INPUTS (JSONL files or folders; default: the shipped seeds/).

    Records that cannot be read are reported with file and line and skipped; the exit code is then 3
    (or 1 with --strict, which writes nothing).
    """
    from tqdm import tqdm

    try:
        format_for(out)
        bar = tqdm(unit=" papers", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)
        result = build(inputs or None, base=base, on_paper=lambda _: bar.update())
        bar.close()
        for problem in result.problems:
            click.echo(f"skipped: {problem}", err=True)
        if strict and result.problems:
            raise DlkgError(f"{len(result.problems)} input record(s) could not be read; nothing written (--strict)")
        write(result, out, with_ontology=with_ontology)
    except DlkgError as exc:
        _fail(exc)
    if not quiet:
        click.echo(f"{result.papers} papers, {result.answers} answers ({result.reported} reported) -> {out}", err=True)
    if result.problems:
        sys.exit(EXIT_SKIPPED)


@main.command("validate")
@click.argument("kg", nargs=-1, required=True, type=click.Path())
def validate_cmd(kg: tuple[str, ...]) -> None:
    """Check KG files against dlkg's SHACL shapes; exit 0 when they conform, 1 when not."""
    from .validate import validate

    try:
        report = validate(read_kg(kg))
    except DlkgError as exc:
        _fail(exc)
    click.echo(report.text())
    sys.exit(0 if report.conforms else 1)


@main.command("queries")
def queries_cmd() -> None:
    """List the saved queries: name, title and parameters."""
    from .query import list_queries

    for q in list_queries():
        params = " ".join(f"--param {p.name}=..." for p in q.params)
        click.echo(f"{q.name}\n    {q.title}" + (f"\n    {params}: {'; '.join(p.description for p in q.params)}" if params else ""))


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise DlkgError(f"--param expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


@main.command("query")
@click.argument("name")
@click.option("--kg", multiple=True, type=click.Path(), help="KG file(s) to query (the ontology and vocabulary are added).")
@click.option("--endpoint", help="SPARQL endpoint URL to query instead of files.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query_cmd(name: str, kg: tuple[str, ...], endpoint: str | None, params: tuple[str, ...], fmt: str) -> None:
    """Run the saved query NAME (a file stem in queries/, or a .rq file) on KG files or an endpoint."""
    from .query import run_query

    try:
        if bool(kg) == bool(endpoint):
            raise DlkgError("give either --kg FILE ... or --endpoint URL")
        graphs = [read_kg(kg, with_ontology=True)] if kg else []
        result = run_query(name, graphs, _params(params), endpoint=endpoint)
    except DlkgError as exc:
        _fail(exc)
    click.echo(result.render(fmt))


@main.command("load")
@click.argument("kg", nargs=-1, required=True, type=click.Path())
@click.option("--endpoint", required=True, help="SPARQL query endpoint URL (e.g. http://127.0.0.1:7878/query).")
@click.option("--update-endpoint", help="SPARQL update endpoint URL (default: derived from --endpoint).")
@click.option("--with-ontology/--without-ontology", default=True, show_default=True,
              help="Also load the ontology and vocabulary into their own named graph.")
def load_cmd(kg: tuple[str, ...], endpoint: str, update_endpoint: str | None, with_ontology: bool) -> None:
    """Load KG files into a SPARQL 1.1 store, one named graph per paper; loading a paper again replaces it."""
    from .store import ONTOLOGY_GRAPH, load, paper_graphs

    try:
        graphs = paper_graphs(read_kg(kg))
        if with_ontology:
            graphs.append((ONTOLOGY_GRAPH, ontology_graph()))
        n = load(graphs, endpoint, update_endpoint)
    except DlkgError as exc:
        _fail(exc)
    click.echo(f"loaded {n} named graph(s) into {update_endpoint or endpoint}")


@main.command("evaluate")
@click.option("--gold", required=True, type=click.Path(exists=True, dir_okay=False), help="Gold facts (JSONL).")
@click.argument("kg", nargs=-1, required=True, type=click.Path())
def evaluate_cmd(gold: str, kg: tuple[str, ...]) -> None:
    """Score KG files against gold facts: precision, recall and F1 per concept, and micro averages."""
    from .evaluate import load_gold, predictions, render, score

    try:
        rows = score(load_gold(gold), predictions(read_kg(kg, with_ontology=True)))
    except DlkgError as exc:
        _fail(exc)
    click.echo(render(rows))


if __name__ == "__main__":
    main()

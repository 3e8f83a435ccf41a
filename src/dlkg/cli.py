"""The `dlkg` command: a thin layer over the Python API (build, validate, queries, query, stats, show, table, load,
evaluate, train, report)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from .rdfio import format_for, read_kg
from .errors import DlkgError, NoPapers, NothingBuilt
from .namespaces import DEFAULT_RESOURCE_BASE
from .vocabulary import ontology_graph

EXIT_SKIPPED = 3
EXIT_NOTHING = 4


def _fail(exc: DlkgError) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_NOTHING if isinstance(exc, NoPapers) else 1)


class _Commands(click.Group):
    """Any DlkgError a command lets through (a missing resource, a broken data file) is one line and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DlkgError as exc:
            _fail(exc)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlkg")
def main() -> None:
    """Build, validate and query knowledge graphs of the deep-learning pipelines described in papers.

    Input: LLM answers to 28 competency questions per paper (JSONL, folders of per-CQ text files, prompt dumps).
    Output: RDF that follows the dlkg ontology, ready for Protégé, a triple store and the saved queries.
    """


def _open_store(path: str, read_only: bool = False):
    from .store import DiskStore
    return DiskStore(path, read_only=read_only)


store_option = click.option("--store", "store_dir", type=click.Path(file_okay=False),
                            help="A dlkg store directory (Oxigraph on disk) instead of KG files.")
endpoint_option = click.option("--endpoint", help="A SPARQL query endpoint URL (e.g. http://127.0.0.1:7878/query).")
kg_option = click.option("--kg", "kg_option", multiple=True, type=click.Path(),
                         help="A KG file (repeatable); the same as giving it as an argument.")


def _read_kg(kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None, endpoint: str | None):
    """The store a reading command works on (KG files in an in-memory Oxigraph store, a store directory, or an
    endpoint); one that holds no paper is an error (exit 4), not empty tables."""
    from .query import require_papers
    from .store import open_store

    files = kg + kg_option
    target = open_store(files, store_dir, endpoint)
    require_papers(target, endpoint or store_dir or ", ".join(files))
    return target


@main.command("build")
@click.argument("inputs", nargs=-1, type=click.Path(exists=False))
@click.option("-o", "--output", "out", type=click.Path(),
              help="Output file; format from the extension: .ttl .nt .jsonld .rdf/.owl .trig .nq "
                   "(a directory with --executor dask)")
@click.option("--store", "store_dir", type=click.Path(file_okay=False),
              help="Write into a store directory instead (created if missing): one named graph per paper, "
                   "replaced when the paper is built again; for KGs too big to re-parse.")
@click.option("--with-ontology", is_flag=True, help="Also write the ontology (TBox) and the vocabulary.")
@click.option("--base", default=DEFAULT_RESOURCE_BASE, show_default=True, help="Namespace of the KG's resources.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, None),
              help="Processes that extract papers in parallel.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: here (--jobs processes) or on a Dask cluster (-o names a directory that "
                   "gets one N-Quads file per partition).")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (--executor dask).")
@click.option("--partition-size", default=500, show_default=True, type=click.IntRange(1, None),
              help="Papers per Dask task and per output file (--executor dask).")
@click.option("--strict", is_flag=True, help="Fail (write nothing) if any input record cannot be read.")
@click.option("--model", "model_file", type=click.Path(dir_okay=False),
              help="The learned decision's model (from `dlkg train`); default: the one dlkg ships.")
@click.option("--rules-only", is_flag=True, help="No learned decision: keep what the hand-written rules keep.")
@click.option("--threshold", type=click.FloatRange(0, 1),
              help="Keep facts of at least this confidence (default: the model's own, the best F1 at precision >= 0.75).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def build_cmd(inputs: tuple[str, ...], out: str | None, store_dir: str | None, with_ontology: bool, base: str,
              jobs: int, executor: str, scheduler: str | None, partition_size: int, strict: bool,
              model_file: str | None, rules_only: bool, threshold: float | None, quiet: bool) -> None:
    """Build a KG from INPUTS (JSONL files or folders; default: the shipped seeds/) into a file (-o) or a store.

    Papers are written as they are built, so memory stays flat however large the corpus. Records that cannot
    be read are reported with file and line and skipped; the exit code is then 3 (or 1 with --strict, which
    writes nothing). Inputs that give no paper at all write nothing and exit 4. A progress bar (papers, rate,
    ETA) shows on a terminal, never in pipes.
    """
    import signal

    from tqdm import tqdm

    from .build import build_to
    from .ingest import count_records

    # SIGTERM unwinds like Ctrl-C, so the temporary output is removed and the previous file stays as it was
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    def refuse_if_strict(result) -> None:
        if strict and result.problems:
            _refuse(result.problems)

    try:
        if bool(out) == bool(store_dir):
            raise DlkgError("give either -o FILE or --store DIR")
        if rules_only and (model_file or threshold is not None):
            raise DlkgError("--rules-only takes no --model or --threshold")
        model: Path | bool = False if rules_only else Path(model_file) if model_file else True
        if (executor == "dask") != bool(scheduler):
            raise DlkgError("--executor dask needs --scheduler ADDRESS (and --scheduler needs --executor dask)")
        if executor == "dask" and store_dir:
            raise DlkgError("--executor dask writes partition files (-o DIR); bulk-load them into a store")
        if out and executor == "local":
            if Path(out).is_dir():
                raise DlkgError(f"{out}: is a directory; -o names the output file")
            format_for(out)
        if strict and store_dir:
            _check_inputs(inputs)
        store = _open_store(store_dir) if store_dir else None
        show = not quiet and sys.stderr.isatty()
        bar = tqdm(total=count_records(inputs) if show else None, unit=" papers", disable=not show, file=sys.stderr)
        if executor == "dask" and scheduler and out:  # both present: checked above
            from .cluster import build_on_dask
            result = build_on_dask(scheduler, out, inputs or None, base=base, with_ontology=with_ontology,
                                   partition_size=partition_size, on_paper=lambda _: bar.update(),
                                   before_write=refuse_if_strict)
        else:
            result = build_to(inputs or None, out=out, store=store, base=base, with_ontology=with_ontology, jobs=jobs,
                              on_paper=lambda _: bar.update(), before_write=refuse_if_strict, model=model,
                              threshold=threshold)
        bar.close()
        _echo_skipped(result.problems)
        if store is not None:
            store.close()
    except NothingBuilt as exc:
        _echo_skipped(exc.problems)
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_NOTHING)
    except DlkgError as exc:
        _fail(exc)
    if not quiet:
        click.echo(f"{result.papers} papers, {result.answers} answers ({result.reported} reported) -> {out or store_dir}",
                   err=True)
    if result.problems:
        sys.exit(EXIT_SKIPPED)


def _check_inputs(inputs: tuple[str, ...]) -> None:
    """--strict with a store: read every record first, since papers are written to the store as they are built."""
    from .ingest import read_papers
    from .resources import seeds_dir
    from .vocabulary import load_vocabulary

    problems: list = []
    for _ in read_papers(list(inputs) or [seeds_dir()], load_vocabulary().questions, problems.append):
        pass
    if problems:
        _refuse(problems)


def _echo_skipped(problems: list) -> None:
    for problem in problems:
        click.echo(f"skipped: {problem}", err=True)


def _refuse(problems: list) -> None:
    """--strict: name every unreadable record, then fail without writing."""
    _echo_skipped(problems)
    raise DlkgError(f"{len(problems)} input record(s) could not be read; nothing written (--strict)")


@main.command("validate")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@store_option
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, None),
              help="Processes that validate a store's papers in parallel (batches of 50 papers).")
def validate_cmd(kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None, jobs: int) -> None:
    """Check KG files (or a store) against dlkg's SHACL shapes; exit 0 when they conform, 1 when not."""
    from .validate import validate, validate_store

    kg = kg + kg_option
    try:
        if bool(kg) == bool(store_dir):
            raise DlkgError("give either KG files or --store DIR")
        if store_dir:
            _open_store(store_dir, read_only=True)  # a clear error if it is missing or locked
            report = validate_store(store_dir, jobs=jobs)
        else:
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
        described = f"\n    {params}: {'; '.join(p.description for p in q.params)}" if params else ""
        click.echo(f"{q.name}\n    {q.title}" + described)


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
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@store_option
@endpoint_option
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query_cmd(name: str, kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None,
              endpoint: str | None, params: tuple[str, ...], fmt: str) -> None:
    """Run the saved query NAME (a file stem in queries/, or a .rq file) on KG files, a store or an endpoint.

    A KG without papers exits 4; an unknown --param paper=ID is an error naming the closest ids."""
    from .query import check_paper, load_query, run_query

    try:
        query, bound = load_query(name), _params(params)
        target = _read_kg(kg, kg_option, store_dir, endpoint)
        if "paper" in bound and any(p.name == "paper" for p in query.params):
            check_paper(target, bound["paper"])
        result = run_query(query, target, bound)
    except DlkgError as exc:
        _fail(exc)
    click.echo(result.render(fmt))


@main.command("stats")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@store_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def stats_cmd(kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None, endpoint: str | None,
              fmt: str) -> None:
    """Counts of a KG: papers, answers Reported / NotReported, and components per concept.

    The numbers come from the saved queries kg-summary and components-per-concept."""
    from .query import run_query

    try:
        target = _read_kg(kg, kg_option, store_dir, endpoint)
        tables = {name: run_query(name, target) for name in ("kg-summary", "components-per-concept")}
    except DlkgError as exc:
        _fail(exc)
    if fmt == "json":
        import json
        click.echo(json.dumps({name: t.as_dicts() for name, t in tables.items()}, indent=1))
    else:
        click.echo("\n\n".join(t.render(fmt) for t in tables.values()))


def _write_or_print(text: str, out: str | None, said: str) -> None:
    """Write `text` whole to the file `out` (atomically; then say `said` on stderr), or print it when there is none."""
    from .rdfio import atomic_file

    if out is None:
        click.echo(text, nl=False)
        return
    with atomic_file(Path(out)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    click.echo(said, err=True)


@main.command("show")
@click.argument("paper")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@store_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]),
              help="Default: text, or from the output file's name (.json, .html).")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def show_cmd(paper: str, kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None,
             endpoint: str | None, fmt: str | None, out: str | None) -> None:
    """Everything the KG says about PAPER (its identifier): title and DOI, then per CQ each answering LLM's status
    and answer with the facts taken from it (concept, vocabulary entry and its broader entries, values and units,
    the quote marked in the answer), and where the LLMs disagree. From the saved query paper-profile."""
    from .profile import paper_profile, profile_format

    try:
        profile = paper_profile(_read_kg(kg, kg_option, store_dir, endpoint), paper)
        chosen = profile_format(out, fmt)
        text = {"text": profile.to_text, "json": profile.to_json, "html": profile.to_html}[chosen]()
        _write_or_print(text, out, f"wrote {out}")
    except DlkgError as exc:
        _fail(exc)


@main.command("table")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@store_option
@endpoint_option
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="papers.csv, papers.tsv or papers.json; - for CSV on stdout.")
def table_cmd(kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None, endpoint: str | None,
              out: str) -> None:
    """A comparison table: one row per paper (identifier, title, DOI), one column per reproducibility variable
    (model, dataset, framework, hardware, hyperparameters, randomness, metrics, code link, data link), the values
    as names joined by "; ". From the saved query paper-variables."""
    from .compare import comparison, render_table, table_format

    try:
        fmt = "csv" if out == "-" else table_format(out)
        rows = comparison(_read_kg(kg, kg_option, store_dir, endpoint))
        _write_or_print(render_table(rows, fmt), None if out == "-" else out, f"wrote {out}: {len(rows)} papers")
    except DlkgError as exc:
        _fail(exc)


@main.command("load")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@endpoint_option
@click.option("--update-endpoint", help="SPARQL update endpoint URL (default: derived from --endpoint).")
@click.option("--gsp", metavar="URL", help="Load with HTTP PUT to this SPARQL 1.1 Graph Store Protocol endpoint "
                                           "(e.g. http://127.0.0.1:7878/store) instead of SPARQL updates.")
@store_option
@click.option("--virtuoso-bulk", metavar="HOST:PORT",
              help="Load N-Quads through Virtuoso's bulk loader, via its SQL port (e.g. 127.0.0.1:1111); the server "
                   "reads the files itself, so they must be in a folder its DirsAllowed lists.")
@click.option("--with-ontology/--without-ontology", default=True, show_default=True,
              help="Also load the ontology and vocabulary into their own named graph.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the server per request.")
def load_cmd(kg: tuple[str, ...], kg_option: tuple[str, ...], endpoint: str | None, update_endpoint: str | None,
             gsp: str | None, store_dir: str | None, virtuoso_bulk: str | None, with_ontology: bool,
             timeout: float) -> None:
    """Load KG files into a SPARQL 1.1 store (or a store directory, or Virtuoso's bulk loader), one named graph per
    paper; loading a paper again replaces it. Failed requests are retried with backoff; basic auth (for the bulk
    loader: the SQL user) is read from DLKG_SPARQL_USER and DLKG_SPARQL_PASSWORD."""
    from .layout import ONTOLOGY_GRAPH, split_by_paper
    from .store import DiskStore, EndpointStore, load, virtuoso_bulk_load

    kg = kg + kg_option
    try:
        if not kg:
            raise DlkgError("give the KG files to load")
        if virtuoso_bulk:
            if endpoint or gsp or update_endpoint or store_dir:
                raise DlkgError("--virtuoso-bulk loads on its own: drop --endpoint, --gsp and --store")
            n = virtuoso_bulk_load(kg, virtuoso_bulk, with_ontology)
            click.echo(f"loaded {n} named graph(s) into {virtuoso_bulk} (Virtuoso's bulk loader)")
            return
        if bool(endpoint or gsp or update_endpoint) == bool(store_dir):
            raise DlkgError("give either --endpoint URL (or --gsp URL) or --store DIR")
        target = (_open_store(store_dir) if store_dir
                  else EndpointStore(endpoint or gsp or "", update_endpoint, gsp=gsp, timeout=timeout))
        graphs = split_by_paper(read_kg(kg), ontology_present=with_ontology)
        if with_ontology:
            graphs.append((ONTOLOGY_GRAPH, ontology_graph()))
        n = load(graphs, target)
        if isinstance(target, DiskStore):
            target.close()  # flushed, and compacted after a large load
    except DlkgError as exc:
        _fail(exc)
    click.echo(f"loaded {n} named graph(s) into {store_dir or gsp or update_endpoint or endpoint}")


@main.command("evaluate")
@click.option("--gold", required=True, type=click.Path(exists=True, dir_okay=False), help="Gold facts (JSONL).")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
def evaluate_cmd(gold: str, kg: tuple[str, ...], kg_option: tuple[str, ...]) -> None:
    """Score KG files against gold facts: precision, recall and F1 per concept, and micro averages."""
    from .evaluate import load_gold, predictions, render, score

    kg = kg + kg_option
    try:
        if not kg:
            raise DlkgError("give the KG files to score")
        rows = score(load_gold(gold), predictions(read_kg(kg, with_ontology=True)))
    except DlkgError as exc:
        _fail(exc)
    click.echo(render(rows))


@main.command("train")
@click.argument("answers", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--gold", "gold_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold facts (JSONL, the annotation guidelines' format); repeat for several files.")
@click.option("--presence", "presence_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Human Reported/NotReported labels (CSV: paper, source, cq, reported); repeat for several files.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the model (JSON); build with it through `dlkg build --model FILE`.")
@click.option("--min-precision", default=0.75, show_default=True, type=click.FloatRange(0, 1),
              help="The fact threshold is the best F1 at this precision, out of fold on the training papers.")
def train_cmd(answers: tuple[str, ...], gold_files: tuple[str, ...], presence_files: tuple[str, ...], out: str,
              min_precision: float) -> None:
    """Train the learned decisions from annotated papers: ANSWERS (JSONL) with gold facts and/or Reported labels.

    A gold record or label is paired with the answers of the same paper id and answering LLM. A research group
    that annotates some of its own papers adapts dlkg to its field this way; `dlkg evaluate` scores the result.
    A part without annotations (facts or Reported) stays with the hand-written rules."""
    from .rdfio import atomic_file
    from .train import train

    try:
        models = train(gold_files, answers, presence_files, min_precision=min_precision)
        with atomic_file(Path(out)) as tmp:
            tmp.write_text(models.to_json(), encoding="utf-8")
    except DlkgError as exc:
        _fail(exc)
    said = []
    if models.facts is not None:
        a = models.facts.about
        said.append(f"facts from {a['records']} records, {a['candidates']} candidates ({a['positives']} right), "
                    f"threshold {models.facts.threshold:.4f}")
    if models.reported is not None:
        said.append(f"Reported from {models.reported.about['answers']} labelled answers")
    click.echo(f"wrote {out}: " + "; ".join(said), err=True)


@main.command("report")
@click.argument("kg", nargs=-1, type=click.Path())
@kg_option
@store_option
@endpoint_option
@click.option("-o", "--output", "out", required=True, type=click.Path(),
              help="report.html, numbers.json, or a directory for one CSV per table.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]),
              help="Default: from the output name (.html, .json; anything else is a CSV directory).")
@click.option("--max-papers", default=100, show_default=True, type=click.IntRange(1, None),
              help="Papers shown in the HTML heatmap and per-paper table (the JSON and CSV hold all).")
@click.option("--pages/--no-pages", default=True, show_default=True,
              help="HTML: write each shown paper's `dlkg show` page into a folder beside the report "
                   "(report.html -> report-papers/) and link it from the report.")
def report_cmd(kg: tuple[str, ...], kg_option: tuple[str, ...], store_dir: str | None, endpoint: str | None,
               out: str, fmt: str | None, max_papers: int, pages: bool) -> None:
    """What the papers report and what they leave out: reporting rates per CQ, completeness per paper,
    most used components, frameworks by model family, code without data, and a reproducibility level per paper.

    One self-contained HTML page (plots inline, nothing fetched when it is opened), the numbers as JSON, or one
    CSV per table. Every number is a row of a saved query in queries/, so a triple store gives the same."""
    from .report import add_pages, build_report, report_format, write_report

    try:
        source = endpoint or store_dir or ", ".join(Path(p).name for p in kg + kg_option)
        target = _read_kg(kg, kg_option, store_dir, endpoint)
        report = build_report(target, source)
        chosen = fmt or report_format(out)
        if chosen == "html" and pages:
            add_pages(report, target, [r["identifier"] for r in report.records("reproducibility-levels")][:max_papers])
        written = write_report(report, Path(out), chosen, max_papers)
    except DlkgError as exc:
        _fail(exc)
    pages_written = len(report.pages) if chosen == "html" else 0
    click.echo(f"wrote {out}" + (f" and {pages_written} paper pages beside it" if pages_written else "")
               if chosen != "csv" else f"wrote {len(written)} CSV files into {out}")


if __name__ == "__main__":
    main()

"""Where a KG lives once built: in memory (rdflib), on disk (pyoxigraph) or in a SPARQL 1.1 server.

All three answer the saved queries through one small interface (`KGStore.select`); the two persistent ones keep
one named graph per paper and replace it whole when the paper is written again, so reloading never duplicates.
`open_store()` picks the backend from what the user gave: KG files, a store directory, or an endpoint URL.
"""
from __future__ import annotations

import os
import re
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Protocol, Sequence
from urllib.error import HTTPError, URLError

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import ResultRow

from .errors import QueryError, StoreError
from .rdfio import rdflib_graph
from .layout import ONTOLOGY_GRAPH, SHARED_GRAPH


@dataclass
class QueryResult:
    variables: list[str]
    rows: list[list[str | None]]

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def render(self, fmt: str = "table") -> str:
        if fmt == "json":
            return json.dumps(self.as_dicts(), indent=1, ensure_ascii=False)
        if fmt == "csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(self.variables)
            w.writerows([["" if v is None else v for v in row] for row in self.rows])
            return buf.getvalue()
        cells = [self.variables] + [["" if v is None else v for v in row] for row in self.rows]
        widths = [min(60, max(len(str(r[i])) for r in cells)) for i in range(len(self.variables))]
        line = lambda r: "  ".join(str(v)[:60].ljust(w) for v, w in zip(r, widths)).rstrip()
        out = [line(self.variables), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out)


class KGStore(Protocol):
    def select(self, query: str, params: dict[str, str]) -> QueryResult:
        """Run a SELECT query; `params` pre-bind variables (never pasted into the query text)."""


class WritableStore(KGStore, Protocol):
    def replace_graph(self, iri: URIRef, graph: Graph | str, replace: bool = True) -> None:
        """Make the named graph `iri` hold exactly `graph` (an rdflib Graph or N-Triples text), or with
        replace=False add `graph` to it, in one transaction."""


def _ntriples(graph: Graph | str) -> str:
    return graph if isinstance(graph, str) else graph.serialize(format="nt")


def _replace_update(iri: URIRef, data: str, replace: bool = True) -> str:
    """One SPARQL update that swaps (or adds to) a named graph's content (N-Triples `data`): atomic on every store
    that runs an update as one transaction (Oxigraph, Fuseki, GraphDB, Virtuoso). "" when there is nothing to do."""
    if not data.strip():  # an empty INSERT DATA is a syntax error in Virtuoso
        return f"DROP SILENT GRAPH <{iri}>" if replace else ""
    drop = f"DROP SILENT GRAPH <{iri}> ;\n" if replace else ""
    if "_:" in data:  # blank nodes (the ontology's restrictions and lists): Virtuoso refuses them in INSERT DATA,
        # and every store takes them in an INSERT template, which with an empty WHERE inserts them once
        return f"{drop}INSERT {{ GRAPH <{iri}> {{\n{data}\n}} }} WHERE {{}}"
    return f"{drop}INSERT DATA {{ GRAPH <{iri}> {{\n{data}\n}} }}"


def _with_values(query: str, params: dict[str, str]) -> str:
    """Bind parameters as a VALUES block of escaped literals (`Literal.n3()`) at the top of the WHERE clause: inside
    it, so FILTERs see them (a trailing VALUES is joined only after the FILTERs ran). Oxigraph's own substitutions
    only bind projected variables, so both Oxigraph and remote servers get this."""
    if not params:
        return query
    names = " ".join(f"?{k}" for k in params)
    values = " ".join(Literal(v).n3() for v in params.values())
    where = re.search(r"\bWHERE\s*\{", query, re.I)
    if where is None:
        raise QueryError("a parameterised query needs a WHERE clause")
    return f"{query[:where.end()]}\n  VALUES ({names}) {{ ({values}) }}{query[where.end():]}"


# ---------------------------------------------------------------- in memory

class GraphStore:
    """KG files parsed into one rdflib graph: fine for thousands of papers, nothing to set up."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, query: str, params: dict[str, str]) -> QueryResult:
        try:
            prepared = prepareQuery(query)
        except Exception as exc:  # pyparsing raises its own exception types
            raise QueryError(f"not valid SPARQL: {exc}") from exc
        result = self.graph.query(prepared, initBindings={Variable(k): Literal(v) for k, v in params.items()})
        variables = [str(v) for v in result.vars or []]
        rows = [[None if row[v] is None else str(row[v]) for v in variables] for row in result if isinstance(row, ResultRow)]
        return QueryResult(variables, rows)


def _oxigraph_select(store: Any, query: str, params: dict[str, str], union: bool) -> QueryResult:
    import pyoxigraph

    try:
        solutions = store.query(_with_values(query, params), use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise QueryError(f"not valid SPARQL: {exc}") from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise QueryError("a saved query must be a SELECT query")
    variables = [v.value for v in solutions.variables]
    return QueryResult(variables, [[None if s[v] is None else s[v].value for v in variables] for s in solutions])


class MemoryStore:
    """KG files read into one in-memory Oxigraph store, beside the ontology and vocabulary: parsing and queries run
    in Rust, so a command on a file of a few thousand papers answers in about a second, where rdflib's parser and
    engine take tens. Everything goes into the default graph (an N-Quads or TriG file's graphs are merged), so a
    triple is counted once however many files or graphs repeat it, as in one rdflib graph."""

    def __init__(self, paths: Sequence[str | Path], with_ontology: bool = True) -> None:
        import pyoxigraph

        from .rdfio import format_for
        from .vocabulary import ontology_files

        self._store = pyoxigraph.Store()
        files = [(Path(p), format_for(p)) for p in paths]
        files += [(p, "turtle") for p in (ontology_files() if with_ontology else [])]
        quads = False
        for path, fmt in files:
            try:
                self._store.load(path=str(path), format=_oxigraph_format(fmt))
            except FileNotFoundError:
                raise StoreError(f"{path}: no such file") from None
            except IsADirectoryError:
                raise StoreError(f"{path}: is a directory, not a KG file") from None
            except SyntaxError as exc:  # pyoxigraph names the line and column
                raise StoreError(f"{path}: cannot parse as {fmt}: {exc}") from exc
            quads = quads or fmt in ("nquads", "trig")
        if quads:
            self._store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } ; DROP NAMED")

    def select(self, query: str, params: dict[str, str]) -> QueryResult:
        return _oxigraph_select(self._store, query, params, union=False)


def _oxigraph_format(fmt: str) -> Any:
    """pyoxigraph's format for one of dlkg's format names (rdfio.FORMATS)."""
    import pyoxigraph

    return {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
            "json-ld": pyoxigraph.RdfFormat.JSON_LD, "xml": pyoxigraph.RdfFormat.RDF_XML,
            "trig": pyoxigraph.RdfFormat.TRIG, "nquads": pyoxigraph.RdfFormat.N_QUADS}[fmt]


# ---------------------------------------------------------------- on disk

class DiskStore:
    """A KG persisted in a directory by Oxigraph (pyoxigraph): one named graph per paper plus one for the ontology
    and vocabulary; queries see their union. Opening needs no parsing, so 100k papers open instantly."""

    # RocksDB holds what is written in memory tables, about 10 bytes per byte of N-Triples, until they fill up: a
    # 100,000-record build grew to 3.5 GB. Flushing them every 16 MB of updates: a 300-record build peaks at 326 MB
    # instead of 439 MB, in the same time.
    FLUSH_EVERY_CHARS = 16_000_000
    # After a large write RocksDB answers each lookup from many files; compacting them on close (pyoxigraph's
    # optimize(), "useful after a batch upload") made the report's LLM comparison 1.4x faster on a 2,170-record build
    # and 3x on a bulk-loaded 10,000-record store, for 2-10 s. Only after this much was written: compacting a large
    # store after replacing a few papers would cost more than it saves.
    OPTIMIZE_AFTER_CHARS = 64_000_000

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        import pyoxigraph

        self.path, self.read_only = Path(path), read_only
        self._unflushed = 0  # characters of updates written since the last flush
        self._written = 0  # characters of updates written since the store was opened
        try:
            if read_only:
                if not self.path.is_dir():
                    raise StoreError(f"{self.path}: no dlkg store here (build one with `dlkg build --store {self.path}`)")
                self._store = pyoxigraph.Store.read_only(str(self.path))
            else:
                self._store = pyoxigraph.Store(str(self.path))
        except (OSError, RuntimeError) as exc:  # RuntimeError: a store another process is still creating
            raise StoreError(f"{self.path}: cannot open the store ({exc}); is a server or another dlkg using it?") from exc

    def replace_graph(self, iri: URIRef, graph: Graph | str, replace: bool = True) -> None:
        update = _replace_update(iri, _ntriples(graph), replace)
        if not update:
            return
        try:
            self._store.update(update)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write graph <{iri}>: {exc}") from exc
        self._unflushed += len(update)
        self._written += len(update)
        if self._unflushed > self.FLUSH_EVERY_CHARS:
            self._store.flush()
            self._unflushed = 0

    def select(self, query: str, params: dict[str, str]) -> QueryResult:
        return _oxigraph_select(self._store, query, params, union=True)

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if hasattr(g, "value"))

    def named_graph(self, iri: URIRef, into: Graph | None = None) -> Graph:
        """One named graph as an rdflib Graph (a paper is small; the store may not be), or added to `into`."""
        import pyoxigraph

        return rdflib_graph(self._store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(iri))), into)

    def paper_iris(self) -> list[URIRef]:
        """The named graphs that hold one paper each (not the ontology's, not the shared one)."""

        return [iri for iri in self.graph_names() if iri not in (ONTOLOGY_GRAPH, SHARED_GRAPH)]

    def close(self) -> None:
        """Flush what was written (compacted, after a large write) and release the store. A writable store is then
        opened once more: RocksDB keeps up to ten used write-ahead logs (hundreds of MB each) for reuse and deletes
        them only when it opens a store whose logs are all flushed (a 2,000-record build took 1.3 GB on disk without
        this, 0.37 GB with it)."""
        import pyoxigraph

        if not self.read_only:
            self._store.flush()
            if self._written >= self.OPTIMIZE_AFTER_CHARS:
                self._store.optimize()
        self._store = None  # type: ignore[assignment]  # released first: only one process at a time may open a store for writing
        if not self.read_only:
            pyoxigraph.Store(str(self.path))


# ---------------------------------------------------------------- SPARQL 1.1 server

def update_endpoint_for(endpoint: str) -> str:
    """Oxigraph serves queries on /query and updates on /update; Fuseki on /<ds>/query and /<ds>/update;
    Virtuoso, GraphDB and QLever take both on one URL."""
    if endpoint.rstrip("/").endswith("/query"):
        return endpoint.rstrip("/")[: -len("query")] + "update"
    return endpoint


def _credentials() -> tuple[str, str] | None:
    user = os.environ.get("DLKG_SPARQL_USER")
    return (user, os.environ.get("DLKG_SPARQL_PASSWORD", "")) if user else None


class EndpointStore:
    """A SPARQL 1.1 server. Queries go through SPARQLWrapper; writes go through `requests` with urllib3's retry
    and backoff (safe here: replacing a graph is idempotent), either as a SPARQL update or, given `gsp`, as an
    HTTP PUT to the Graph Store Protocol endpoint. Basic auth comes from DLKG_SPARQL_USER / DLKG_SPARQL_PASSWORD."""

    def __init__(self, endpoint: str, update_endpoint: str | None = None, gsp: str | None = None,
                 timeout: float = 60.0, retries: int = 3) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or update_endpoint_for(endpoint)
        self.gsp = gsp
        self.timeout = timeout
        self.retries = retries
        self._session = None

    def _http(self):
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            retry = Retry(total=self.retries, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504),
                          allowed_methods=frozenset({"PUT", "POST", "DELETE", "GET"}), raise_on_status=False)
            self._session = requests.Session()
            self._session.mount("http://", HTTPAdapter(max_retries=retry))
            self._session.mount("https://", HTTPAdapter(max_retries=retry))
            self._session.auth = _credentials()
        return self._session

    def replace_graph(self, iri: URIRef, graph: Graph | str, replace: bool = True) -> None:
        import requests
        from urllib3.exceptions import ReadTimeoutError

        data = _ntriples(graph)
        if self.gsp:  # PUT replaces a graph, POST adds to it
            url, kwargs = self.gsp, {"params": {"graph": str(iri)}, "data": data.encode("utf-8"),
                                     "headers": {"Content-Type": "application/n-triples"}}
            method = "PUT" if replace else "POST"
        else:
            update = _replace_update(iri, data, replace)
            if not update:
                return
            url, kwargs = self.update_endpoint, {"data": update.encode("utf-8"),
                                                 "headers": {"Content-Type": "application/sparql-update"}}
            method = "POST"
        try:
            response = self._http().request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.ConnectionError as exc:
            if isinstance(getattr(exc.args[0] if exc.args else None, "reason", None), ReadTimeoutError):
                raise StoreError(f"{url}: no answer within {self.timeout:g} s") from exc  # read timeouts, retried
            raise StoreError(f"{url}: cannot reach the endpoint ({_reason(exc)})") from exc
        except requests.exceptions.Timeout as exc:
            raise StoreError(f"{url}: no answer within {self.timeout:g} s") from exc
        except requests.exceptions.RequestException as exc:
            raise StoreError(f"{url}: {exc}") from exc
        if response.status_code >= 400:
            detail = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            raise StoreError(f"{url}: the endpoint answered HTTP {response.status_code} {response.reason}"
                             + (f": {detail}" if detail else ""))

    def select(self, query: str, params: dict[str, str]) -> QueryResult:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        query = _with_values(query, params)
        client = SPARQLWrapper(self.endpoint)
        client.setTimeout(int(self.timeout))
        credentials = _credentials()
        if credentials:
            client.setCredentials(*credentials)
        client.setQuery(query)
        client.setReturnFormat(JSON)
        client.setMethod(POST)
        try:
            data = client.queryAndConvert()
        except HTTPError as exc:
            raise StoreError(f"{self.endpoint}: the endpoint answered HTTP {exc.code} {exc.reason}") from exc
        except URLError as exc:
            raise StoreError(f"{self.endpoint}: cannot reach the endpoint ({exc.reason})") from exc
        except SPARQLWrapperException as exc:  # SPARQLWrapper turns 400/401/403/404/414/500 into its own classes
            code = {"QueryBadFormed": "400 Bad Request (the query is not valid SPARQL for this server)",
                    "Unauthorized": "401 Unauthorized (set DLKG_SPARQL_USER and DLKG_SPARQL_PASSWORD)",
                    "Forbidden": "403 Forbidden", "EndPointNotFound": "404 Not Found (check the endpoint URL)",
                    "URITooLong": "414 URI Too Long",
                    "EndPointInternalError": "500 Internal Server Error"}.get(type(exc).__name__)
            detail = str(exc).split("Response:", 1)[-1].strip().splitlines()[0][:200] if "Response:" in str(exc) else ""
            raise StoreError(f"{self.endpoint}: the endpoint answered HTTP {code or type(exc).__name__}"
                             + (f": {detail}" if detail else "")) from exc
        except OSError as exc:
            raise StoreError(f"{self.endpoint}: {exc}") from exc
        if not isinstance(data, dict):
            raise StoreError(f"{self.endpoint}: the endpoint did not answer with SPARQL JSON results")
        variables = data["head"]["vars"]
        rows = [[b.get(v, {}).get("value") for v in variables] for b in data["results"]["bindings"]]
        return QueryResult(variables, rows)


def _reason(exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    return m.group(1).strip() if m else text[:200]


# ---------------------------------------------------------------- Virtuoso's bulk loader

def quad_graphs(path: Path) -> list[str]:
    """The named graphs of an N-Quads file, in order of first appearance (pyoxigraph's streaming parser: about
    a second per million quads)."""
    import pyoxigraph

    graphs: dict[str, None] = {}
    try:
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS):
            if isinstance(quad.graph_name, pyoxigraph.NamedNode):
                graphs.setdefault(quad.graph_name.value)
    except SyntaxError as exc:
        raise StoreError(f"{path}: not N-Quads: {exc}") from exc
    return list(graphs)


#: A SPARQL update that drops from the shared graph the triples the ontology graph holds too (a KG file built
#: without the ontology repeats the CQs there), so a store's union of graphs counts each once.
DROP_SHARED_COPIES = (f"DELETE {{ GRAPH <{SHARED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{SHARED_GRAPH}> {{ ?s ?p ?o }} "
                      f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")


def virtuoso_bulk_load(files: Sequence[str | Path], isql_address: str, with_ontology: bool = True,
                       timeout: float = 7200.0) -> int:
    """Load N-Quads files (as `dlkg build -o KG.nq` writes them) through Virtuoso's bulk loader, replacing each
    named graph they hold: the graphs are cleared, the files registered with `ld_dir` and loaded by
    `rdf_loader_run()`, then a checkpoint makes it durable. The server reads the files itself, so they must be on
    its machine, in a folder its `DirsAllowed` lists. Runs through Virtuoso's own client (isql-vt); the SQL user
    and password come from DLKG_SPARQL_USER / DLKG_SPARQL_PASSWORD (default dba / dba, a new database's).
    Triples outside any named graph (the KG's ontology header) go to the shared graph. Returns the graphs loaded."""
    import shutil
    import subprocess
    import tempfile

    from .vocabulary import ontology_graph

    exe = shutil.which("isql-vt") or shutil.which("isql")
    if exe is None:
        raise StoreError("isql-vt not found: the bulk loader runs through Virtuoso's own client "
                         "(Debian: apt-get install virtuoso-opensource)")
    paths = [Path(f).resolve() for f in files]
    for path in paths:
        if not path.is_file():
            raise StoreError(f"{path}: no such file")
        if not path.name.endswith(".nq"):
            raise StoreError(f"{path}: the bulk loader takes N-Quads (.nq), as `dlkg build -o KG.nq` writes them")
    graphs = list(dict.fromkeys(g for path in paths for g in quad_graphs(path)))
    ontology_file = None
    if with_ontology:
        fd, name = tempfile.mkstemp(prefix=".dlkg-ontology-", suffix=".nt", dir=paths[0].parent)
        os.close(fd)
        ontology_file = Path(name)
        ontology_file.write_text(ontology_graph().serialize(format="nt"), encoding="utf-8")
        os.chmod(ontology_file, 0o644)  # the server, not this process, reads it
        graphs += [str(ONTOLOGY_GRAPH)] if str(ONTOLOGY_GRAPH) not in graphs else []
    sql = ["log_enable(3, 1);"]
    sql += [f"SPARQL CLEAR GRAPH <{g}>;" for g in graphs]
    for path in paths + ([ontology_file] if ontology_file else []):
        target = ONTOLOGY_GRAPH if path == ontology_file else SHARED_GRAPH
        sql.append(f"DELETE FROM DB.DBA.load_list WHERE ll_file = '{_sql_string(str(path))}';")
        sql.append(f"ld_dir('{_sql_string(str(path.parent))}', '{_sql_string(path.name)}', '{target}');")
    sql.append("rdf_loader_run();")
    if with_ontology:  # a file built without the ontology repeats some of its triples (the CQs) in the shared graph
        sql.append(f"SPARQL {DROP_SHARED_COPIES};")
    sql += ["checkpoint;",
            "SELECT 'DLKG-LOAD-ERROR', ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"]
    user, password = _credentials() or ("dba", "dba")
    try:
        done = subprocess.run([exe, isql_address, user, password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
                              input="\n".join(sql) + "\n", capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StoreError(f"{isql_address}: the bulk load did not finish within {timeout:g} s") from None
    finally:
        if ontology_file is not None:
            ontology_file.unlink(missing_ok=True)
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if "DLKG-LOAD-ERROR" in line or line.startswith("*** Error")]
    if done.returncode != 0 or errors:
        raise StoreError(f"{isql_address}: the bulk load failed: " + "; ".join(errors or output.splitlines()[-3:]))
    return len(graphs)


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


# ---------------------------------------------------------------- choosing and filling a store

def open_store(kg: Sequence[str | Path] = (), store: str | Path | None = None, endpoint: str | None = None,
               timeout: float = 60.0) -> KGStore:
    """The store a command works on: KG files (parsed, with the ontology and vocabulary), a store directory,
    or an endpoint URL. Exactly one must be given."""
    given = [x for x in (bool(kg), store is not None, endpoint is not None) if x]
    if len(given) != 1:
        raise StoreError("give exactly one of: KG files, --store DIR, --endpoint URL")
    if endpoint:
        return EndpointStore(endpoint, timeout=timeout)
    if store is not None:
        return DiskStore(store, read_only=True)
    return MemoryStore(kg)


def load(graphs: Iterable[tuple[URIRef, Graph]], target: WritableStore) -> int:
    """Write (graph IRI, graph) pairs into `target`, replacing each named graph; returns how many were written."""
    n = 0
    for iri, g in graphs:
        target.replace_graph(iri, g)
        n += 1
    return n

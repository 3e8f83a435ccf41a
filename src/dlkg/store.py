"""A SPARQL 1.1 store as the KG's home: load one named graph per paper (replacing it), and query it.

SPARQLWrapper talks to the endpoint; a paper is replaced in one update request (DROP SILENT GRAPH + INSERT DATA),
so loading it again gives the same triples, not twice as many.
"""
from __future__ import annotations

import os
import re
from typing import Iterable
from urllib.error import HTTPError, URLError

from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .errors import StoreError
from .namespaces import DLKG
from .query import QueryResult

ONTOLOGY_GRAPH = URIRef("https://w3id.org/dlkg/graph/ontology")


def update_endpoint_for(endpoint: str) -> str:
    """Oxigraph serves queries on /query and updates on /update; Fuseki on /<ds>/query and /<ds>/update;
    Virtuoso, GraphDB and QLever take both on one URL."""
    if endpoint.rstrip("/").endswith("/query"):
        return endpoint.rstrip("/")[: -len("query")] + "update"
    return endpoint


def _client(url: str, timeout: float) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setTimeout(int(timeout))
    user, password = os.environ.get("DLKG_SPARQL_USER"), os.environ.get("DLKG_SPARQL_PASSWORD")
    if user:
        client.setCredentials(user, password or "")
    return client


def _fail(url: str, exc: Exception) -> StoreError:
    if isinstance(exc, HTTPError):
        return StoreError(f"{url}: the endpoint answered HTTP {exc.code} {exc.reason}")
    if isinstance(exc, URLError):
        return StoreError(f"{url}: cannot reach the endpoint ({exc.reason})")
    return StoreError(f"{url}: {exc}")


def select(endpoint: str, query: str, bindings: dict[str, Literal], timeout: float = 60.0) -> QueryResult:
    """Run a SELECT; parameters travel as a VALUES block of escaped literals at the top of the WHERE clause
    (inside it, so FILTERs see them; a trailing VALUES would be joined only after the FILTERs ran)."""
    if bindings:
        names = " ".join(f"?{k}" for k in bindings)
        values = " ".join(v.n3() for v in bindings.values())
        where = re.search(r"\bWHERE\s*\{", query, re.I)
        if where is None:
            raise StoreError("a parameterised query needs a WHERE clause")
        query = f"{query[:where.end()]}\n  VALUES ({names}) {{ ({values}) }}{query[where.end():]}"
    client = _client(endpoint, timeout)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    try:
        data = client.queryAndConvert()
    except (HTTPError, URLError, SPARQLWrapperException, OSError) as exc:
        raise _fail(endpoint, exc) from exc
    variables = data["head"]["vars"]
    rows = [[b.get(v, {}).get("value") for v in variables] for b in data["results"]["bindings"]]
    return QueryResult(variables, rows)


def replace_graph(update_endpoint: str, graph_iri: URIRef, graph: Graph, timeout: float = 60.0) -> None:
    """Replace one named graph with `graph` in a single update request."""
    body = graph.serialize(format="nt")
    client = _client(update_endpoint, timeout)
    client.setMethod(POST)
    client.setQuery(f"DROP SILENT GRAPH <{graph_iri}> ;\nINSERT DATA {{ GRAPH <{graph_iri}> {{\n{body}\n}} }}")
    try:
        client.query()
    except (HTTPError, URLError, SPARQLWrapperException, OSError) as exc:
        raise _fail(update_endpoint, exc) from exc


def load(graphs: Iterable[tuple[URIRef, Graph]], endpoint: str, update_endpoint: str | None = None,
         timeout: float = 60.0) -> int:
    """Load (graph IRI, graph) pairs, replacing each named graph; returns the number of graphs loaded."""
    target = update_endpoint or update_endpoint_for(endpoint)
    n = 0
    for iri, g in graphs:
        replace_graph(target, iri, g, timeout)
        n += 1
    return n


def paper_graphs(g: Graph) -> list[tuple[URIRef, Graph]]:
    """Split a KG into one graph per publication: everything minted under the publication's IRI plus the names
    and types of the shared things it points to (vocabulary entries, CQs, the answering model). One pass over the
    triples: a resource belongs to the longest publication IRI that is its own IRI or a "/"-prefix of it."""
    pubs = sorted(str(p) for p in g.subjects(predicate=None, object=DLKG.Publication))
    parts = {pub: Graph() for pub in pubs}
    for s, p, o in g:
        pub = _owning_publication(str(s), parts)
        if pub is not None:
            parts[pub].add((s, p, o))
    out = []
    for pub in pubs:
        part = parts[pub]
        shared = {o for o in part.objects() if isinstance(o, URIRef) and not str(o).startswith(pub)}
        for node in shared:
            for p, o in g.predicate_objects(node):
                part.add((node, p, o))
        out.append((URIRef(pub), part))
    return out


def _owning_publication(iri: str, publications: dict[str, Graph]) -> str | None:
    if iri in publications:
        return iri
    cut = iri.rfind("/")
    while cut > 0:
        if iri[:cut] in publications:
            return iri[:cut]
        cut = iri.rfind("/", 0, cut)
    return None

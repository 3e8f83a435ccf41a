"""The embedded store (Oxigraph) and Virtuoso side by side on the same KG: load rate, every saved query's latency,
and `dlkg report`'s wall time, in one run.

    python bench/stores.py --records 10000 [--jobs 2] [--shared ../shared] [--timeout 600]

The corpus is drawn as in bench/run.py; `dlkg build -o kg.nq` writes it once (or `--nq` gives one, e.g. from
bench/expand_kg.py). Oxigraph gets it the way a user fills it, `dlkg build --store DIR` (given `--nq`: that file
through Oxigraph's bulk loader, the same graphs without extracting again); Virtuoso (Debian's, started here on
127.0.0.1 in a folder of its own, as the tests do, with `--buffers` pages of cache) through its bulk loader,
`dlkg load kg.nq --virtuoso-bulk HOST:PORT`. Queries are bound to the example their description gives and run one
at a time from this process.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run import HERE, example_params, make_corpus
from run import timed as run_timed

sys.path.insert(0, str(HERE.parent / "tests"))
from virtuoso import running_virtuoso  # noqa: E402  (the tests' own helper: Debian's ini, our folder and ports)


def timed(cmd: list[str]) -> float:
    return run_timed(cmd)[0]  # bench/run.py's runner; its peak RSS is a running maximum over children, unused here


def timed_report(cmd: list[str], timeout: float) -> float | str:
    """`dlkg report`'s wall time, or how it failed (a remote store's timeout, or being cut off, is a result here)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"cut off after {time.perf_counter() - start:.0f} s"
    took = time.perf_counter() - start
    return round(took, 1) if done.returncode == 0 else f"failed after {took:.0f} s: {done.stderr.strip()[-200:]}"


def latencies(store, timeout: float, names: list[str] | None = None) -> dict[str, float | str]:
    from dlkg.query import list_queries, run_query

    out: dict[str, float | str] = {}
    for q in list_queries():
        if names and q.name not in names:
            continue
        start = time.perf_counter()
        try:
            rows = len(run_query(q, store, example_params(q)).rows)
            out[q.name] = f"{time.perf_counter() - start:.3f} s ({rows} rows)"
        except Exception as exc:  # a server's timeout or refusal is a result here, not a crash
            out[q.name] = f"failed after {time.perf_counter() - start:.1f} s: {str(exc)[:300]}"
        print(q.name, out[q.name], flush=True)
    return out


def fill_store_from_nq(store: Path, nq: Path) -> float:
    """An embedded store holding what `dlkg build --store` writes (a graph per paper, the shared graph, the ontology
    graph), from an N-Quads build: Oxigraph's bulk loader, then the CQ triples that a file built without the
    ontology repeats in the shared graph are dropped, as `dlkg load --virtuoso-bulk` does, then compacted as a
    build's store is. Returns the seconds."""
    import pyoxigraph

    from dlkg.layout import ONTOLOGY_GRAPH
    from dlkg.store import DROP_SHARED_COPIES
    from dlkg.vocabulary import ontology_graph

    start = time.perf_counter()
    ox = pyoxigraph.Store(str(store))
    ox.bulk_load(path=str(nq), format=pyoxigraph.RdfFormat.N_QUADS)
    ox.bulk_load(input=ontology_graph().serialize(format="nt"), format=pyoxigraph.RdfFormat.N_TRIPLES,
                 to_graph=pyoxigraph.NamedNode(str(ONTOLOGY_GRAPH)))
    ox.update(DROP_SHARED_COPIES)
    ox.flush()
    ox.optimize()  # as `dlkg build --store` leaves a large store: compacted
    del ox
    return time.perf_counter() - start


ONE_QUERY = """
import sys, time
sys.path.insert(0, sys.argv[3])
from run import example_params
from dlkg.query import load_query, run_query
from dlkg.store import DiskStore
store, q = DiskStore(sys.argv[1], read_only=True), load_query(sys.argv[2])
start = time.perf_counter()
rows = len(run_query(q, store, example_params(q)).rows)
print(f"{time.perf_counter() - start:.3f} s ({rows} rows)")
"""


def store_latencies(store: Path, timeout: float) -> dict[str, float | str]:
    """Each saved query on the embedded store in a process of its own, so one that runs past `timeout` is cut off
    as the server's are (Oxigraph's queries cannot be interrupted from within)."""
    from dlkg.query import list_queries

    out: dict[str, float | str] = {}
    for q in list_queries():
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", ONE_QUERY, str(store), q.name, str(HERE)], capture_output=True,
                                  text=True, timeout=timeout)
            out[q.name] = done.stdout.strip() or f"failed: {done.stderr.strip()[-300:]}"
        except subprocess.TimeoutExpired:
            out[q.name] = f"cut off after {time.perf_counter() - start:.0f} s"
        print(q.name, out[q.name], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds a query may take on either store")
    ap.add_argument("--report-timeout", type=float, default=1800.0, help="seconds `dlkg report` may take")
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--work", default=str(HERE / "work"))
    ap.add_argument("--buffers", type=int, help="Virtuoso's NumberOfBuffers (8 KB pages; default Debian's 10,000)")
    ap.add_argument("--nq", type=Path, help="an N-Quads build of the same corpus to reuse instead of building one")
    args = ap.parse_args()
    dlkg = shutil.which("dlkg") or sys.exit("install dlkg first (pip install -e .)")
    from dlkg.store import EndpointStore

    work = Path(args.work)
    folder = work / f"virtuoso-{args.records}"  # the server reads the N-Quads from its own folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    corpus = work / f"corpus-{args.records}.jsonl"
    if not corpus.exists():
        make_corpus(Path(args.shared) / "corpus" / "answers-434-papers-5-llms.jsonl.gz", args.records, corpus)
    nq = folder / "kg.nq"
    run: dict = {"records": args.records}
    if args.nq:
        try:
            os.link(args.nq, nq)  # the server reads it from its own folder; a link spares copying gigabytes
        except OSError:
            shutil.copy(args.nq, nq)
    else:
        run["build_nq_seconds"] = round(timed([dlkg, "build", str(corpus), "-o", str(nq), "-q", "--jobs", str(args.jobs)]), 1)
    with open(nq, "rb") as fh:
        run["quads"] = sum(1 for _ in fh)

    run["virtuoso_buffers"] = args.buffers
    with running_virtuoso(folder, 18890, 11111, buffers=args.buffers):
        seconds = timed([dlkg, "load", str(nq), "--virtuoso-bulk", "127.0.0.1:11111"])
        run["virtuoso"] = {"bulk_load_seconds": round(seconds, 1), "quads_per_s": round(run["quads"] / seconds)}
        print(json.dumps(run), flush=True)
        endpoint = "http://127.0.0.1:18890/sparql"
        run["virtuoso"]["queries"] = latencies(EndpointStore(endpoint, timeout=args.timeout), args.timeout)
        run["virtuoso"]["report_seconds"] = timed_report([dlkg, "report", "--endpoint", endpoint, "-o",
                                                          str(work / "report-virtuoso.html")], args.report_timeout)
    print(json.dumps(run["virtuoso"], indent=1), flush=True)

    store = work / f"store-{args.records}"
    shutil.rmtree(store, ignore_errors=True)
    if args.nq:  # the same N-Quads, bulk-loaded: what `dlkg build --store` writes, without extracting again
        seconds = fill_store_from_nq(store, nq)
        run["oxigraph"] = {"bulk_load_seconds": round(seconds, 1), "quads_per_s": round(run["quads"] / seconds)}
    else:
        seconds = timed([dlkg, "build", str(corpus), "--store", str(store), "-q", "--jobs", str(args.jobs)])
        run["oxigraph"] = {"build_into_store_seconds": round(seconds, 1)}
    run["oxigraph"]["queries"] = store_latencies(store, args.timeout)
    run["oxigraph"]["report_seconds"] = timed_report([dlkg, "report", "--store", str(store), "-o",
                                                      str(work / "report-oxigraph.html")], args.report_timeout)
    print(json.dumps(run, indent=1))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"stores-{args.records}.json").write_text(json.dumps(run, indent=1) + "\n")


if __name__ == "__main__":
    main()

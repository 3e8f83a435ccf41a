"""Latency of every saved query on a dlkg store, each in its own process so that a slow one can be cut off.

    python bench/query_times.py STORE_DIR [--timeout 300] [--before DIR]

--before DIR: a folder of earlier .rq texts (same file names); each is run right before the current query, so
the two are timed under the same conditions. Prints one line per run and writes query-times.json beside STORE_DIR.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from dlkg.query import list_queries
from run import example_params  # bench/run.py, beside this script

ONE_QUERY = r'''
import json, sys, time
from dlkg.query import load_query, run_query
from dlkg.store import DiskStore
query, params = load_query(sys.argv[2]), json.loads(sys.argv[3])
store = DiskStore(sys.argv[1], read_only=True)
start = time.perf_counter()
rows = run_query(query, store, params).rows
print(round(time.perf_counter() - start, 3), len(rows))
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--before", type=Path)
    args = ap.parse_args()
    results = {}
    for query in list_queries():
        runs = [("before", args.before / query.path.name)] if args.before and (args.before / query.path.name).exists() else []
        for label, path in runs + [("now", query.path)]:
            try:
                done = subprocess.run([sys.executable, "-c", ONE_QUERY, args.store, str(path),
                                       json.dumps(example_params(query))],
                                      capture_output=True, text=True, timeout=args.timeout, check=True)
                seconds, rows = done.stdout.split()
                results.setdefault(query.name, {})[label] = {"seconds": float(seconds), "rows": int(rows)}
            except subprocess.TimeoutExpired:
                results.setdefault(query.name, {})[label] = {"seconds": None, "note": f"over {args.timeout:g} s"}
            print(query.name, label, results[query.name][label], flush=True)
    (Path(args.store).parent / "query-times.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Time saved queries again on a Virtuoso database that bench/stores.py loaded (its folder keeps the database), e.g.
after respelling a query, without loading again:

    python bench/virtuoso_queries.py bench/work/virtuoso-100000 component-popularity confident-facts [--report]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from run import HERE
from stores import latencies, timed_report

sys.path.insert(0, str(HERE.parent / "tests"))
from virtuoso import running_virtuoso  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="the folder bench/stores.py ran Virtuoso in")
    ap.add_argument("queries", nargs="*", help="saved query names (default: all)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--buffers", type=int, default=1000000)
    ap.add_argument("--report", action="store_true", help="also time `dlkg report --endpoint`")
    args = ap.parse_args()
    from dlkg.store import EndpointStore

    with running_virtuoso(args.folder, 18890, 11111, buffers=args.buffers):
        endpoint = "http://127.0.0.1:18890/sparql"
        out: dict = {"queries": latencies(EndpointStore(endpoint, timeout=args.timeout), args.timeout, args.queries)}
        if args.report:
            dlkg = shutil.which("dlkg") or sys.exit("install dlkg first")
            out["report_seconds"] = timed_report([dlkg, "report", "--endpoint", endpoint, "--no-pages", "-o",
                                                  str(args.folder / "report.html")], 1800)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

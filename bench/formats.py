"""What each output format costs a streaming build: wall time, peak RSS and file size per format and corpus size.

    python bench/formats.py [--sizes 1000,5000] [--formats nt,ttl,trig,nq] [--jobs 2] [--shared ../shared]

Corpora are drawn as in bench/run.py (records of the 434-paper corpus, replicated with fresh paper ids). Memory that
stays flat from one size to the next is what "streaming" means: N-Triples and N-Quads write each paper's lines, Turtle
and TriG each paper's block, as it comes.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from run import HERE, make_corpus

# each build runs under its own small parent, so its peak RSS is its own (RUSAGE_CHILDREN is a running maximum)
_MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, the largest of the build's processes)."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], check=True, capture_output=True, text=True).stdout
    wall, rss = out.split()
    return float(wall), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000")
    ap.add_argument("--formats", default="nt,ttl,trig,nq")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--work", default=str(HERE / "work"), help="scratch folder for corpora and KGs")
    args = ap.parse_args()
    dlkg = shutil.which("dlkg") or sys.exit("install dlkg first (pip install -e .)")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    source = Path(args.shared) / "corpus" / "answers-434-papers-5-llms.jsonl.gz"
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = work / f"corpus-{size}.jsonl"
        records, _, _ = make_corpus(source, size, corpus)
        for ext in args.formats.split(","):
            kg = work / f"kg-{size}.{ext}"
            wall, rss = timed([dlkg, "build", str(corpus), "-o", str(kg), "-q", "--jobs", str(args.jobs)])
            row = {"records": records, "format": ext, "seconds": round(wall, 1), "peak_rss_mb": round(rss),
                   "file_mb": round(kg.stat().st_size / 2**20, 1)}
            print(json.dumps(row), flush=True)
            rows.append(row)
            kg.unlink()
    print("\n| records | format | seconds | peak RSS (MB) | file (MB) |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['records']:,} | {r['format']} | {r['seconds']} | {r['peak_rss_mb']} | {r['file_mb']} |")


if __name__ == "__main__":
    main()

"""dlkg benchmark: build KGs of 1k, 10k, 100k records and measure what scale costs.

    python bench/run.py [--sizes 1000,10000,100000] [--jobs 2] [--shared ../shared]

A record is one paper's 28 answers from one LLM. Corpora are drawn from
shared/corpus/answers-434-papers-5-llms.jsonl.gz (2,170 records: 434 papers x 5 LLMs), replicated with fresh paper
ids when more are needed, so N records hold N/5 papers. For each size: `dlkg build --jobs J -o kg.nt` (records/s,
answers/s, peak RSS, triples).
On the largest size: the same build into an on-disk store, the latency of every saved query on that store, the
HTML report of it (`dlkg report --store`), and SHACL validation of the store (`dlkg validate --store`). In the same
run, the physical limit: spaCy's bare tokenizer (`spacy.blank("en").pipe`) over the same answer texts on one core.
Results go to bench/results/ (JSON and a plot) and a table printed in Markdown for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def make_corpus(source: Path, size: int, out: Path) -> tuple[int, int, int]:
    """`size` records cycled from `source`, each copy with a fresh paper id; returns (records, papers, answers)."""
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    answers, papers = 0, set()
    with open(out, "w", encoding="utf-8") as fh:
        for i, rec in enumerate(itertools.islice(itertools.cycle(records), size)):
            copy = i // len(records)
            paper = rec["id"] if copy == 0 else f"{rec['id']}-copy{copy}"
            fh.write(json.dumps({**rec, "id": paper}) + "\n")
            answers += len(rec["answers"])
            papers.add(paper)
    return size, len(papers), answers


def tokenizer_rate(corpus: Path, limit: int = 2170) -> float:
    """Records per second of spaCy's bare English tokenizer over the corpus's answer texts, one core."""
    import spacy

    nlp = spacy.blank("en")
    with open(corpus, encoding="utf-8") as fh:
        records = [json.loads(line) for line in itertools.islice(fh, limit)]
    texts = [a["answer"] for r in records for a in r["answers"]]
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return len(records) / (time.perf_counter() - start)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run a command; wall seconds and the peak RSS (MB) of it or any process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024  # ru_maxrss is in KB on Linux; a running maximum over children


def example_params(query) -> dict[str, str]:
    """Each parameter of a saved query bound to the example its description gives: e.g. "Mask R-CNN"."""
    params = {}
    for p in query.params:
        m = re.search(r'e\.g\.\s*"([^"]+)"', p.description)
        params[p.name] = m.group(1) if m else "x"
    return params


def query_latencies(store_dir: Path) -> dict[str, float]:
    from dlkg.query import list_queries, run_query
    from dlkg.store import DiskStore

    store = DiskStore(store_dir, read_only=True)
    out = {}
    for q in list_queries():
        params = example_params(q)
        start = time.perf_counter()
        run_query(q, store, params)
        out[q.name] = time.perf_counter() - start
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--work", default=str(HERE / "work"), help="scratch folder for corpora and KGs (large)")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    source = Path(args.shared) / "corpus" / "answers-434-papers-5-llms.jsonl.gz"
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    dlkg = shutil.which("dlkg") or sys.exit("install dlkg first (pip install -e .)")

    run = {"date": date.today().isoformat(), "machine": f"{platform.node()} {platform.machine()}, "
           f"{os.cpu_count()} cores, Python {platform.python_version()}", "jobs": args.jobs,
           "command": " ".join(["python", "bench/run.py"] + sys.argv[1:]), "builds": []}
    for size in sizes:
        corpus = work / f"corpus-{size}.jsonl"
        records, papers, answers = make_corpus(source, size, corpus)
        if size == sizes[0]:
            run["tokenizer_records_per_s"] = round(tokenizer_rate(corpus), 1)
            print(f"bare tokenizer: {run['tokenizer_records_per_s']} records/s (one core)", flush=True)
        kg = work / f"kg-{size}.nt"
        wall, rss = timed([dlkg, "build", str(corpus), "-o", str(kg), "-q", "--jobs", str(args.jobs)])
        with open(kg, "rb") as fh:
            triples = sum(1 for _ in fh)
        row = {"records": records, "papers": papers, "answers": answers, "seconds": round(wall, 1),
               "records_per_s": round(records / wall, 1),
               "answers_per_s": round(answers / wall, 1), "peak_rss_mb": round(rss), "triples": triples}
        run["builds"].append(row)
        print(json.dumps(row), flush=True)
        kg.unlink()
    largest = sizes[-1]
    store = work / f"store-{largest}"
    shutil.rmtree(store, ignore_errors=True)
    wall, _ = timed([dlkg, "build", str(work / f"corpus-{largest}.jsonl"), "--store", str(store), "-q", "--jobs", str(args.jobs)])
    run["store_build_seconds"] = round(wall, 1)
    run["query_seconds"] = {k: round(v, 3) for k, v in query_latencies(store).items()}
    print("queries:", json.dumps(run["query_seconds"]), flush=True)
    wall, rss = timed([dlkg, "report", "--store", str(store), "-o", str(work / f"report-{largest}.html")])
    run["report_seconds"], run["report_peak_rss_mb"] = round(wall, 1), round(rss)
    print(f"report (HTML) on {largest} records: {run['report_seconds']} s", flush=True)
    start = time.perf_counter()
    subprocess.run([dlkg, "validate", "--store", str(store), "--jobs", str(args.jobs)], stdout=subprocess.DEVNULL)
    run["shacl_seconds"] = round(time.perf_counter() - start, 1)
    run["shacl_records"] = largest
    print(f"SHACL on {largest} records: {run['shacl_seconds']} s", flush=True)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"results-{run['date']}.json").write_text(json.dumps(run, indent=1) + "\n")
    plot(run)
    print(markdown(run))


def plot(run: dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    builds = run["builds"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    x = [r["records"] for r in builds]
    a.plot(x, [r["records_per_s"] for r in builds], "o-", label=f"dlkg build --jobs {run['jobs']}")
    a.axhline(run["tokenizer_records_per_s"], color="grey", ls="--", label="bare spaCy tokenizer, 1 core")
    a.axhline(0.4 * run["tokenizer_records_per_s"], color="red", ls=":", label="target: 0.4 x tokenizer")
    a.set(xscale="log", xlabel="records", ylabel="records / s", title="Throughput")
    a.legend(fontsize=7)
    b.plot(x, [r["peak_rss_mb"] for r in builds], "o-")
    b.axhline(1024, color="red", ls=":", label="target: 1 GB")
    b.set(xscale="log", xlabel="records", ylabel="MB", title="Peak RSS of the build")
    b.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / f"scale-{run['date']}.png", dpi=120)


def markdown(run: dict) -> str:
    lines = [f"### {run['date']} — {run['machine']}", "", f"Command: `{run['command']}`", "",
             "| records | papers | answers | seconds | records/s | answers/s | peak RSS (MB) | triples |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['records']:,} | {r['papers']:,} | {r['answers']:,} | {r['seconds']} | {r['records_per_s']} | "
              f"{r['answers_per_s']} | {r['peak_rss_mb']} | {r['triples']:,} |" for r in run["builds"]]
    slowest = max(run["query_seconds"].items(), key=lambda kv: kv[1])
    lines += ["", f"- bare spaCy tokenizer, one core: {run['tokenizer_records_per_s']} records/s "
              f"(target for `--jobs {run['jobs']}`: {0.4 * run['tokenizer_records_per_s']:.0f} records/s)",
              f"- build into an on-disk store ({run['builds'][-1]['records']:,} records): {run['store_build_seconds']} s",
              f"- saved queries on that store: slowest {slowest[0]} {slowest[1]} s; all: "
              + ", ".join(f"{k} {v}" for k, v in run["query_seconds"].items()),
              f"- `dlkg report` (HTML) on that store: {run['report_seconds']} s",
              f"- SHACL validation of the store ({run['shacl_records']:,} records): {run['shacl_seconds']} s"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

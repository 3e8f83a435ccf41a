"""What a researcher waits for: `dlkg query`, `stats`, `show`, `table` and `report` on KG files, wall time with process
start, through today's read path (KG files in an in-memory Oxigraph store) and an older revision's (rdflib), in one
run; and the report on a 10,000-record file against the same report from a store.

    python bench/read_path.py [--old c321e7d] [--shared ../shared] [--work bench/work] [--big KG-10000.nq]

The 30-paper file is the first 150 records of the shared corpus (30 papers x 5 LLMs) as Turtle. The older revision
runs from a git worktree of this repository with its own ontology and queries. `--big` is an N-Quads build of
10,000 records (bench/expand_kg.py writes one); it is also bulk-loaded into a store (as bench/stores.py does).
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run import HERE
from stores import fill_store_from_nq

REPO = HERE.parent


def wall(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> float | str:
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"cut off after {timeout:.0f} s"
    took = time.perf_counter() - start
    return round(took, 2) if done.returncode == 0 else f"failed ({done.returncode}): {done.stderr.strip()[-200:]}"


def old_checkout(rev: str, work: Path) -> tuple[list[str], dict[str, str]]:
    """The `dlkg` of revision `rev`, run from a worktree: its own sources, ontology and queries."""
    tree = work / f"old-{rev}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "DLKG_HOME": str(tree)}
    return [sys.executable, "-m", "dlkg.cli"], env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", default="c321e7d", help="the revision to compare with (before the Oxigraph read path)")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--work", default=str(HERE / "work"))
    ap.add_argument("--big", type=Path, help="an N-Quads KG of 10,000 records")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    new = [shutil.which("dlkg") or sys.exit("install dlkg first (pip install -e .)")]
    old, old_env = old_checkout(args.old, work)

    answers = work / "corpus-150.jsonl"
    with gzip.open(Path(args.shared) / "corpus" / "answers-434-papers-5-llms.jsonl.gz", "rt", encoding="utf-8") as fh:
        answers.write_text("".join(itertools.islice(fh, 150)), encoding="utf-8")
    kg = work / "kg-30.ttl"
    subprocess.run(new + ["build", str(answers), "-o", str(kg), "-q"], check=True)
    paper = json.loads(answers.read_text(encoding="utf-8").splitlines()[0])["id"]
    run: dict = {"file": f"{kg.name}, {kg.stat().st_size / 1e6:.1f} MB", "old": args.old, "commands": {}}
    commands = {"query kg-summary": ["query", "kg-summary", "--kg", str(kg)], "stats": ["stats", str(kg)],
                "report": ["report", str(kg), "-o", str(work / "report-30.html")]}
    new_only = {"show": ["show", paper, str(kg)], "table": ["table", str(kg), "-o", str(work / "papers-30.csv")]}
    for name, cmd in commands.items():
        then, now = wall(old + cmd, old_env), wall(new + cmd)
        ratio = round(then / now, 1) if isinstance(then, float) and isinstance(now, float) else None
        run["commands"][name] = {"old_s": then, "new_s": now, "speed_up": ratio}
        print(name, run["commands"][name], flush=True)
    for name, cmd in new_only.items():
        run["commands"][name] = {"new_s": wall(new + cmd)}
        print(name, run["commands"][name], flush=True)

    if args.big:
        store = work / "store-read-path"
        shutil.rmtree(store, ignore_errors=True)
        fill_store_from_nq(store, args.big)
        big = {"file": f"{args.big.name}, {args.big.stat().st_size / 1e9:.2f} GB",
               "report_from_file_s": wall(new + ["report", str(args.big), "-o", str(work / "report-big-file.html")]),
               "report_from_store_s": wall(new + ["report", "--store", str(store), "-o",
                                                  str(work / "report-big-store.html")])}
        if isinstance(big["report_from_file_s"], float) and isinstance(big["report_from_store_s"], float):
            big["file_over_store"] = round(big["report_from_file_s"] / big["report_from_store_s"], 2)
        run["big"] = big
        print(json.dumps(big), flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "read-path.json").write_text(json.dumps(run, indent=1) + "\n")
    print(json.dumps(run, indent=1))


if __name__ == "__main__":
    main()

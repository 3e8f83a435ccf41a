"""A large N-Quads KG without a large build: `bench/run.py`'s corpus of N records is the 2,170 records of the shared
corpus cycled, copy k of a paper having the id `ID-copyk`, so its KG is copies of the 2,170-record KG with the paper
ids renamed. This writes those copies from one real build, in minutes instead of the hours a 100,000-record build
takes, and `--check` compares the result line for line with a real build of the same records.

    python bench/expand_kg.py KG-2170.nq --records 100000 -o KG-100000.nq [--check REAL.nq]

What a copy renames: the paper's IRIs (`.../paper/ID/...`, its named graph), its identifier literal and the
pipeline's label; an evidence IRI ends with a hash of the node it supports, recomputed for the renamed node.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import re
import sys
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

PAPER = "https://w3id.org/dlkg/resource/paper/"
GRAPH = re.compile(r" <(" + re.escape(PAPER) + r"[^/>]+)> \.$")
SUPPORTS = " <https://w3id.org/dlkg/ontology#supports> "
IDENTIFIER = " <http://purl.org/dc/terms/identifier> "
EVIDENCE = re.compile(r"<([^>]*/evidence/[^>]*)>")


def blocks(path: Path) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The lines outside paper graphs (header, shared graph), and each paper graph's lines, in file order."""
    head: list[str] = []
    papers: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = GRAPH.search(line.rstrip("\n"))
            if m:
                papers.setdefault(m.group(1), []).append(line)
            else:
                head.append(line)
    return head, list(papers.items())


def renamed(graph: str, lines: list[str], copy: int) -> Iterator[str]:
    """One paper graph's lines as copy `copy` of that paper."""
    old_segment = graph[len(PAPER):]
    paper_id = next(line.split(IDENTIFIER, 1)[1].split('" <', 1)[0][1:] for line in lines
                    if IDENTIFIER in line and line.startswith(f"<{graph}> "))
    new_id = f"{paper_id}-copy{copy}"
    new_segment = quote(new_id, safe="_.-~")

    def iri(text: str) -> str:
        return text.replace(f"{PAPER}{old_segment}/", f"{PAPER}{new_segment}/").replace(
            f"{PAPER}{old_segment}>", f"{PAPER}{new_segment}>")

    evidence: dict[str, str] = {}  # old evidence IRI -> new, whose hash is of the renamed supported node
    for line in lines:
        if SUPPORTS in line:
            ev, rest = line.split(SUPPORTS, 1)
            node = iri(rest.rsplit(" <", 1)[0].strip())[1:-1]
            old = ev[1:-1]
            evidence[old] = iri(old).rsplit("-", 1)[0] + "-" + hashlib.sha1(node.encode("utf-8")).hexdigest()[:8]
    for line in lines:
        if "/evidence/" in line:
            line = EVIDENCE.sub(lambda m: f"<{evidence.get(m.group(1), m.group(1))}>", line)
        line = iri(line)
        line = line.replace(f'"{paper_id}"', f'"{new_id}"').replace(
            f'"deep-learning pipeline of {paper_id}"', f'"deep-learning pipeline of {new_id}"')
        yield line


def expand(source: Path, records: int, out: Path, records_per_copy: int = 2170, per_paper: int = 5) -> int:
    head, papers = blocks(source)
    if len(papers) * per_paper != records_per_copy:
        sys.exit(f"{source}: {len(papers)} papers, expected {records_per_copy // per_paper}")
    wanted = records // per_paper  # papers in all
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        fh.writelines(head)
        n += len(head)
        for i, (graph, lines) in enumerate(itertools.islice(itertools.cycle(papers), wanted)):
            copy = i // len(papers)
            for line in (lines if copy == 0 else renamed(graph, lines, copy)):
                fh.write(line)
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path, help="the N-Quads build of the 2,170-record corpus")
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--check", type=Path, help="a real build of the same records: the sorted lines must be equal")
    args = ap.parse_args()
    print(f"{expand(args.source, args.records, args.output)} quads -> {args.output}", flush=True)
    if args.check:
        with open(args.output, encoding="utf-8") as a, open(args.check, encoding="utf-8") as b:
            ours, real = sorted(a), sorted(b)
        if ours != real:
            diff = sorted(set(ours) ^ set(real))
            sys.exit(f"differs from {args.check} in {len(diff)} lines, e.g.:\n" + "".join(diff[:6]))
        print(f"identical to {args.check} (sorted lines)")


if __name__ == "__main__":
    main()

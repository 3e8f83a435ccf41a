"""The report's plots, drawn by matplotlib from the saved queries' rows and returned as figures.

Each function takes rows as `Report.records` gives them and returns None when there is nothing to draw, so the
page says so instead of showing an empty frame. `to_svg` turns a figure into inline SVG with its text kept as text.
"""
from __future__ import annotations

import io
from collections import defaultdict
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: the report is written, never shown

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

REPORTED, SOME_FACTS, FACTS, MISSING = "#c6dbef", "#6baed6", "#08519c", "#f0f0f0"
NOT_REPORTED, FACTS_ELSEWHERE = "#fdae6b", "#bcbddc"
LEVEL_COLOURS = {"full": "#006d2c", "high": "#41ab5d", "medium": "#fdae6b", "low": "#e6550d", "none": "#a50f15"}
MAX_HEATMAP_COLUMNS = 15


def to_svg(fig: Figure) -> str:
    """The figure as an <svg> element (no XML prolog), to sit inside HTML."""
    with plt.rc_context({"svg.fonttype": "none"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def coverage(rows: Sequence[dict]) -> Figure | None:
    """Per CQ: share of papers that report it and share with extracted facts."""
    if not rows:
        return None
    labels = [f"{r['cq']} {r['concepts']}" for r in rows]
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(rows) + 1.2))
    y = range(len(rows))
    ax.barh([i - 0.2 for i in y], [r["reportedRate"] for r in rows], height=0.4, color=SOME_FACTS, label="Reported")
    ax.barh([i + 0.2 for i in y], [r["factRate"] for r in rows], height=0.4, color=FACTS, label="with extracted facts")
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of papers")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def levels(counts: dict[str, int], rates: dict[str, float]) -> Figure | None:
    """Papers per reproducibility level, and the share of papers that document each variable."""
    if not sum(counts.values()):
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    left.bar(list(counts), list(counts.values()), color=[LEVEL_COLOURS[level] for level in counts])
    left.set_ylabel("papers")
    left.yaxis.get_major_locator().set_params(integer=True)
    left.set_title("reproducibility level", fontsize=10)
    for x, n in enumerate(counts.values()):
        left.annotate(str(n), (x, n), ha="center", va="bottom", fontsize=8)
    right.barh(list(rates), list(rates.values()), color=FACTS)
    right.invert_yaxis()
    right.set_xlim(0, 1)
    right.set_xlabel("share of papers that document it")
    right.set_title("variables", fontsize=10)
    return fig


def completeness(rows: Sequence[dict], papers: Sequence[str]) -> Figure | None:
    """Heatmap of papers x CQs: status of the answers and how many facts of the CQ's concepts the paper has."""
    shown = set(papers)
    rows = [r for r in rows if r["identifier"] in shown]
    if not rows:
        return None
    cqs = sorted({r["cq"] for r in rows}, key=lambda cq: int(cq[2:]) if cq[2:].isdigit() else 0)
    col, line = {cq: i for i, cq in enumerate(cqs)}, {p: i for i, p in enumerate(papers)}
    grid = [[0] * len(cqs) for _ in papers]  # 0: not asked
    for r in rows:
        facts = int(r["facts"])
        if r["status"] == "Reported":
            code = 3 if facts == 0 else 4 if facts < 3 else 5
        else:
            code = 2 if facts else 1
        grid[line[r["identifier"]]][col[r["cq"]]] = code
    legend = [(NOT_REPORTED, "NotReported"), (FACTS_ELSEWHERE, "NotReported, facts from other answers"),
              (REPORTED, "Reported, no facts"), (SOME_FACTS, "Reported, 1-2 facts"), (FACTS, "Reported, 3+ facts"),
              (MISSING, "not asked")]
    colours = ListedColormap([MISSING, NOT_REPORTED, FACTS_ELSEWHERE, REPORTED, SOME_FACTS, FACTS])
    fig, ax = plt.subplots(figsize=(max(6, 0.32 * len(cqs) + 2.5), 0.2 * len(papers) + 1.6))
    ax.imshow(grid, cmap=colours, vmin=0, vmax=5, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(cqs)), cqs, rotation=90, fontsize=7)
    ax.set_yticks(range(len(papers)), [_short(p) for p in papers], fontsize=6)
    ax.tick_params(length=0)
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c, _ in legend], [text for _, text in legend],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False)
    return fig


def top_things(concept: str, rows: Sequence[dict]) -> Figure | None:
    """The most used things of one concept, by papers."""
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(4.6, 0.26 * len(rows) + 0.9))
    ax.barh([_short(r["name"], 34) for r in rows], [r["papers"] for r in rows], color=FACTS)
    ax.invert_yaxis()
    ax.set_title(concept, fontsize=10)
    ax.set_xlabel("papers", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def cooccurrence(rows: Sequence[dict]) -> Figure | None:
    """Heatmap of model families x frameworks, papers in each cell; the most used of each side only."""
    if not rows:
        return None
    by_family: dict[str, int] = defaultdict(int)
    by_framework: dict[str, int] = defaultdict(int)
    cells: dict[tuple[str, str], int] = {}
    for r in rows:
        by_family[r["family"]] += r["papers"]
        by_framework[r["framework"]] += r["papers"]
        cells[r["family"], r["framework"]] = r["papers"]
    families = sorted(by_family, key=lambda k: (-by_family[k], k))[:MAX_HEATMAP_COLUMNS]
    frameworks = sorted(by_framework, key=lambda k: (-by_framework[k], k))[:MAX_HEATMAP_COLUMNS]
    grid = [[cells.get((fam, fw), 0) for fw in frameworks] for fam in families]
    fig, ax = plt.subplots(figsize=(0.6 * len(frameworks) + 3.5, 0.4 * len(families) + 1.8))
    ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(frameworks)), frameworks, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(families)), families, fontsize=8)
    top = max(max(line) for line in grid) or 1
    for i, line in enumerate(grid):
        for j, n in enumerate(line):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color="white" if n > top / 2 else "black")
    return fig


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

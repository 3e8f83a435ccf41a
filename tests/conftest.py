from __future__ import annotations

from pathlib import Path

import pytest

from dlkg.build import build
from dlkg.layout import ONTOLOGY_GRAPH, split_by_paper
from dlkg.store import DiskStore, load
from dlkg.vocabulary import ontology_graph

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).parent / "data"


def shared(*parts: str) -> Path:
    """A file of ../shared (present in CI); tests that need it are skipped on machines without it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session")
def seeds_result():
    return build()


@pytest.fixture(scope="session")
def seeds_graph(seeds_result):
    return seeds_result.graph()


def disk_store_of(graph, path: Path) -> DiskStore:
    """An on-disk store holding `graph` the way `dlkg load --store` writes it: a graph per paper plus the ontology."""
    store = DiskStore(path)
    load(split_by_paper(graph) + [(ONTOLOGY_GRAPH, ontology_graph())], store)
    return store

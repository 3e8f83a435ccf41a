"""`dlkg build --executor dask` on a real dask.distributed LocalCluster (two worker processes)."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlkg.build import build_to
from dlkg.cli import main

from conftest import DATA

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def quads(folder: Path) -> set[str]:
    return {line for f in folder.iterdir() for line in f.read_text(encoding="utf-8").splitlines()}


def test_dask_build_writes_exactly_the_quads_of_a_local_build(cluster, tmp_path):
    local = tmp_path / "kg.nq"
    expected = build_to(None, out=local)
    r = CliRunner().invoke(main, ["build", "--executor", "dask", "--scheduler", cluster.scheduler_address,
                                  "--partition-size", "3", "-o", str(tmp_path / "parts")])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (tmp_path / "parts").iterdir())
    assert names == ["header.nq", "part-00000.nq", "part-00001.nq", "part-00002.nq", "part-00003.nq"]  # 10 seeds
    assert quads(tmp_path / "parts") == set(local.read_text(encoding="utf-8").splitlines())
    assert f"{expected.papers} papers, {expected.answers} answers" in r.output


def test_a_refused_dask_build_leaves_the_previous_partitions(cluster, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text((DATA / "small.jsonl").read_text() + "{not json\n")
    out = tmp_path / "parts"
    args = ["build", str(bad), "--executor", "dask", "--scheduler", cluster.scheduler_address, "-o", str(out), "-q"]
    assert CliRunner().invoke(main, args).exit_code == 3  # built, one record skipped
    before = quads(out)
    r = CliRunner().invoke(main, args + ["--strict"])
    assert r.exit_code == 1 and "bad.jsonl:" in r.output
    assert quads(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "parts"]


def test_a_dask_build_that_gives_no_paper_writes_nothing_and_exits_4(cluster, tmp_path):
    out = tmp_path / "parts"
    out.mkdir()
    (out / "part-00000.nq").write_text("<urn:x-test:a> <urn:x-test:b> <urn:x-test:c> .\n")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = CliRunner().invoke(main, ["build", str(empty), "--executor", "dask", "--scheduler", cluster.scheduler_address,
                                  "-o", str(out)])
    assert r.exit_code == 4 and "error: the inputs gave no paper; nothing was written" in r.output, r.output
    assert [p.name for p in out.iterdir()] == ["part-00000.nq"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", "parts"]


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(main, ["build", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "-o",
                                  str(tmp_path / "parts")])
    assert r.exit_code == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in r.output
    assert list(tmp_path.iterdir()) == []


def test_dask_needs_a_scheduler_and_partition_files():
    r = CliRunner().invoke(main, ["build", "--executor", "dask", "-o", "x"])
    assert r.exit_code == 1 and "--scheduler" in r.output
    r = CliRunner().invoke(main, ["build", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--store", "s"])
    assert r.exit_code == 1 and "bulk-load" in r.output

"""Streaming builds: the same graph whatever the format, the number of processes or the way through."""
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from dlkg.build import build, build_to, write
from dlkg.cli import main
from dlkg.errors import DlkgError

from conftest import DATA


def test_streamed_and_in_memory_builds_are_the_same_graph(tmp_path):
    write(build([DATA / "small.jsonl"]), tmp_path / "memory.ttl")
    build_to([DATA / "small.jsonl"], out=tmp_path / "streamed.ttl")
    assert isomorphic(Graph().parse(tmp_path / "memory.ttl"), Graph().parse(tmp_path / "streamed.ttl"))


def test_parallel_extraction_gives_the_same_triples(tmp_path):
    one, two = tmp_path / "one.nq", tmp_path / "two.nq"
    assert CliRunner().invoke(main, ["build", "-o", str(one), "-q"]).exit_code == 0
    assert CliRunner().invoke(main, ["build", "-o", str(two), "-q", "--jobs", "2"]).exit_code == 0
    assert one.read_text() == two.read_text()  # same order too: papers are written in input order
    ds = Dataset().parse(two, format="nquads")
    assert len({g.identifier for g in ds.graphs() if len(g)}) > 5


def test_extraction_workers_die_on_sigterm_whatever_handler_the_parent_installed():
    """`dlkg build` turns SIGTERM into SystemExit (to clean up); its forked workers must not inherit that, or
    Pool.terminate() can wait forever for a worker that swallowed it."""
    import multiprocessing
    import signal
    import sys

    from dlkg.execute import _start_pool_worker
    from dlkg.namespaces import DEFAULT_RESOURCE_BASE

    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with multiprocessing.get_context("fork").Pool(1, _start_pool_worker, (DEFAULT_RESOURCE_BASE,)) as pool:
            assert pool.apply(signal.getsignal, (signal.SIGTERM,)) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_build_that_fails_leaves_the_previous_output_and_no_debris(tmp_path):
    out = tmp_path / "kg.ttl"
    out.write_text("previous")

    def fail(result):
        raise DlkgError("stop")
    for target in (out, tmp_path / "kg.nt"):
        with pytest.raises(DlkgError):
            build_to([DATA / "small.jsonl"], out=target, before_write=fail)
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl"]


def test_strict_refuses_to_replace_the_output(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text((DATA / "small.jsonl").read_text() + "{not json\n")
    out = tmp_path / "kg.ttl"
    out.write_text("previous")
    r = CliRunner().invoke(main, ["build", str(bad), "-o", str(out), "-q", "--strict"])
    assert r.exit_code == 1 and "bad.jsonl:" in r.output and out.read_text() == "previous"
    r = CliRunner().invoke(main, ["build", str(bad), "-o", str(out), "-q"])
    assert r.exit_code == 3 and len(Graph().parse(out)) > 0


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_an_interrupted_build_leaves_the_previous_output(tmp_path, sig):
    import json
    import shutil
    import signal
    import subprocess
    import time

    record = json.loads((DATA / "small.jsonl").read_text().splitlines()[0])
    with open(tmp_path / "many.jsonl", "w") as fh:
        for i in range(2000):
            fh.write(json.dumps({**record, "id": f"P{i}"}) + "\n")
    out = tmp_path / "kg.ttl"
    out.write_text("previous")
    # Ctrl-C as at a terminal: a test run started in the background (`cmd &`) would hand the build SIGINT ignored
    proc = subprocess.Popen([shutil.which("dlkg"), "build", str(tmp_path / "many.jsonl"), "-o", str(out), "-q"],
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".kg.ttl.") for p in tmp_path.iterdir()):  # writing has begun
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(getattr(signal, sig))
    assert proc.wait(timeout=60) != 0
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl", "many.jsonl"]

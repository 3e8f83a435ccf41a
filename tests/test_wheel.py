"""A built wheel installs into a fresh venv and works from any directory, without the checkout."""
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_wheel_installs_and_builds_and_queries_from_any_directory(tmp_path):
    wheels = tmp_path / "wheels"
    # no build isolation and no index: the test needs no network (setuptools and wheel come with the test extra)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = next(wheels.glob("dlkg-*.whl"))
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    work = tmp_path / "elsewhere"
    work.mkdir()
    # the dependencies come from this environment's site-packages, put on the path as a plain folder: its .pth files
    # (such as the editable install of this checkout) are not run there, so only the wheel provides dlkg
    paths = sysconfig.get_paths()
    env = {k: v for k, v in os.environ.items() if k != "DLKG_HOME"}
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([paths["purelib"], paths["platlib"]]))
    dlkg = [str(env_dir / "bin" / "dlkg")]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(dlkg + list(args), cwd=work, env=env, capture_output=True, text=True)

    where = subprocess.run([str(python), "-c", "import dlkg.resources as r; print(r.project_root())"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert "site-packages" in where and str(ROOT) not in where  # the wheel's own data, not the checkout
    built = run("build", "-o", "kg.ttl")
    assert built.returncode == 0, built.stderr
    query = run("query", "papers-using-model-on-gpu", "--kg", "kg.ttl", "--param", "model=Mask R-CNN")
    assert query.returncode == 0 and "Publication_" in query.stdout, query.stderr
    assert run("validate", "kg.ttl").returncode == 0
    assert "kg-summary" in run("queries").stdout


def test_a_missing_resource_folder_is_a_one_line_error(tmp_path):
    env = dict(os.environ, DLKG_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "dlkg.cli", "queries"], env=env, capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip().startswith("error: ") and "Traceback" not in out.stderr
    assert str(tmp_path) in out.stderr and len(out.stderr.strip().splitlines()) == 1

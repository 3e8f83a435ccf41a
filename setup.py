"""setuptools build step: ship ontology/, shapes/, queries/ and seeds/ inside the package as dlkg/_data/.

They stay at the repository's top level (where people edit them and Protégé opens them); a built wheel carries
copies that `dlkg.resources` reads with importlib.resources. Editable installs read the checkout instead.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = ("ontology", "shapes", "queries", "seeds")


class build_py_with_resources(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "dlkg" / "_data"
        shutil.rmtree(target, ignore_errors=True)
        for name in RESOURCES:
            shutil.copytree(root / name, target / name)


setup(cmdclass={"build_py": build_py_with_resources})

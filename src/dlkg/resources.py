"""Where the shipped resources live: ontology/, shapes/, queries/ and seeds/.

In the repository they sit at the top level; a wheel carries copies inside the package (`dlkg/_data/`, put there
by setup.py's build step), read through `importlib.resources` as pySHACL reads its own data. `DLKG_HOME` overrides
both, and an editable install reads the checkout it was installed from.
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from .errors import DlkgError


@lru_cache(maxsize=None)
def _root(env: str | None) -> Path:
    if env:
        root = Path(env)
        if not (root / "ontology" / "dlkg.ttl").is_file():
            raise DlkgError(f"DLKG_HOME={env}: no ontology/dlkg.ttl there; point it at a dlkg checkout or unset it")
        return root
    packaged = Path(str(files("dlkg") / "_data"))
    if (packaged / "ontology" / "dlkg.ttl").is_file():
        return packaged
    for parent in Path(__file__).resolve().parents:
        if (parent / "ontology" / "dlkg.ttl").is_file() and (parent / "src" / "dlkg").is_dir():
            return parent
    raise DlkgError("dlkg's ontology/ folder is missing from this installation; reinstall dlkg, "
                    "or set DLKG_HOME to a dlkg checkout")


def project_root() -> Path:
    """The folder holding ontology/, shapes/, queries/ and seeds/."""
    return _root(os.environ.get("DLKG_HOME") or None)


def ontology_dir() -> Path:
    return project_root() / "ontology"


def shapes_dir() -> Path:
    return project_root() / "shapes"


def queries_dir() -> Path:
    return project_root() / "queries"


def seeds_dir() -> Path:
    return project_root() / "seeds"

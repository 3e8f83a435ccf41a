"""Protégé readiness, checked with the library Protégé itself is built on (the OWL API 5, Debian's libowlapi-java):
no unparsed triples, imports resolved offline through ontology/catalog-v001.xml, and no OWL 2 DL profile violation."""
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from dlkg.cli import main
from dlkg.resources import ontology_dir

OWLAPI = Path("/usr/share/java/owlapi-distribution.jar")
CATALOG = ontology_dir() / "catalog-v001.xml"


def catalog_entries() -> dict[str, Path]:
    ns = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
    return {e.get("name"): CATALOG.parent / e.get("uri") for e in ET.parse(CATALOG).getroot().findall("c:uri", ns)}


def test_catalog_maps_every_imported_ontology_to_a_shipped_file():
    entries = catalog_entries()
    assert all(path.is_file() for path in entries.values())
    for name, path in entries.items():
        g = Graph().parse(path)
        headers = set(g.subjects(RDF.type, OWL.Ontology))
        versions = set(g.objects(None, OWL.versionIRI))
        assert {str(h) for h in headers | versions} & {name}, (name, path)
        for imported in g.objects(None, OWL.imports):
            assert str(imported) in entries, f"{path.name} imports {imported}, which the catalog does not map"


@pytest.fixture(scope="module")
def owl_check(tmp_path_factory):
    if not (OWLAPI.exists() and shutil.which("javac")):
        pytest.skip("needs Java and Debian's libowlapi-java (.ci/run installs them)")
    classes = tmp_path_factory.mktemp("owlcheck")
    classpath = ":".join(str(p) for p in sorted(Path("/usr/share/java").glob("*.jar")))
    source = Path(__file__).parent / "owlapi" / "OwlCheck.java"
    subprocess.run(["javac", "-d", str(classes), "-cp", classpath, str(source)], check=True, capture_output=True)

    def check(path: Path, catalog: Path | None = None) -> subprocess.CompletedProcess:
        args = ["--catalog", str(catalog), str(path)] if catalog else [str(path)]
        return subprocess.run(["java", "-cp", f"{classes}:{classpath}", "OwlCheck", *args],
                              capture_output=True, text=True, timeout=300)
    return check


def test_a_self_contained_kg_opens_as_owl2_dl(owl_check, tmp_path):
    kg = tmp_path / "kg.owl"
    assert CliRunner().invoke(main, ["build", "--with-ontology", "-o", str(kg), "-q"]).exit_code == 0
    result = owl_check(kg)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "problems 0" in result.stdout and "imports 0" in result.stdout


def test_a_bare_kg_opens_through_the_catalog(owl_check, tmp_path):
    kg = tmp_path / "kg.ttl"
    assert CliRunner().invoke(main, ["build", "-o", str(kg), "-q"]).exit_code == 0
    result = owl_check(kg, CATALOG)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "problems 0" in result.stdout and "imports 1" in result.stdout
    assert owl_check(kg).returncode != 0  # without the catalog the imports cannot be resolved offline


def test_the_vocabulary_opens_with_its_imports_through_the_catalog(owl_check):
    result = owl_check(CATALOG.parent / "dlkg-vocabulary.ttl", CATALOG)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "problems 0" in result.stdout

"""The fixed namespaces of the design contract."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

DLKG = Namespace("https://w3id.org/dlkg/ontology#")
DLV = Namespace("https://w3id.org/dlkg/vocab/")
DEFAULT_RESOURCE_BASE = "https://w3id.org/dlkg/resource/"
BIBO = Namespace("http://purl.org/ontology/bibo/")
PROV = Namespace("http://www.w3.org/ns/prov#")

PREFIXES = {"dlkg": DLKG, "dlv": DLV, "bibo": BIBO, "prov": PROV, "dcterms": DCTERMS, "skos": SKOS, "owl": OWL,
            "rdfs": RDFS, "rdf": RDF, "xsd": XSD}

"""The fixed namespaces of the design contract and where the shipped resources live."""
from __future__ import annotations

import os
from pathlib import Path

from rdflib import Namespace

DLKG = Namespace("https://w3id.org/dlkg/ontology#")
DLV = Namespace("https://w3id.org/dlkg/vocab/")
DEFAULT_RESOURCE_BASE = "https://w3id.org/dlkg/resource/"
BIBO = Namespace("http://purl.org/ontology/bibo/")
PROV = Namespace("http://www.w3.org/ns/prov#")

PREFIXES = {"dlkg": DLKG, "dlv": DLV, "bibo": BIBO, "prov": PROV}

CQ_CONCEPTS: dict[str, tuple[str, ...]] = {
    "CQ1": ("Method", "RawData"), "CQ2": ("DataFormat",), "CQ3": ("DataAnnotationTechnique",),
    "CQ4": ("DataAugmentationTechnique",), "CQ5": ("Dataset",), "CQ6": ("PreprocessingStep",),
    "CQ7": ("DataSplitCriteria",), "CQ8": ("CodeRepository",), "CQ9": ("DataRepository",),
    "CQ10": ("CodeRepositoryLink",), "CQ11": ("DataRepositoryLink",), "CQ12": ("DeepLearningModel",),
    "CQ13": ("Hyperparameter",), "CQ14": ("HyperparameterOptimization",), "CQ15": ("OptimizationTechnique",),
    "CQ16": ("TrainingCompletionCriteria",), "CQ17": ("RegularizationMethod",),
    "CQ18": ("ModelPerformanceMonitoringStrategy",), "CQ19": ("Framework",), "CQ20": ("HardwareResource",),
    "CQ21": ("PostprocessingStep",), "CQ22": ("PerformanceMetric",), "CQ23": ("GeneralizabilityMeasure",),
    "CQ24": ("RandomnessStrategy",), "CQ25": ("ModelPurpose",), "CQ26": ("DataBiasTechnique",),
    "CQ27": ("ModelDeploymentProcess",), "CQ28": ("DeploymentPlatform",),
}
CONCEPTS: tuple[str, ...] = tuple(c for cs in CQ_CONCEPTS.values() for c in cs)


def project_root() -> Path:
    """The folder holding ontology/, shapes/, queries/ and seeds/.

    DLKG_HOME overrides it; otherwise it is the checkout the package is installed from (editable install).
    """
    env = os.environ.get("DLKG_HOME")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "ontology" / "dlkg.ttl").is_file():
            return parent
    raise FileNotFoundError("cannot find dlkg's ontology/ folder; set DLKG_HOME to the dlkg checkout")


def ontology_dir() -> Path:
    return project_root() / "ontology"


def shapes_dir() -> Path:
    return project_root() / "shapes"


def queries_dir() -> Path:
    return project_root() / "queries"


def seeds_dir() -> Path:
    return project_root() / "seeds"

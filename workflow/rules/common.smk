import sys
from pathlib import Path

from sphere.config import validate, write_resolved

validate(config, "snakemake config")
RUN = Path(config.get("results", "results")) / config["run"]
# The resolved config sits next to its outputs; it is rewritten only when it changes, so a changed
# setting reruns what depends on it and nothing else is touched.
CONFIG = write_resolved(config, RUN / "config.yaml")
SPHERE = f"{sys.executable} -m sphere"
METHODS = list(config["methods"])
SYNTHETIC = config.get("data", {}).get("source", "synthetic") == "synthetic"


def raw(key):
    """Raw inputs: the synthetic generator's outputs, or the user's folders (data.source: folders)."""
    synthetic = {
        "train_root": RUN / "raw" / "train",
        "train_landmarks": RUN / "raw" / "train_landmarks.txt",
        "test_root": RUN / "raw" / "lfw",
        "test_landmarks": RUN / "raw" / "lfw_landmarks.txt",
        "pairs": RUN / "raw" / "pairs.txt",
    }
    return synthetic[key] if SYNTHETIC else Path(config["data"][key])

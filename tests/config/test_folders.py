"""Config keys of real image folders: several train roots, MTCNN detection, identity thresholds."""

from pathlib import Path

import pytest
import yaml

from sphere.config import ConfigError, validate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def real():
    return yaml.safe_load((REPO / "config" / "celeba-lfw.yaml").read_text())


def test_real_run_config_detects_and_merges_two_roots(real):
    data = validate(real)["data"]
    assert data["detect"] is True and len(data["train_root"]) == 2


def test_train_root_is_a_folder_or_a_list_of_folders(real):
    real["data"]["train_root"] = "/data/casia"
    validate(real)
    for bad in (3, [], [1]):
        real["data"]["train_root"] = bad
        with pytest.raises(ConfigError, match="train_root"):
            validate(real)


def test_landmark_lists_are_needed_unless_detected(real):
    real["data"]["detect"] = False
    with pytest.raises(ConfigError, match="train_landmarks"):
        validate(real)
    real["data"].update(train_landmarks="t.txt", test_landmarks="l.txt")
    validate(real)


@pytest.mark.parametrize(
    "key, value",
    [
        ("min_images_per_identity", 0),
        ("mtcnn_min_face", 8),
        ("detect", "yes"),
        ("mtcnn_weights", 1),
        ("exclude_identities", ["a"]),
    ],
)
def test_bad_detection_settings_are_named(real, key, value):
    real["data"][key] = value
    with pytest.raises(ConfigError, match=key):
        validate(real)


def test_paper_config_is_the_full_protocol():
    paper = validate(yaml.safe_load((REPO / "config" / "paper.yaml").read_text()))
    train = paper["train"]
    assert (train["batch_size"], train["iterations"], train["lr_steps"], paper["crop"]) == (
        512,
        28000,
        [16000, 24000],
        [112, 96],
    )
    assert paper["annealing"] == {"base": 1000, "gamma": 0.12, "power": 1, "lambda_min": 5}
    models = {m.get("train", {}).get("model", train["model"]) for m in paper["methods"].values()}
    # the main tables at SphereFace-20 and -64, and Fig. 6's five depths
    assert models == {f"sphereface{d}" for d in (4, 10, 20, 36, 64)}

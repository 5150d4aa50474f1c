"""The torch-free catalogue: heads found by reading sphere/losses/*.py, agreeing with the imported classes,
and a head added as one file (a copy of cosface.py under a new name) accepted by create_head and check-config."""

from __future__ import annotations

import math
import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from sphere.losses import HEADS, create_head, head_params
from sphere.losses.base import Head
from sphere.losses.catalog import FOLDER, CatalogError, catalog, loss_defaults, loss_params, needs_pairs, param_errors
from sphere.losses.ranges import ANNEALING, NON_NEGATIVE, POSITIVE, Range
from sphere.losses.registry import check_agrees, load_heads, register
from tests.fresh_python import assert_not_imported


@pytest.mark.parametrize("name", sorted(catalog()))
def test_catalogue_agrees_with_the_imported_class(name):
    spec, cls = catalog()[name], HEADS[name]
    check_agrees(spec, cls)  # raises on any difference
    assert loss_params(name) == head_params(name)
    assert needs_pairs(name) == cls.needs_pairs
    assert set(spec.ranges) <= set(spec.params)
    assert cls.__module__ == f"sphere.losses.{name}"


def test_names_defaults_and_pairs_read_from_source():
    assert set(catalog()) == set(HEADS)
    assert {"softmax", "asoftmax", "lsoftmax", "center", "contrastive", "triplet"} <= set(catalog())
    assert loss_defaults("cosface") == {"s": 64.0, "m": 0.35, "renormalise": False}
    assert loss_params("asoftmax")[:7] == ["m", "base", "gamma", "power", "lambda_min", "gradient", "renormalise"]
    assert catalog()["asoftmax"].ranges["gamma"] == NON_NEGATIVE  # via **ANNEALING
    assert set(ANNEALING) <= set(catalog()["lsoftmax"].ranges)
    assert catalog()["arcface"].ranges["m"] == Range(low=0, high=math.pi, high_open=True)
    assert {n for n in catalog() if needs_pairs(n)} == {"contrastive", "triplet"}
    assert loss_params("lsoftmax")[:6] == ["m", "base", "gamma", "power", "lambda_min", "gradient"]  # own __init__


def test_catalogue_imports_no_torch():
    assert_not_imported("from sphere.losses.catalog import catalog, param_errors; catalog()", {"torch", "numpy"})


def test_param_errors_name_the_key_and_range():
    assert param_errors("cosface", {"m": 0.2, "s": 30}) == []
    [(key, message)] = param_errors("cosface", {"m": -1})
    assert key == "m" and message == "-1 is not allowed; cosface margin m takes a number >= 0"
    assert param_errors("no_such_loss", {"m": -1}) == []


def test_registry_refuses_a_class_that_disagrees_with_its_file():
    @register(s=POSITIVE)
    class Odd(Head):
        def __init__(self, feature_dim: int, num_classes: int, s: float = 1.0, extra: int = 0) -> None:
            super().__init__(feature_dim, num_classes)

    with pytest.raises(ValueError, match="disagrees with what sphere.losses.catalog read"):
        check_agrees(catalog()["normface"], Odd)


@pytest.fixture
def head_file():
    """Copy a head file to sphere/losses/<unique name>.py for a test and remove it (and its import) afterwards."""
    made: list[Path] = []

    def write(copy_of: str) -> str:
        name = f"tmp_copy_of_{copy_of}_{os.getpid()}_{len(made)}"
        path = FOLDER / f"{name}.py"
        made.append(path)
        shutil.copyfile(FOLDER / f"{copy_of}.py", path)
        return name

    yield write
    for path in made:
        path.unlink(missing_ok=True)
        for cached in (FOLDER / "__pycache__").glob(f"{path.stem}.*"):
            cached.unlink(missing_ok=True)
        sys.modules.pop(f"sphere.losses.{path.stem}", None)
    load_heads()  # forget the removed heads


def test_a_copy_of_cosface_is_a_new_loss(head_file, tmp_path, capsys):
    from sphere.cli import main

    name = head_file(copy_of="cosface")
    assert loss_defaults(name) == loss_defaults("cosface")
    head = create_head(name, 8, 4, m=0.2)
    assert type(head).__module__ == f"sphere.losses.{name}" and head.m == 0.2

    config = {"run": "mine", "methods": {"mine": {"loss": name, "params": {"m": 0.2}}}, "tables": {}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    main(["check-config", str(path)])
    assert "mine" in capsys.readouterr().out

    config["methods"]["mine"]["params"]["m"] = -1
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(SystemExit) as exit_:
        main(["check-config", str(path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "methods.mine.params.m: -1 is not allowed" in err


def test_inherited_init_and_module_constants(tmp_path):
    (tmp_path / "small_margin.py").write_text(
        textwrap.dedent(
            """
        from sphere.losses.cosface import CosFaceHead
        from sphere.losses.ranges import POSITIVE, Range
        from sphere.losses.registry import register

        SMALL_MARGIN = Range(low=0, high=0.5)


        @register(s=POSITIVE, m=SMALL_MARGIN)
        class SmallMarginHead(CosFaceHead):
            pass
        """
        )
    )
    spec = catalog(tmp_path)["small_margin"]
    assert spec.defaults == loss_defaults("cosface") and spec.class_name == "SmallMarginHead"
    assert spec.ranges["m"] == Range(low=0, high=0.5) and not spec.needs_pairs


@pytest.mark.parametrize(
    "body,match",
    [
        (
            "@register(q=POSITIVE)\nclass A(Head):\n    def __init__(self, feature_dim, num_classes, s=1): pass",
            "not a parameter",
        ),
        (
            "@register()\nclass A(Head):\n    def __init__(self, feature_dim, num_classes, s):\n        pass",
            "needs a default",
        ),
        ("@register()\nclass A(Head):\n    pass\n\n\n@register()\nclass B(Head):\n    pass\n", "one head per file"),
        ('@register("name")\nclass A(Head):\n    pass\n', "keyword ranges only"),
    ],
)
def test_a_malformed_head_file_is_named(tmp_path, body, match):
    (tmp_path / "bad.py").write_text("from sphere.losses.ranges import POSITIVE\n" + body)
    with pytest.raises(CatalogError, match=match):
        catalog(tmp_path)

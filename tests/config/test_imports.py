"""`import sphere.config` stays light: no torch, numpy or jsonschema (the GPU image and every Snakefile
parse import it); loading a config without the head build imports no torch (report, claims, generators)."""

import pytest

from tests.fresh_python import assert_not_imported


@pytest.mark.parametrize(
    ("code", "heavy"),
    [
        ("import sphere.config, sphere.config.schema, sphere.config.checks", {"torch", "numpy", "jsonschema"}),
        ("from sphere.config import load_config; load_config('config/default.yaml', heads=False)", {"torch"}),
    ],
)
def test_config_imports_without_torch(code, heavy):
    assert_not_imported(code, heavy)

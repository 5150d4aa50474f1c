"""The paper's numbers as data: which of our methods each MegaFace row of the paper stands for."""

import pytest

from sphere.config.sections import MethodConfig
from sphere.report.paper import MEGAFACE_1M, paper_megaface


@pytest.mark.parametrize(
    ("params", "row"),
    [({}, "asoftmax-m4"), ({"m": 4}, "asoftmax-m4"), ({"m": 2}, None), ({"m": 4, "gamma": 1.0}, "asoftmax-m4")],
)
def test_a_softmax_is_the_papers_sphereface_only_at_m_4(params, row):
    """The paper's MegaFace table has SphereFace at m = 4 only; a head left at its default m (4) is that row."""
    found = paper_megaface("my-sphereface", MethodConfig(loss="asoftmax", params=params))
    assert found == (MEGAFACE_1M[row] if row else None)


def test_other_heads_by_name_then_by_loss():
    assert paper_megaface("center") is MEGAFACE_1M["center"]
    assert paper_megaface("c2", MethodConfig(loss="center")) is MEGAFACE_1M["center"]
    assert paper_megaface("arc", MethodConfig(loss="arcface")) is None and paper_megaface("arc") is None

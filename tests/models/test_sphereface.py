import pytest
import torch

from sphere.models import MODELS, create_model


def test_sphereface20_has_the_papers_parameter_count():
    model = create_model("sphereface20")
    assert sum(p.numel() for p in model.parameters()) / 1e6 == pytest.approx(22.67, abs=0.01)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_maps_faces_to_fc1(name):
    model = create_model(name, width=0.125, feature_dim=16, input_size=(56, 48))
    assert model(torch.randn(2, 3, 56, 48)).shape == (2, 16)


@pytest.mark.parametrize("depth,convs", [(4, 4), (10, 10), (20, 20), (36, 36), (64, 64)])
def test_conv_count_matches_table2(depth, convs):
    model = create_model(f"sphereface{depth}", width=0.125)
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.modules()) == convs


def test_released_init():
    model = create_model("sphereface10", width=0.25)
    down = model.features[1][0]
    unit_conv = model.features[1][2].body[0]
    assert down.bias is not None and torch.all(down.bias == 0)
    assert unit_conv.bias is None  # zero and frozen: no bias parameter at all
    assert unit_conv.weight.std().item() == pytest.approx(0.01, rel=0.2)


def test_unknown_model_lists_valid_ones():
    with pytest.raises(ValueError, match="sphereface20"):
        create_model("resnet50")

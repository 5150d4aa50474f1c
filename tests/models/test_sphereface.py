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


def test_caffe_xavier_filler_bounds():
    """Caffe's XavierFiller (FAN_IN): U(-sqrt(3 / fan_in), +sqrt(3 / fan_in)), fan_in = in x kh x kw."""
    model = create_model("sphereface4", width=0.25, feature_dim=64, input_size=(56, 48))
    conv1, fc1 = model.features[0][0], model.fc1
    for weight, fan_in in ((conv1.weight, 3 * 3 * 3), (fc1.weight, fc1.in_features)):
        bound = (3.0 / fan_in) ** 0.5
        assert weight.abs().max().item() <= bound
        assert weight.abs().max().item() > 0.95 * bound  # fills the interval: not a narrower filler
        assert weight.std().item() == pytest.approx(bound / 3**0.5, rel=0.1)  # std of U(-a, a) is a / sqrt(3)


def test_pytorch_init_is_the_named_departure():
    from sphere.models.init import init_scheme

    with init_scheme("pytorch"):
        model = create_model("sphereface4", width=1.0, feature_dim=64, input_size=(56, 48))
    conv1 = model.features[0][0]
    fan_in, fan_out = 3 * 9, conv1.out_channels * 9
    assert conv1.weight.abs().max().item() <= (6.0 / (fan_in + fan_out)) ** 0.5
    assert conv1.weight.abs().max().item() < (3.0 / fan_in) ** 0.5 / 3.2  # 3.3x narrower than Caffe's


@pytest.mark.parametrize("name,units", [("sphereface64", (3, 8, 16, 3)), ("sphereface64_released", (3, 7, 16, 3))])
def test_sphereface64_paper_and_released_units(name, units):
    model = create_model(name, width=0.125)
    residual = [
        sum(isinstance(m, torch.nn.Module) and type(m).__name__ == "ResidualUnit" for m in stage)
        for stage in model.features
    ]
    assert tuple(residual) == units

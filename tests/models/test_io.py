"""A model file: saved by training, read back, exported at half precision."""

import torch

from sphere.config.settings import TrainConfig
from sphere.models import create_model
from sphere.models.io import export_model, load_model, save_model


def test_a_half_precision_export_loads_to_the_same_features_within_float16_rounding(tmp_path):
    cfg = TrainConfig(model="sphereface4", width=0.25, feature_dim=16)
    net = create_model(cfg.model, width=cfg.width, feature_dim=cfg.feature_dim, input_size=(40, 32))
    architecture = (cfg.model, cfg.width, cfg.feature_dim, (40, 32))
    save_model(net.state_dict(), *architecture, tmp_path, {"status": "ok", "steps": 0})
    exported = export_model(tmp_path / "model.pt", tmp_path / "half.pt")
    assert exported.stat().st_size < 0.6 * (tmp_path / "model.pt").stat().st_size
    x = torch.randn(3, 3, 40, 32)
    full, half = load_model(tmp_path / "model.pt"), load_model(exported)
    assert next(half.parameters()).dtype == torch.float32
    with torch.no_grad():
        a, b = full(x), half(x)
    assert not torch.equal(a, b)  # the weights were rounded
    torch.testing.assert_close(a, b, rtol=2e-2, atol=2e-2)

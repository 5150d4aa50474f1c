import numpy as np
import pandas as pd
import pytest

from sphere.stats.seeds import pooled_seed_variance


def test_pooled_seed_variance_is_the_one_way_anova_residual_mean_square():
    smf = pytest.importorskip("statsmodels.formula.api")
    per_method = [[82.1, 82.9, 82.4], [79.0, 80.2, 79.5], [85.0, 84.1], [88.8]]  # the last: one seed, no spread
    pooled = pooled_seed_variance(per_method)
    rows = [(f"m{i}", y) for i, ys in enumerate(per_method[:3]) for y in ys]
    fit = smf.ols("y ~ C(method)", pd.DataFrame(rows, columns=["method", "y"])).fit()
    assert pooled is not None and pooled.df == int(fit.df_resid) == 5 and pooled.methods == 3
    assert np.isclose(pooled.variance, fit.mse_resid) and np.isclose(pooled.std, np.sqrt(fit.mse_resid))


def test_no_method_with_seeds_has_no_pooled_variance():
    assert pooled_seed_variance([[82.0], [85.5]]) is None and pooled_seed_variance([]) is None

"""tables/claims.csv (+ .md) and figures/claims.png: each of the paper's claims checked here (docs/paper.md §4:
paper Tables 3 and 4, Figs. 5-6) with the paper's numbers, ours, the effect with its 95 % interval, the test, p and a
verdict (sphere.stats.claims states the rule). A claim whose methods the config does not train is left out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import method_seeds, method_train
from sphere.config.sections import RunConfig
from sphere.paths import RunPaths
from sphere.report.depth import PAPER_DEPTH_LFW, depth_of
from sphere.report.figures import plt, save, styled
from sphere.report.outputs import CLAIMS
from sphere.report.paper import ACCURACY_VS_M, LOSS_COMPARISON_LFW
from sphere.report.tables import markdown, method_margin
from sphere.stats.claims import Cell, compare, practical_threshold, seed_variance, trend, verdict, weakest
from sphere.stats.paired import Effect, ols_slope

BASELINES = {
    "lsoftmax": "L-Softmax",
    "center": "softmax + center",
    "contrastive": "softmax + contrastive",
    "triplet": "triplet",
}


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    paper: str
    paper_effect: float | None
    measured: str
    effect: Effect
    unit: str
    verdict: str


def read_cell(run_dir: Path, method: str, seeds: list[int]) -> Cell:
    """A method's LFW results per seed: fold accuracies (lfw.json) and per-pair correctness (pairs.csv)."""
    folds, correct, pair_folds = {}, {}, None
    for seed in seeds:
        folder = RunPaths(run_dir).metrics_dir(method, seed)
        folds[seed] = np.asarray(json.loads((folder / "lfw.json").read_text())["fold_accuracy"])
        pairs = pd.read_csv(folder / "pairs.csv")
        correct[seed], pair_folds = pairs["correct"].to_numpy(bool), pairs["fold"].to_numpy()
    if pair_folds is None:
        raise ValueError(f"{method}: no seeds to read")
    return Cell(folds, correct, pair_folds)


def mean_acc(cell: Cell) -> str:
    values = list(cell.accuracy().values())
    return f"{np.mean(values):.2f}" + (f" ({len(values)} seeds)" if len(values) > 1 else "")


def ordering(
    cid: str, text: str, a: Cell, b: Cell, paper_a: float, paper_b: float, min_effect: float, seeds: dict
) -> Claim:
    """'A beats B' on LFW accuracy: paper values, our means, the paired effect (a single-model side with the
    seed variance of `seeds`' cells), verdict with min_effect capped at the paper's effect."""
    effect = compare(a, b, seed_variance(seeds.values()))
    return Claim(
        cid,
        text,
        f"{paper_a:.2f} vs {paper_b:.2f} ({paper_a - paper_b:+.2f})",
        round(paper_a - paper_b, 2),
        f"{mean_acc(a)} vs {mean_acc(b)}",
        effect,
        "LFW points",
        verdict([effect], +1, practical_threshold(min_effect, paper_a - paper_b)),
    )


def roles(cfg: RunConfig, table: str) -> dict:
    """Methods of a table by role: ('softmax', None), ('asoftmax', m), ('lsoftmax', None), ..."""
    found: dict[tuple, str] = {}
    for method in getattr(cfg.tables, table):
        spec = cfg.methods[method]
        key: tuple = (spec.loss, method_margin(spec) if spec.loss == "asoftmax" else None)
        if table == "accuracy_vs_depth":
            key = (spec.loss, method_margin(spec), depth_of(method_train(cfg, method).model))
        found.setdefault(key, method)
    return found


def evaluate_claims(cfg: RunConfig, run_dir: Path) -> list[Claim]:
    """Every claim the config's tables can test (the list of the module docstring of sphere.stats.claims); an
    ordering whose effect is below `claims.min_effect` (LFW points, or the paper's effect) is not relevant."""
    run_dir = Path(run_dir)
    min_effect = cfg.claims.min_effect
    tables = cfg.tables
    cell = {
        m: read_cell(run_dir, m, method_seeds(cfg, m))
        for m in set().union(tables.accuracy_vs_m, tables.loss_comparison, tables.accuracy_vs_depth)
    }
    claims = []
    by_m = roles(cfg, "accuracy_vs_m")
    paper = {k: v["lfw"] for k, v in ACCURACY_VS_M.items()}
    if ("softmax", None) in by_m and ("asoftmax", 4) in by_m:
        claims.append(
            ordering(
                "a",
                "A-Softmax (m=4) beats softmax (Table 3)",
                cell[by_m[("asoftmax", 4)]],
                cell[by_m[("softmax", None)]],
                paper["asoftmax-m4"],
                paper["softmax"],
                min_effect,
                cell,
            )
        )
    margins = {m: by_m[("asoftmax", m)] for m in (1, 2, 3, 4) if ("asoftmax", m) in by_m}
    if len(margins) >= 3:
        effect = trend({m: cell[method] for m, method in margins.items()})
        xs = sorted(margins)
        slope = float(np.polyfit(xs, [paper[f"asoftmax-m{m}"] for m in xs], 1)[0])
        claims.append(
            Claim(
                "b1",
                f"accuracy rises with m (A-Softmax m={xs[0]}..{xs[-1]}, Table 3)",
                ", ".join(f"{paper[f'asoftmax-m{m}']:.2f}" for m in xs) + f" (slope {slope:+.2f}/m; m<4 (?))",
                round(slope, 2),
                ", ".join(mean_acc(cell[margins[m]]).split(" (")[0] for m in xs),
                effect,
                "LFW points per unit m",
                verdict([effect], +1),
            )
        )
    if 1 in margins and 4 in margins:
        claims.append(
            ordering(
                "b2",
                "A-Softmax m=4 beats m=1 (Table 3)",
                cell[margins[4]],
                cell[margins[1]],
                paper["asoftmax-m4"],
                paper["asoftmax-m1"],
                min_effect,
                cell,
            )
        )
    claims += depth_claims(cfg, cell, min_effect)
    claims += loss_claims(cfg, cell, min_effect)
    claims += angle_claims(cfg, run_dir)
    return claims


def depth_claims(cfg: RunConfig, cell: dict, min_effect: float) -> list[Claim]:
    """c1, c2: the deepest net of the sweep beats the shallowest (per loss; the paper: SphereFace-64 vs -4);
    c3: A-Softmax ahead of softmax at every depth both losses were trained at."""
    by = roles(cfg, "accuracy_vs_depth")
    claims = []
    for cid, loss, m, name in (("c1", "asoftmax", 4, "A-Softmax (m=4)"), ("c2", "softmax", None, "softmax")):
        depths = sorted(d for (lo, mm, d) in by if lo == loss and mm == m)
        if len(depths) >= 2:
            p = PAPER_DEPTH_LFW[loss]
            claims.append(
                ordering(
                    cid,
                    f"deeper is better: {name} SphereFace-{depths[-1]} beats "
                    f"SphereFace-{depths[0]} "
                    "(Fig. 6; paper: 64 vs 4)",
                    cell[by[(loss, m, depths[-1])]],
                    cell[by[(loss, m, depths[0])]],
                    p[64],
                    p[4],
                    min_effect,
                    cell,
                )
            )
    depths = sorted(d for (loss, m, d) in by if loss == "asoftmax" and m == 4 and ("softmax", None, d) in by)
    if depths:
        seeds = seed_variance(cell.values())
        effects = [compare(cell[by[("asoftmax", 4, d)]], cell[by[("softmax", None, d)]], seeds) for d in depths]
        claims.append(
            Claim(
                "c3",
                "A-Softmax (m=4) ahead of softmax at every depth (Fig. 6; effect: the weakest depth)",
                "ahead by 1.5 to 1.9 at every depth",
                1.5,
                ", ".join(f"{d}: {e.estimate:+.2f}" for d, e in zip(depths, effects)),
                weakest(effects, +1),
                "LFW points",
                verdict(effects, +1, practical_threshold(min_effect, 1.5)),
            )
        )
    return claims


def loss_claims(cfg: RunConfig, cell: dict, min_effect: float) -> list[Claim]:
    """d1..d4: A-Softmax (m=4) beats each of the paper's baselines (Table 4); d: all of them at once."""
    by = roles(cfg, "loss_comparison")
    if ("asoftmax", 4) not in by:
        return []
    ours, claims = cell[by[("asoftmax", 4)]], []
    for i, (loss, name) in enumerate(BASELINES.items(), start=1):
        if (loss, None) in by:
            claims.append(
                ordering(
                    f"d{i}",
                    f"A-Softmax (m=4) beats {name} (Table 4)",
                    ours,
                    cell[by[(loss, None)]],
                    LOSS_COMPARISON_LFW["asoftmax-m4"],
                    LOSS_COMPARISON_LFW[loss],
                    min_effect,
                    cell,
                )
            )
    if len(claims) > 1:
        effects = [c.effect for c in claims]
        claims.append(
            Claim(
                "d",
                "A-Softmax (m=4) beats every baseline above (Table 4 ordering; effect: the weakest)",
                "ahead of all by 0.32 to 0.72",
                0.32,
                ", ".join(f"{c.id}: {c.effect.estimate:+.2f}" for c in claims),
                weakest(effects, +1),
                "LFW points",
                verdict(effects, +1, [practical_threshold(min_effect, c.paper_effect) for c in claims]),
            )
        )
    return claims


def angle_claims(cfg: RunConfig, run_dir: Path) -> list[Claim]:
    """e1: the test-set angular Fisher score falls with m (tighter classes relative to their spread);
    e2: the toy experiment's angular gap (1st-percentile inter- minus 99th-percentile intra-class pair
    angle, degrees) widens with m (Fig. 5). OLS slopes over the (m, seed) cells."""
    claims = []
    sources = [
        (
            "e1",
            "accuracy_vs_m",
            "angle_stats",
            "larger m: tighter classes (test-set angular Fisher score falls with m; Fig. 5, Appendix)",
            "AFS per unit m",
            -1,
        ),
        (
            "e2",
            "toy",
            "toy_angles",
            "larger m: wider angular gap (toy, 1st-pct inter minus 99th-pct intra angle; Fig. 5)",
            "degrees per unit m",
            +1,
        ),
    ]
    for cid, table, source, text, unit, sign in sources:
        methods = [m for m in getattr(cfg.tables, table) if cfg.methods[m].loss == "asoftmax"]
        path = RunPaths(run_dir).seeds_table(source)
        if len(methods) < 2 or not path.exists():
            continue
        seeds = pd.read_csv(path).set_index("method").loc[methods]
        m = np.array([method_margin(cfg.methods[name]) for name in seeds.index], np.float64)
        y = (seeds["angular_fisher_score"] if sign < 0 else seeds["inter_p01_deg"] - seeds["intra_p99_deg"]).to_numpy()
        if len(y) < 3:
            continue
        effect = ols_slope(m, y)
        means = pd.Series(y).groupby(m).mean()
        claims.append(
            Claim(
                cid,
                text,
                "qualitative (Fig. 5)",
                None,
                ", ".join(f"m={int(k)}: {v:.4g}" for k, v in means.items()),
                effect,
                unit,
                verdict([effect], sign),
            )
        )
    return claims


def claims_table(claims: list[Claim]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": c.id,
                "claim": c.claim,
                "paper": c.paper,
                "paper_effect": c.paper_effect,
                "measured": c.measured,
                "effect": round(c.effect.estimate, 4),
                "ci_low": round(c.effect.low, 4),
                "ci_high": round(c.effect.high, 4),
                "unit": c.unit,
                "test": c.effect.test,
                "p": float(f"{c.effect.p:.3g}"),
                "verdict": c.verdict,
            }
            for c in claims
        ]
    )


def forest_plot(table: pd.DataFrame, out: Path) -> plt.Figure:
    """Each claim's effect with its 95 % interval, one panel per unit; colour is the verdict, the paper's effect a
    hollow black diamond. Claims are wrapped, not cut, and set in 8 pt or more."""
    import textwrap

    units = list(dict.fromkeys(table["unit"]))
    heights = [max(1, int((table["unit"] == u).sum())) for u in units]
    colours = {"reproduced": "tab:green", "not reproduced": "tab:red", "inconclusive": "0.55"}
    with styled():
        fig, axes = plt.subplots(
            len(units),
            1,
            figsize=(9.0, 0.5 * sum(heights) + 0.9 * len(units) + 0.9),
            gridspec_kw={"height_ratios": heights},
            squeeze=False,
        )
        for ax, unit in zip(axes[:, 0], units):
            rows = table[table["unit"] == unit].iloc[::-1]
            y = np.arange(len(rows))
            for yi, (_, r) in zip(y, rows.iterrows()):
                ax.errorbar(
                    r["effect"],
                    yi,
                    xerr=[[r["effect"] - r["ci_low"]], [r["ci_high"] - r["effect"]]],
                    fmt="o",
                    color=colours[r["verdict"]],
                    capsize=3,
                )
                if pd.notna(r["paper_effect"]):
                    ax.plot(r["paper_effect"], yi, "D", mfc="none", color="black")
            ax.axvline(0, color="black", lw=0.8)
            labels = [
                textwrap.fill(f"{r['id']}: {r['claim']}", 60) + f"\n{r['verdict']}, p = {r['p']:.3g}"
                for _, r in rows.iterrows()
            ]
            ax.set_yticks(y, labels, fontsize=8)
            ax.set_ylim(-0.6, len(rows) - 0.4)
            ax.set_xlabel(f"effect ({unit})")
        handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=f"ours, {v}") for v, c in colours.items()]
        handles.append(plt.Line2D([], [], marker="D", ls="", mfc="none", color="black", label="paper's effect"))
        fig.legend(handles=handles, loc="outside lower center", ncols=4)
        fig.suptitle("The paper's claims: our effect with its 95 % interval (bars), the paper's effect beside it")
    return save(fig, out)


def write_claims(cfg: RunConfig, run_dir: Path) -> pd.DataFrame:
    """tables/claims.csv, tables/claims.md and figures/claims.png of a run."""
    paths = RunPaths(run_dir)
    table = claims_table(evaluate_claims(cfg, paths.root))
    paths.tables.mkdir(parents=True, exist_ok=True)
    table.to_csv(paths.table(CLAIMS), index=False)
    shown = table.assign(
        effect=[
            f"{e:.3g} [{lo:.3g}, {hi:.3g}] {u}"
            for e, lo, hi, u in zip(table["effect"], table["ci_low"], table["ci_high"], table["unit"])
        ]
    )
    shown = shown[["id", "claim", "paper", "measured", "effect", "test", "p", "verdict"]]
    paths.table_md(CLAIMS).write_text(
        markdown(
            shown.rename(columns={"effect": "effect [95 % CI]"}),
            "The paper's claims: effect [95 % CI], test and verdict",
        )
    )
    forest_plot(table, paths.figure(CLAIMS))
    return table

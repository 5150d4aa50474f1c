"""The DAG's tables of `sphere evaluate` results: `protocol_variants.csv` (method x benchmark x rule:
accuracy, std, difference from the released rule) and `ijb.csv` (method x IJB set: TAR at FAR, CMC)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sphere.evaluate.verify import variants_table
from sphere.report.tables import write_table


def ijb_row(method: str, result: dict) -> dict:
    row = {"method": method, "benchmark": result.get("name", result["benchmark"])}
    for r in result["tar_at_far"]:
        row[f"tar_far{r['far']:.0e}"] = round(r["tar"], 3)
    for gallery, search in result.get("one_to_n", {}).items():
        row[f"rank1_{gallery}"] = round(search["cmc"]["1"], 3)
        fpir = {t["fpir"]: t["tpir"] for t in search["tpir_at_fpir"]}
        row[f"tpir_fpir1e-1_{gallery}"] = None if fpir.get(0.1) is None else round(fpir[0.1], 3)
    row.update(pairs=result["pairs_scored"], standard=result["standard"])
    return row


def evaluate_tables(results: list[Path], methods: list[str], out_dir: Path) -> list[Path]:
    """Write the variant table (and the IJB table when IJB results are among `results`)."""
    if len(results) != len(methods):
        raise ValueError(f"{len(results)} result files but {len(methods)} method names")
    variants, ijb = [], []
    for path, method in zip(results, methods):
        result = json.loads(Path(path).read_text())
        if "tar_at_far" in result:
            ijb.append(ijb_row(method, result))
        elif "accuracy" in result:
            variants.append(variants_table(result, method))
    out_dir = Path(out_dir)
    written = []
    if variants:
        table = pd.concat(variants, ignore_index=True).rename(
            columns={"accuracy": "verification_acc", "std": "verification_std"}
        )
        write_table(
            table,
            out_dir / "protocol_variants.csv",
            "Verification accuracy (%) of each method under each harness's rule (sphere evaluate)",
        )
        written.append(out_dir / "protocol_variants.csv")
    if ijb:
        write_table(
            pd.DataFrame(ijb),
            out_dir / "ijb.csv",
            "IJB 1:1 TAR (%) at FAR and 1:N rank-1 / TPIR at FPIR 0.1 (NIST definition), sphere evaluate",
        )
        written.append(out_dir / "ijb.csv")
    return written

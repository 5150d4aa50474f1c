"""The real run's leakage numbers quoted in docs/outputs.md are those of the committed summary
(results/celeba-lfw/tables/leakage.md), so the prose cannot drift from the table."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def summary_row() -> dict[str, str]:
    lines = (REPO / "results/celeba-lfw/tables/leakage.md").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| test_set |"))
    names = [c.strip() for c in lines[header].strip("|").split("|")]
    return dict(zip(names, (c.strip() for c in lines[header + 2].strip("|").split("|"))))


def test_the_docs_quote_the_committed_summary():
    row = summary_row()
    docs = " ".join((REPO / "docs/outputs.md").read_text().split())
    quoted = (
        f"{row['by_embedding']} candidates among 3,059 CelebA and 4,281 LFW identities, against "
        f"{float(row['expected_false']):.1f} expected by chance at the threshold ({float(row['threshold']):.3f}, "
        f"fmr {float(row['fmr']):.1e}), and a recall estimate of {float(row['recall_estimate']):.2f}"
    )
    assert (row["train_identities"], row["test_identities"]) == ("3059", "4281")
    assert quoted.replace("e-06", "e-6") in docs, quoted

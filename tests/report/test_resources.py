"""tables/resources.csv from the jobs' usage records; the tables page; reproduce skips resources."""

import pandas as pd

from sphere.paths import RunPaths
from sphere.report.page import tables_page
from sphere.report.reproduce import compare_tables
from sphere.report.resources import resources_table, write_resources

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def bench(path, wall, rss, cpu):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{wall}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n")


def test_one_row_per_job_and_a_total(tmp_path):
    paths = RunPaths(tmp_path)
    bench(paths.benchmark("train", "softmax", "seed0"), 10.5, 300.25, 9.0)
    bench(paths.benchmark("align", "test"), 2.0, 120.0, 1.5)
    bench(paths.benchmark("resources"), 1.0, 50.0, 0.5)  # the table's own job is left out
    paths.benchmark("report").parent.mkdir(parents=True, exist_ok=True)
    paths.benchmark("report").write_text(HEADER + "0.1\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n")
    table = resources_table(paths)
    assert table["rule"].tolist() == ["align", "report", "train", "total"]
    assert table["wildcards"].tolist() == ["test", "", "softmax/seed0", "3 jobs"]
    total = table.iloc[-1]
    assert total["wall_s"] == 12.6 and total["cpu_s"] == 10.5 and total["max_rss_mb"] == 300.25
    assert pd.isna(table.iloc[1]["max_rss_mb"])
    write_resources(paths, paths.table("resources"))
    assert paths.table_md("resources").read_text().startswith("# Resources per DAG job")


def test_reproduce_does_not_compare_resources(tmp_path):
    (tmp_path / "old").mkdir(), (tmp_path / "new").mkdir()
    for side, seconds in (("old", 1.0), ("new", 9.0)):
        pd.DataFrame({"rule": ["train"], "wildcards": ["m/seed0"], "wall_s": [seconds]}).to_csv(
            tmp_path / side / "resources.csv", index=False
        )
    assert compare_tables(tmp_path / "old", tmp_path / "new", 1.0) == []


def test_tables_page_marks_the_papers_columns(tmp_path):
    paths = RunPaths(tmp_path)
    paths.tables.mkdir(parents=True)
    pd.DataFrame({"method": ["softmax"], "lfw_acc": [86.3], "paper_lfw": [97.88]}).to_csv(paths.table("a"), index=False)
    paths.table_md("a").write_text("# LFW accuracy\n")
    tables_page([paths.table("a")], paths.tables_page, "t")
    text = paths.tables_page.read_text()
    assert '<h2 id="a">LFW accuracy</h2>' in text and '<td class="paper">97.88</td>' in text
    assert "<td>86.3</td>" in text

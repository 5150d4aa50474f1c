"""Result tables in README.md and docs/ are generated from the committed CSVs (sphere.report.docs)."""

from pathlib import Path

import pytest

from sphere.errors import InputError
from sphere.report.docs import refresh, sync

REPO = Path(__file__).resolve().parents[2]


def test_every_table_of_the_readme_and_docs_matches_its_committed_csv():
    assert sync(REPO, check=True) == []


def test_a_block_is_regenerated_from_its_csv_and_a_stale_one_is_named(tmp_path):
    (tmp_path / "t.csv").write_text("method,acc,std\na,86.28,1.5\nb,85.9,1.8\n")
    doc = tmp_path / "doc.md"
    doc.write_text("x\n<!-- table t.csv columns=method,acc rows=b,a -->\n| stale |\n<!-- end table -->\ny\n")
    text, stale = refresh(doc, tmp_path)
    assert stale == [f"{doc}:2: t.csv columns=method,acc rows=b,a"]
    assert "| method | acc |\n| --- | --- |\n| b | 85.9 |\n| a | 86.28 |\n<!-- end table -->" in text
    doc.write_text(text)
    assert refresh(doc, tmp_path)[1] == []


def test_head_keeps_the_first_rows(tmp_path):
    (tmp_path / "t.csv").write_text("set,name\nlfw,a\nlfw,b\nlfw,c\n")
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- table t.csv columns=name head=2 -->\n<!-- end table -->\n")
    text, _ = refresh(doc, tmp_path)
    assert "| name |\n| --- |\n| a |\n| b |\n<!-- end table -->" in text


def test_a_block_naming_a_missing_column_fails_naming_the_file_and_line(tmp_path):
    (tmp_path / "t.csv").write_text("method,acc\na,1\n")
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- table t.csv columns=method,oops -->\n<!-- end table -->\n")
    with pytest.raises(InputError, match=r"doc.md:1: t.csv has no column oops"):
        refresh(doc, tmp_path)

import pytest

from sphere.formats.lfw import read_pairs


def test_reads_the_real_view2_pairs(shared_data):
    pairs = read_pairs(shared_data / "lfw-deepfunneled-150" / "pairs.txt")
    assert len(pairs) == 6000
    assert sorted({p.fold for p in pairs}) == list(range(10))
    assert sum(p.same for p in pairs) == 3000
    assert all(sum(1 for p in pairs if p.fold == f) == 600 for f in range(10))
    assert all((shared_data / "lfw-deepfunneled-150" / "lfw" / p.path1).exists() for p in pairs[:50])


def test_parses_same_and_different_lines(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("2\t1\nAnn\t1\t2\nBob\t1\tCyd\t3\nDan\t2\t4\nEve\t1\tFay\t12\n")
    pairs = read_pairs(path)
    assert [(p.fold, p.path1, p.path2, p.same) for p in pairs] == [
        (0, "Ann/Ann_0001.jpg", "Ann/Ann_0002.jpg", True),
        (0, "Bob/Bob_0001.jpg", "Cyd/Cyd_0003.jpg", False),
        (1, "Dan/Dan_0002.jpg", "Dan/Dan_0004.jpg", True),
        (1, "Eve/Eve_0001.jpg", "Fay/Fay_0012.jpg", False),
    ]


@pytest.mark.parametrize(
    "text,line",
    [
        ("2\t1\nAnn\t1\t2\nBob\t1\tCyd\nDan\t2\t4\nEve\t1\tFay\t12\n", 3),  # a different-pair line lacks a field
        ("2\t1\nAnn\t1\tx\nBob\t1\tCyd\t3\nDan\t2\t4\nEve\t1\tFay\t12\n", 2),  # not a number
        ("ten\t300\n", 1),  # bad header
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, text, line):
    path = tmp_path / "pairs.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"pairs.txt:{line}:"):
        read_pairs(path)


def test_pair_count_must_match_header(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("10\t300\nAnn\t1\t2\n")
    with pytest.raises(ValueError, match="6000"):
        read_pairs(path)

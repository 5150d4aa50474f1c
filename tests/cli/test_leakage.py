import pytest

from sphere.cli import main
from tests.leakage.stores import planted_stores


def test_leakage_verb_writes_the_table_and_prints_a_line_per_test_set(tmp_path, capsys):
    train, test, model = planted_stores(tmp_path)
    out = tmp_path / "leakage.csv"
    main(["leakage", "--train-store", str(train), "--test", f"lfw={test}", "--model", str(model), "--out", str(out)])
    printed = capsys.readouterr().out
    assert "lfw: 4 candidates by embedding, 1 by name" in printed and out.is_file()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--test", "lfw"], "--test: lfw: expected NAME=STORE_FOLDER"),
        (["--test", "lfw=a", "--test", "lfw=b"], "--test: lfw: named twice"),
        (["--test", "lfw=TEST", "--fmr", "1.5"], "--fmr: 1.5: a false-match rate lies between 0 and 1"),
        (["--test", "lfw=nowhere"], "nowhere/images.npy: no packed store here"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, capsys, extra, message):
    train, test, model = planted_stores(tmp_path)
    extra = [e.replace("TEST", str(test)) for e in extra]
    with pytest.raises(SystemExit) as stop:
        main(["leakage", "--train-store", str(train), "--model", str(model), "--out", str(tmp_path / "x.csv"), *extra])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1
    assert err.startswith("sphere step leakage: ") and message in err

"""sphere/cli/__init__.py: every verb dispatches to a typed function; user errors are one line, bugs keep
their traceback."""

from __future__ import annotations

import argparse
import errno
import subprocess
import sys

import pytest

from sphere.cli import data, main, parser
from sphere.errors import UserError


def verb_functions(p: argparse.ArgumentParser, prefix: str = "") -> dict[str, object]:
    found = {}
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if sub.get_default("func") is not None:
                    found[f"{prefix}{name}"] = sub.get_default("func")
                found.update(verb_functions(sub, f"{prefix}{name} "))
    return found


def test_every_verb_has_a_typed_function_in_a_stage_module():
    functions = verb_functions(parser())
    assert {"synth", "align", "train", "lfw", "evaluate", "report", "bench gpu", "check-config"} <= set(functions)
    for verb, func in functions.items():
        assert func.__module__.startswith("sphere.cli.") and func.__module__ != "sphere.cli", verb
        assert func.__annotations__ == {"args": "argparse.Namespace", "return": "None"}, verb


def failing(error: BaseException):
    def verb(args: argparse.Namespace) -> None:
        raise error

    return verb


def test_user_error_is_one_line_and_status_2(monkeypatch, capsys):
    monkeypatch.setattr(data, "subset_store", failing(UserError("store x: line 3\nno faces")))
    with pytest.raises(SystemExit) as stop:
        main(["subset-store", "--store", "x", "--out", "y"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == "sphere subset-store: store x: line 3 no faces\n"


def test_os_error_naming_a_file_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(data, "subset_store", failing(FileNotFoundError(errno.ENOENT, "No such file", "x/index")))
    with pytest.raises(SystemExit) as stop:
        main(["subset-store", "--store", "x", "--out", "y"])
    assert stop.value.code == 2 and capsys.readouterr().err == "sphere subset-store: x/index: No such file\n"


@pytest.mark.parametrize("error", [KeyError("label"), OSError(errno.EIO, "I/O error")])
def test_programming_errors_keep_their_exception(monkeypatch, error):
    """A KeyError from a bug, or an OS error that names no file, reaches the caller untouched."""
    monkeypatch.setattr(data, "subset_store", failing(error))
    with pytest.raises(type(error)):
        main(["subset-store", "--store", "x", "--out", "y"])


def test_a_bug_shows_a_traceback_and_a_nonzero_status(tmp_path):
    """The same through a process: the interpreter prints the traceback and exits 1 (not main's 2)."""
    script = (
        "import sys, sphere.cli.data as d\n"
        "def bug(args): {}['label']\n"
        "d.subset_store = bug\n"
        "from sphere.cli import main\n"
        "main(['subset-store', '--store', 'x', '--out', 'y'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr and "KeyError: 'label'" in done.stderr


def test_every_verb_prints_its_help(capsys):
    """argparse expands `%` in help texts: a bare one (`95 % intervals`) made `sphere --help` raise."""
    verbs = [[]] + [verb.split() for verb in verb_functions(parser())]
    for verb in verbs:
        with pytest.raises(SystemExit) as stop:
            main([*verb, "--help"])
        assert stop.value.code == 0, verb
    assert "95 % intervals" in capsys.readouterr().out


def test_usage_is_written_when_the_verb_fails_too(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "subset_store", failing(UserError("no faces")))
    usage = tmp_path / "benchmarks" / "subset_store.tsv"
    with pytest.raises(SystemExit):
        main(["--usage", str(usage), "subset-store", "--store", "x", "--out", "y"])
    assert usage.read_text().splitlines()[0].split("\t") == ["s", "cpu_time", "max_rss"]


@pytest.mark.parametrize(
    ("argv", "code", "stream", "text"),
    [(["--help"], 0, "stdout", "usage: sphere"), (["no-such-verb"], 2, "stderr", "invalid choice")],
)
def test_the_process_exits_with_main_s_status(argv, code, stream, text):
    """`python -m sphere` goes through entry() and runtime.exit_fast."""
    done = subprocess.run([sys.executable, "-m", "sphere", *argv], capture_output=True, text=True)
    assert done.returncode == code and text in getattr(done, stream)

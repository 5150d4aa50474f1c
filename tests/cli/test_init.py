"""sphere/cli/__init__.py: every verb dispatches to a typed function; user errors are one line, bugs keep
their traceback."""

from __future__ import annotations

import argparse
import errno
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sphere.cli import USER_VERBS, data, main, parser
from sphere.errors import MissingFile, UserError

REPO = Path(__file__).resolve().parents[2]


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
    assert {"step synth", "step align", "train", "evaluate", "report", "bench gpu", "check-config"} <= set(functions)
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
    assert capsys.readouterr().err == "sphere step subset-store: store x: line 3 no faces\n"


def test_os_error_naming_a_file_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(data, "subset_store", failing(FileNotFoundError(errno.ENOENT, "No such file", "x/index")))
    with pytest.raises(SystemExit) as stop:
        main(["subset-store", "--store", "x", "--out", "y"])
    assert stop.value.code == 2 and capsys.readouterr().err == "sphere step subset-store: x/index: No such file\n"


@pytest.mark.parametrize("error", [FileNotFoundError("x/pnet.pt: MTCNN weight file missing"), MissingFile("x/m.pt")])
def test_a_missing_file_raised_without_a_filename_is_one_line_too(monkeypatch, capsys, error):
    """FileNotFoundError(message) has no `filename`; it is still the user's file, never a traceback."""
    monkeypatch.setattr(data, "subset_store", failing(error))
    with pytest.raises(SystemExit) as stop:
        main(["step", "subset-store", "--store", "x", "--out", "y"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and err.startswith("sphere step subset-store: x/")


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
    verbs = [[], ["step"]] + [verb.split() for verb in verb_functions(parser())]
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


def test_top_level_help_lists_at_most_ten_verbs_and_the_dag_calls_only_those_and_step():
    """Issue 21 item 5: users see their verbs; every other verb is `sphere step <name>`, which is how the DAG's
    shell lines call them."""
    top = parser()
    verbs = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    listed = [a.dest for a in verbs._choices_actions]
    assert len(listed) <= 10 and listed[-1] == "step" and set(listed) - {"step"} == set(USER_VERBS)
    called = []
    for smk in (REPO / "workflow" / "rules").glob("*.smk"):
        called += re.findall(r"\{params\.sphere\} ([a-z-]+)", smk.read_text())
    assert called and set(called) <= set(USER_VERBS) | {"step"}
    assert "step" in called


def test_a_step_under_its_old_name_still_runs_as_a_step(monkeypatch, capsys):
    monkeypatch.setattr(data, "subset_store", failing(UserError("no faces")))
    with pytest.raises(SystemExit):
        main(["--usage", "/dev/null", "subset-store", "--store", "x", "--out", "y"])
    assert capsys.readouterr().err == "sphere step subset-store: no faces\n"


def parsers(p: argparse.ArgumentParser, name: str = "sphere") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, p)]
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                found += parsers(sub, f"{name} {sub_name}")
    return found


def test_every_option_has_help_and_its_default_is_shown():
    for name, p in parsers(parser()):
        text = p.format_help()
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest}: no help text"
            if action.default not in (None, False) and action.option_strings:
                shown = " ".join(map(str, action.default)) if isinstance(action.default, list) else action.default
                assert "default" in p._get_formatter()._expand_help(action) or str(shown) in text, (name, action)


def test_evaluate_help_ends_with_three_worked_examples(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    out = capsys.readouterr().out
    examples = out[out.index("examples:") :]
    commands = [line for line in examples.splitlines() if line.strip().startswith("sphere evaluate")]
    assert len(commands) == 3
    assert "--embeddings" in commands[0] and "--align mtcnn" in examples and "--bin" in commands[2]
    assert "(default: 112 112)" not in out and "(default: released)" in out

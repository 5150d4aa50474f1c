"""Checkpoints: the previous one is kept, sums are listed before files move, bad ones are set aside."""

import os

import torch

from sphere.train.checkpoint import PREVIOUS, SUMS, load_checkpoint, save_checkpoint


def state(step: int) -> dict:
    return {
        "model": {"w": torch.full((2, 3), float(step))},
        "head": {},
        "optimizer": {},
        "sampler": {},
        "step": step,
        "settings": "s",
    }


def test_previous_is_kept_and_both_sums_listed(tmp_path):
    save_checkpoint(state(2), tmp_path)
    save_checkpoint(state(4), tmp_path)
    assert len((tmp_path / SUMS).read_text().split()) == 2
    assert torch.load(tmp_path / PREVIOUS, weights_only=True)["step"] == 2
    assert load_checkpoint(tmp_path, "cpu")["step"] == 4


def test_kill_between_the_two_moves_resumes_from_the_previous(tmp_path, capsys):
    save_checkpoint(state(2), tmp_path)
    save_checkpoint(state(4), tmp_path)
    os.remove(tmp_path / "checkpoint.pt")  # as if killed after current -> prev, before tmp -> current
    assert load_checkpoint(tmp_path, "cpu")["step"] == 2
    assert "resuming from" in capsys.readouterr().err


def test_wrong_shapes_and_missing_parts_are_set_aside(tmp_path, capsys):
    save_checkpoint(state(2), tmp_path)
    assert load_checkpoint(tmp_path, "cpu", {"model": {"w": torch.zeros(3, 3)}}) is None
    assert (tmp_path / "checkpoint.pt.corrupt").exists() and "do not fit" in capsys.readouterr().err
    torch.save({"model": {}}, tmp_path / "checkpoint.pt")
    (tmp_path / SUMS).unlink()  # an older run without sums: the load check alone decides
    assert load_checkpoint(tmp_path, "cpu") is None and "lacks parts" in capsys.readouterr().err

import hashlib
import zipfile

import pytest

import sphere.align.mtcnn_weights as mw


@pytest.fixture
def fake_sums(monkeypatch):
    """Pretend the released files are three small known blobs (no network in tests)."""
    blobs = {name: f"weights of {name}".encode() for name in mw.SHA256}
    monkeypatch.setattr(mw, "SHA256", {n: hashlib.sha256(b).hexdigest() for n, b in blobs.items()})
    return blobs


def _write(folder, blobs):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in blobs.items():
        (folder / name).write_bytes(data)
    return folder


def test_sums_match_the_shared_copy(shared_data):
    sums_file = shared_data / "models" / "mtcnn" / "SHA256SUMS"
    listed = dict(reversed(line.split()) for line in sums_file.read_text().splitlines() if line.strip())
    assert listed == mw.SHA256
    assert mw.verify_weights(sums_file.parent) == []


def test_corrupted_file_is_reported(tmp_path, fake_sums):
    folder = _write(tmp_path / "w", fake_sums)
    assert mw.verify_weights(folder) == []
    (folder / "rnet.pt").write_bytes(b"weights of rnet.pt but changed")
    (folder / "onet.pt").unlink()
    problems = mw.verify_weights(folder)
    assert len(problems) == 2
    assert "rnet.pt: SHA-256" in problems[0] and "onet.pt: missing" in problems[1]


def test_resolve_prefers_good_local_and_falls_back_to_cache(tmp_path, fake_sums, monkeypatch):
    local = _write(tmp_path / "local", fake_sums)
    assert mw.resolve_mtcnn_weights(local, tmp_path / "cache") == local
    (local / "pnet.pt").write_bytes(b"corrupt")
    fetched = []
    monkeypatch.setattr(mw, "fetch_mtcnn_weights", lambda cache: fetched.append(cache) or cache)
    with pytest.warns(UserWarning, match="pnet.pt"):
        assert mw.resolve_mtcnn_weights(local, tmp_path / "cache") == tmp_path / "cache"
    assert fetched == [tmp_path / "cache"]


def test_extract_from_wheel_checks_sums(tmp_path, fake_sums):
    wheel = tmp_path / "facenet_pytorch-2.6.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in fake_sums.items():
            zf.writestr(f"facenet_pytorch/data/{name}", data)
    out = mw.extract_weights(wheel, tmp_path / "cache")
    assert mw.verify_weights(out) == []
    # an already complete cache is used without any download
    assert mw.fetch_mtcnn_weights(out) == out

    bad = tmp_path / "bad.whl"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in fake_sums.items():
            zf.writestr(f"facenet_pytorch/data/{name}", data + (b"x" if name == "onet.pt" else b""))
    with pytest.raises(ValueError, match="onet.pt: SHA-256"):
        mw.extract_weights(bad, tmp_path / "cache2")
    assert not (tmp_path / "cache2" / "onet.pt").exists()

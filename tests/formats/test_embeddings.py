import numpy as np
import pytest

from sphere.errors import InputError
from sphere.formats.embeddings import read_embeddings, write_embeddings


def test_round_trip_and_bare_name_lookup(tmp_path):
    face = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = write_embeddings(tmp_path / "e.npz", face, ["A/A_0001.jpg", "B/B_0001.jpg", "./C\\x.jpg"], face + 1)
    emb = read_embeddings(path)
    assert emb.names == ["A/A_0001.jpg", "B/B_0001.jpg", "C/x.jpg"] and np.array_equal(emb.flip, face + 1)
    # exact path, bare file name of a path, and a bare benchmark name found by the file's bare names
    assert emb.rows_for(["B/B_0001.jpg", "root/A/A_0001.jpg", "x.jpg", "nope.jpg"]).tolist() == [1, 0, 2, -1]


def test_ambiguous_bare_names_do_not_match(tmp_path):
    emb = read_embeddings(write_embeddings(tmp_path / "e.npz", np.ones((2, 3)), ["a/1.jpg", "b/1.jpg"]))
    assert emb.rows_for(["1.jpg", "a/1.jpg"]).tolist() == [-1, 0]


def test_object_arrays_and_pickles_are_refused(tmp_path):
    np.savez(tmp_path / "obj.npz", embeddings=np.ones((2, 3)), names=np.array(["a", None], dtype=object))
    with pytest.raises(InputError, match=r"obj.npz: refused"):
        read_embeddings(tmp_path / "obj.npz")
    np.save(tmp_path / "pickled.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match=r"pickled.npy: refused"):
        read_embeddings(tmp_path / "pickled.npy")
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match="junk.npz"):
        read_embeddings(tmp_path / "junk.npz")


def test_non_finite_rows_are_named(tmp_path):
    face = np.ones((6, 3), np.float32)
    face[2, 1], face[5, 0] = np.nan, np.inf
    with pytest.raises(InputError, match=r"2 row\(s\): 2, 5"):
        read_embeddings(write_embeddings(tmp_path / "e.npz", face))


def test_counts_and_duplicates_are_named(tmp_path):
    np.savez(tmp_path / "e.npz", embeddings=np.ones((3, 2)), names=np.array(["a", "b"]))
    with pytest.raises(InputError, match="'names' has 2 entries but 'embeddings' has 3 rows"):
        read_embeddings(tmp_path / "e.npz")
    np.savez(tmp_path / "d.npz", embeddings=np.ones((3, 2)), names=np.array(["a", "b", "a"]))
    with pytest.raises(InputError, match=r"'a' appears twice \(rows 0 and 2\)"):
        read_embeddings(tmp_path / "d.npz")
    np.savez(tmp_path / "f.npz", embeddings=np.ones((3, 2)), embeddings_flip=np.ones((2, 2)))
    with pytest.raises(InputError, match="embeddings_flip"):
        read_embeddings(tmp_path / "f.npz")

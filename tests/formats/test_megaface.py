import json
import struct

import numpy as np
import pytest

from sphere.formats.megaface import (
    feature_file,
    load_features,
    read_distractor_list,
    read_feature_bin,
    read_noise_list,
    read_probe_list,
    remove_noise,
    write_feature_bin,
)


def test_feature_bin_layout_and_round_trip(tmp_path):
    path = feature_file(tmp_path, "Adam_Brody/Adam_Brody_1.png", "_sphere.bin")
    assert path == tmp_path / "Adam_Brody" / "Adam_Brody_1.png_sphere.bin"
    vec = np.array([0.5, -1.25, 3.0], np.float32)
    write_feature_bin(path, vec)
    raw = path.read_bytes()
    # four int32 (rows=3, cols=1, elem size 4, CV_32F=5) then the float32 values
    assert raw == struct.pack("<4i3f", 3, 1, 4, 5, 0.5, -1.25, 3.0)
    out = read_feature_bin(path)
    assert out.dtype == np.float32 and out.tolist() == vec.tolist()


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\x00" * 8, "shorter than the 16-byte header"),
        (struct.pack("<4i2f", 2, 2, 4, 5, 1, 2), "cols=2"),
        (struct.pack("<4i2d", 2, 1, 8, 6, 1, 2), "type=6"),
        (struct.pack("<4i2f", 3, 1, 4, 5, 1, 2), "promises 3 floats"),
    ],
)
def test_feature_bin_bad_header(tmp_path, raw, message):
    path = tmp_path / "x.jpg_a.bin"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=f"x.jpg_a.bin: .*{message}"):
        read_feature_bin(path)


def test_load_features_checks_dimension(tmp_path):
    write_feature_bin(feature_file(tmp_path, "a.jpg", "_f.bin"), np.ones(4))
    write_feature_bin(feature_file(tmp_path, "b.jpg", "_f.bin"), np.zeros(4))
    assert load_features(tmp_path, ["b.jpg", "a.jpg"], "_f.bin").tolist() == [[0] * 4, [1] * 4]
    write_feature_bin(feature_file(tmp_path, "c.jpg", "_f.bin"), np.zeros(5))
    with pytest.raises(ValueError, match="c.jpg_f.bin: dimension 5, expected 4"):
        load_features(tmp_path, ["a.jpg", "c.jpg"], "_f.bin")


def test_devkit_lists_and_noise(tmp_path):
    probe = tmp_path / "facescrub_features_list.json"
    probe.write_text(
        json.dumps(
            {"path": ["Adam_Brody/Adam_Brody_1.png", "Adam_Brody/Adam_Brody_2.png"], "id": ["Adam_Brody", "Adam_Brody"]}
        )
    )
    assert read_probe_list(probe) == (
        ["Adam_Brody/Adam_Brody_1.png", "Adam_Brody/Adam_Brody_2.png"],
        ["Adam_Brody", "Adam_Brody"],
    )
    dist = tmp_path / "megaface_features_list.json_10_1"
    paths = [f"FlickrFinal2/{i:02d}/{i}_{i}.jpg" for i in range(10)]
    dist.write_text(json.dumps({"path": paths}))
    assert read_distractor_list(dist) == paths
    noise = tmp_path / "megaface_noises.txt"
    noise.write_text(f"# noise list\n{paths[3]}\n\nsomething\t{paths[7]}\nFlickrFinal2/not/listed.jpg\n")
    kept, removed = remove_noise(read_distractor_list(dist), read_noise_list(noise))
    assert removed == 2 and kept == paths[:3] + paths[4:7] + paths[8:]


def test_devkit_list_errors(tmp_path):
    bad = tmp_path / "facescrub_features_list.json"
    bad.write_text('{"path": ["a.png"],\n "id": [}')
    with pytest.raises(ValueError, match=r"facescrub_features_list.json:2: invalid JSON"):
        read_probe_list(bad)
    bad.write_text(json.dumps({"path": ["a.png", "b.png"], "id": ["A"]}))
    with pytest.raises(ValueError, match="2 paths but 1 ids"):
        read_probe_list(bad)
    bad.write_text(json.dumps({"paths": []}))
    with pytest.raises(ValueError, match=r"keys \['path'\]"):
        read_distractor_list(bad)

"""Settings of the three procedural generators (the `synthetic`, `ytf.synthetic` and `megaface.synthetic`
sections of the run config): the stand-ins for CASIA-WebFace -> LFW, YouTube Faces and MegaFace (paper
Sec. 4) when real data is absent. The generators (`sphere.synthetic`) take these dataclasses as they are;
each checks its own bounds (the same the schema gives) and the rules between fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from sphere.config.fields import check_bounds, setting

RAW_SIZE = "side of a raw photo in px (the renderer needs >= 32; the face is about 0.4 of it)"
DIFFICULTY = "scales nuisance magnitudes and identity closeness (0: frontal, neutral, unrelated faces)"
LANDMARK_NOISE = "px std of the detector-like noise on the written landmarks"
JPEG = "JPEG quality of every photo, uniform in [lo, hi]"
FAMILY = "mean number of related identities per family (identity closeness)"


def _check(obj: object, rules: list[tuple[bool, str]]) -> None:
    """The field bounds, then the rules between fields, as ValueError('<Class>: ...')."""
    obj.jpeg_quality = tuple(int(q) for q in obj.jpeg_quality)  # type: ignore[attr-defined]
    check_bounds(obj)
    lo, hi = obj.jpeg_quality  # type: ignore[attr-defined]
    for ok, message in [(lo <= hi, "jpeg_quality must be (lo, hi) with 1 <= lo <= hi <= 100"), *rules]:
        if not ok:
            raise ValueError(f"{type(obj).__name__}: {message}")


def _quality() -> dict:
    return {"each": {"ge": 1, "le": 100}, "length": (2, 2)}


@dataclass
class SyntheticConfig:
    seed: int = setting(0, "seed of every random stream of the generator")
    train_identities: int = setting(100, "training identities (CASIA-WebFace layout)", ge=2)
    train_images_per_identity: int = setting(30, "photos per training identity (the maximum when the min is set)", ge=1)
    test_identities: int = setting(120, "test identities, disjoint from training (at least 2 per fold)", ge=2)
    test_images_per_identity: int = setting(6, "photos per test identity (the maximum when the min is set)", ge=2)
    folds: int = setting(10, "folds of the View-2-like pairs, identity-disjoint (LFW has 10)", ge=2)
    pairs_per_fold: int = setting(60, "same + different pairs per fold (View 2: 300 + 300)", ge=2, multiple_of=2)
    raw_size: int = setting(128, RAW_SIZE, ge=32)
    difficulty: float = setting(1.0, DIFFICULTY, ge=0)
    landmark_noise: float = setting(1.0, LANDMARK_NOISE, ge=0)
    jpeg_quality: tuple[int, int] = setting((40, 95), JPEG, **_quality())
    train_images_per_identity_min: int | None = setting(
        None, "per-identity training photo count uniform in [min, max] (absent: every identity has the max)", ge=1
    )
    test_images_per_identity_min: int | None = setting(
        None, "per-identity test photo count uniform in [min, max]", ge=1
    )
    family_size: float = setting(3.0, FAMILY, ge=1)

    def __post_init__(self) -> None:
        rules = [(self.test_identities >= 2 * self.folds, "test_identities must be >= 2 * folds")]
        for low, high in (
            ("train_images_per_identity_min", "train_images_per_identity"),
            ("test_images_per_identity_min", "test_images_per_identity"),
        ):
            value = getattr(self, low)
            rules.append((value is None or value <= getattr(self, high), f"{low} must be in [1, {high}]"))
        _check(self, rules)


@dataclass
class YTFSynthConfig:
    seed: int = setting(0, "seed of every random stream of the video generator")
    identities: int = setting(80, "video identities (at least 2 per split)", ge=2)
    videos_per_identity: int = setting(3, "videos per identity (the maximum when the min is set)", ge=1)
    videos_per_identity_min: int | None = setting(None, "per-identity video count uniform in [min, max]", ge=1)
    frames_per_video: int = setting(8, "frames of every video", ge=1)
    key_nuisances: tuple[int, int] = setting(
        (2, 3), "[lo, hi] key nuisances a video moves between", each={"ge": 2}, length=(2, 2)
    )
    splits: int = setting(10, "identity-disjoint splits (YTF has 10)", ge=2)
    pairs_per_split: int = setting(40, "same + different video pairs per split (YTF: 250 + 250)", ge=2, multiple_of=2)
    raw_size: int = setting(128, RAW_SIZE, ge=32)
    difficulty: float = setting(1.0, DIFFICULTY, ge=0)
    landmark_noise: float = setting(1.0, LANDMARK_NOISE, ge=0)
    jpeg_quality: tuple[int, int] = setting((40, 95), JPEG, **_quality())
    family_size: float = setting(3.0, FAMILY, ge=1)

    def __post_init__(self) -> None:
        self.key_nuisances = tuple(int(k) for k in self.key_nuisances)  # type: ignore[assignment]
        low, high = self.key_nuisances if len(self.key_nuisances) == 2 else (0, -1)
        vmin = self.videos_per_identity_min
        _check(
            self,
            [
                (low <= high, "key_nuisances must be (lo, hi) with 2 <= lo <= hi"),
                (vmin is None or vmin <= self.videos_per_identity, "videos_per_identity_min must be in [1, max]"),
                (self.identities >= 2 * self.splits, "identities must be >= 2 * splits"),
            ],
        )


@dataclass
class MegaFaceSynthConfig:
    seed: int = setting(0, "seed of every random stream of the probe and distractor generator")
    probe_identities: int = setting(20, "FaceScrub-like probe identities", ge=2)
    probe_images_per_identity: int = setting(8, "photos per probe identity (mates)", ge=2)
    sizes: tuple[int, ...] = setting(
        (10, 100, 1000, 10000),
        "distractor ladder; the largest is how many are drawn (set from megaface.sizes)",
        each={"ge": 1},
        length=(1, None),
        yaml=False,
    )
    distractor_images_per_identity: int = setting(2, "each distractor identity has 1..this many photos", ge=1)
    raw_size: int = setting(128, RAW_SIZE, ge=32)
    difficulty: float = setting(1.0, DIFFICULTY, ge=0)
    landmark_noise: float = setting(1.0, LANDMARK_NOISE, ge=0)
    jpeg_quality: tuple[int, int] = setting((40, 95), JPEG, **_quality())
    family_size: float = setting(3.0, FAMILY, ge=1)

    def __post_init__(self) -> None:
        self.sizes = tuple(sorted({int(s) for s in self.sizes}))
        _check(self, [])

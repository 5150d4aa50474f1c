"""Identities of the procedural face model: a point in a continuous gene space.

An identity is a vector of genes in (0, 1), each the logistic image of a standard-normal latent, so the
population is a smooth distribution over faces: unseen identities always exist (open set, as LFW is for
CASIA-WebFace, docs/paper.md §3) and two identities can be arbitrarily close. Identities are drawn in families
that share part of their latent, which puts some identities close together and keeps verification from
saturating; `difficulty` sets how much is shared.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np

# Logistic slope that makes sigmoid(_SLOPE * z) close to the normal CDF of z.
_SLOPE = 1.702


@dataclass(frozen=True)
class Identity:
    """Genes of one face, each in (0, 1); `face_model` maps them to geometry and colour."""

    # outline
    face_width: float
    face_aspect: float
    jaw_taper: float
    face_square: float
    # eyes
    eye_height: float
    eye_spacing: float
    eye_size: float
    eye_open: float
    eye_tilt: float
    iris_hue: float
    iris_size: float
    # brows
    brow_gap: float
    brow_thickness: float
    brow_angle: float
    brow_arch: float
    brow_length: float
    # nose
    nose_length: float
    nose_width: float
    nose_bridge: float
    # mouth
    mouth_gap: float
    mouth_width: float
    upper_lip: float
    lower_lip: float
    lip_red: float
    # skin
    skin_tone: float
    skin_warmth: float
    # hair
    hair_dark: float
    hair_red: float
    hair_grey: float
    hair_length: float
    hair_volume: float
    hairline: float
    hair_parting: float
    fringe: float
    hair_curl: float
    # accessories and marks
    beard: float
    beard_cover: float
    glasses: float
    glasses_shape: float
    glasses_dark: float
    ear_size: float
    mole: float
    mole_x: float
    mole_y: float
    neck_width: float

    def vector(self) -> np.ndarray:
        """Genes as a float64 vector (the identity-parameter space used for distances)."""
        return np.asarray(astuple(self), dtype=np.float64)

    @classmethod
    def from_vector(cls, v: np.ndarray) -> Identity:
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (N_GENES,):
            raise ValueError(f"identity vector must have shape ({N_GENES},), got {v.shape}")
        return cls(*(float(x) for x in v))

    def latent(self) -> np.ndarray:
        """Standard-normal latent that produced the genes (inverse of the logistic map)."""
        u = np.clip(self.vector(), 1e-9, 1 - 1e-9)
        return np.log(u / (1 - u)) / _SLOPE

    @classmethod
    def from_latent(cls, z: np.ndarray) -> Identity:
        return cls.from_vector(1.0 / (1.0 + np.exp(-_SLOPE * np.asarray(z, dtype=np.float64))))


GENES: tuple[str, ...] = tuple(f.name for f in fields(Identity))
N_GENES = len(GENES)


def family_correlation(difficulty: float) -> float:
    """Latent correlation between an identity and its family centre; siblings share its square."""
    return float(np.clip(0.85 * difficulty, 0.0, 0.97))


def sample_identity(rng: np.random.Generator, parent: Identity | None = None, rho: float = 0.0) -> Identity:
    """Draw one identity from the population prior.

    With `parent`, the latent is rho * parent + sqrt(1 - rho^2) * noise: the marginal stays the prior
    while the identity lies close to `parent` (closer for rho near 1).
    """
    eps = rng.standard_normal(N_GENES)
    if parent is None:
        return Identity.from_latent(eps)
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must be in [0, 1), got {rho}")
    return Identity.from_latent(rho * parent.latent() + np.sqrt(1.0 - rho * rho) * eps)


def sample_identities(
    rng: np.random.Generator, n: int, difficulty: float = 1.0, family_size: float = 3.0
) -> tuple[list[Identity], np.ndarray]:
    """Draw `n` identities in families (about `family_size` members each, sizes random).

    Returns the identities and the family index of each. Members of a family are drawn around a shared
    (unrendered) centre with correlation `family_correlation(difficulty)`.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    n_families = max(1, int(round(n / max(family_size, 1.0))))
    centres = [sample_identity(rng) for _ in range(n_families)]
    family = rng.integers(0, n_families, size=n)
    rho = family_correlation(difficulty)
    return [sample_identity(rng, centres[f], rho) for f in family], family


def identity_distance(a: Identity, b: Identity) -> float:
    """Euclidean distance between two identities in latent space."""
    return float(np.linalg.norm(a.latent() - b.latent()))

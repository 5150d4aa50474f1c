"""Procedural synthetic faces: identities, nuisance, rendering and an LFW/CASIA-style dataset writer."""

from .dataset import SyntheticConfig, generate
from .identity import Identity, identity_distance, sample_identities, sample_identity
from .nuisance import Nuisance, interpolate, neutral_nuisance, sample_nuisance
from .render import apply_jpeg, encode_jpeg, render

__all__ = [
    "SyntheticConfig",
    "generate",
    "Identity",
    "Nuisance",
    "apply_jpeg",
    "encode_jpeg",
    "identity_distance",
    "interpolate",
    "neutral_nuisance",
    "render",
    "sample_identities",
    "sample_identity",
    "sample_nuisance",
]

"""Face networks, created by name from one registry."""

from sphere.models import sphereface  # noqa: F401  (registration)
from sphere.models.registry import MODELS, create_model

__all__ = ["MODELS", "create_model"]

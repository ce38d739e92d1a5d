"""Base class for every scenario sub-specification.

All specs are strict, frozen pydantic models: unknown keys are rejected, values are not
coerced from the wrong type, and a spec cannot be changed after validation. Each module
defines the spec it consumes (``TravelSpec`` next to the travel engine, and so on) and is
handed only that spec. Field descriptions are the planner-facing documentation: they state
the unit and, for defaults, the published source (see ``scenarios/README.md``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Spec(BaseModel):
    """Strict, frozen base model for scenario sections."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, validate_default=True)

"""Base class for every scenario sub-specification.

All specs are strict, frozen pydantic models: unknown keys are rejected, values are not
coerced from the wrong type, and a spec cannot be changed after validation. Each module
defines the spec it consumes (``TravelSpec`` next to the travel engine, and so on) and is
handed only that spec. Field descriptions are the planner-facing documentation: they state
the unit and, for defaults, the published source (see ``scenarios/README.md``).

"Not coerced" means: a boolean is never taken as a number (``replications = true``), text
is never taken as a number (``ambulances = "9"``), only ``true``/``false`` are booleans
(``enabled = "yes"`` or ``enabled = 1`` are errors), and a float field is finite (``inf``
and ``nan`` are errors) unless its default is itself infinite (an open clipping bound).
Integers are accepted where a float is meant (``horizon_days = 2``). pydantic's own
``strict=True`` is not used because it also refuses TOML's text for paths, lists for
tuples and text keys for mappings, which are the ordinary ways to write those.
"""

from __future__ import annotations

import math
import types
from typing import Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


def _problem(annotation: Any, value: Any, allow_inf: bool) -> str | None:
    """Why ``value`` is not acceptable for ``annotation`` without coercion (None if fine)."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(annotation) if a is not type(None)]
        if value is None:
            return None
        found = [_problem(a, value, allow_inf) for a in options]
        return None if any(f is None for f in found) else found[0]
    if origin is not None and str(origin) == "typing.Annotated":  # pragma: no cover
        return _problem(get_args(annotation)[0], value, allow_inf)
    if annotation is bool:
        return None if isinstance(value, bool) else "expected true or false"
    if annotation is int:
        if isinstance(value, bool):
            return "expected a whole number, not a boolean"
        if isinstance(value, str):
            return "expected a whole number, not text (remove the quotes)"
        return None
    if annotation is float:
        if isinstance(value, bool):
            return "expected a number, not a boolean"
        if isinstance(value, str):
            return "expected a number, not text (remove the quotes)"
        if isinstance(value, float) and not math.isfinite(value) and not allow_inf:
            return "must be a finite number (inf and nan are not allowed)"
        return None
    if origin in (list, tuple, set, frozenset) and isinstance(value, list | tuple):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if len(args) == 1 or origin is not tuple:
            return next((p for v in value if (p := _problem(args[0], v, allow_inf))), None)
        return next(
            (p for a, v in zip(args, value, strict=False) if (p := _problem(a, v, allow_inf))),
            None,
        )
    if origin is dict and isinstance(value, dict):
        vt = get_args(annotation)[1]
        return next((p for v in value.values() if (p := _problem(vt, v, allow_inf))), None)
    return None


#: Error type raised by a model validator about one of its fields: ``ctx["field"]`` names
#: it (dotted, relative to the model) and scenario.py appends it to the error's location.
FIELD_ERROR = "field_error"


class Spec(BaseModel):
    """Strict, frozen base model for scenario sections."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, validate_default=True)

    #: ``extends``: a child that sets this section replaces the parent's whole (tables of
    #: shares or probabilities, where a key-by-key merge would break "sums to 1").
    replace_whole: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _no_coercion(cls, data: Any) -> Any:
        # A model-level check: pydantic forbids field-level "before" validators on the
        # ``dist`` discriminator of the distribution specs.
        if not isinstance(data, dict):
            return data
        for name, value in data.items():
            field = cls.model_fields.get(name)
            if field is None:
                continue  # unknown keys are reported by extra="forbid"
            default = field.default
            allow_inf = isinstance(default, float) and not math.isfinite(default)
            problem = _problem(field.annotation, value, allow_inf)
            if problem:
                # The field goes in ctx: scenario.py appends it to the error's location.
                raise PydanticCustomError(
                    FIELD_ERROR, "{problem}", {"field": name, "problem": problem}
                )
        return data


def u_range(low: float, high: float, source: str) -> dict[str, Any]:
    """``json_schema_extra`` of an assumed [U] field: its plausible range and where it is from.

    The range is in the field's unit; for a duration distribution it is the range of its
    mean (minutes), the shape kept (:mod:`sim.config.uncertain` rescales the distribution).
    Joint PSA draws and one-way sweeps read it; ``scenarios/schema.json`` shows it.
    """
    if not low < high:
        raise ValueError(f"u_range needs low < high (got {low}, {high})")
    return {"u_range": [float(low), float(high)], "source": source}


def u_rel(low: float, high: float, source: str) -> dict[str, Any]:
    """Like :func:`u_range` but as factors of the scenario's own value (region-specific ones)."""
    if not 0 <= low < high:
        raise ValueError(f"u_rel needs 0 <= low < high (got {low}, {high})")
    return {"u_rel": [float(low), float(high)], "source": source}


def u_fixed(reason: str) -> dict[str, Any]:
    """``json_schema_extra`` of a [U] field deliberately not varied, with the reason."""
    return {"u_fixed": reason}

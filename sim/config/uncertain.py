"""The assumed [U] operational and mechanism parameters of a scenario, with their ranges.

Every scenario field whose description marks it an assumption [U] carries its plausible
range in its schema (``json_schema_extra``, see :func:`sim.config.spec_base.u_range`), or says
why it is not varied (``u_fixed``). :func:`uncertain_fields` lists them for one scenario as
``(path, low, high, source, label key)``; :func:`with_values` sets drawn values. Joint PSA
draws (:mod:`sim.runs.joint`) and one-way sweeps (``trauma-sim sensitivity``) read both, so
the range lives in one place, next to the default it qualifies.

Durations are varied through their mean (minutes): a drawn mean rescales the whole
distribution (a lognormal's median, a triangular's three points), so its shape is kept.
Ranges marked ``u_rel`` are factors of the scenario's own value (rates derived per region).
Outcome-model parameters are not listed here: they have their own distributions
(:func:`sim.outcomes.params.default_uncertain_parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from sim.config.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
)
from sim.config.scenario import Scenario
from sim.config.spec_base import Spec
from sim.core.errors import UserError

#: Sections whose fields are operational or mechanism assumptions (outcomes are separate).
SECTIONS: tuple[str, ...] = ("calls", "fleet", "hospital", "demand", "mechanisms")

#: Mean-like value of each duration family: what a ``u_range`` of a duration is a range of.
_DurationKind = Literal["number", "duration", "durations"]


@dataclass(frozen=True)
class UncertainField:
    """One assumed scenario field and its plausible range.

    ``low``/``high`` are in the field's unit (a duration's mean, minutes); ``value`` is the
    scenario's own value on the same scale (for a per-tier map of durations: the factor 1).
    """

    path: str
    low: float
    high: float
    value: float
    source: str
    kind: _DurationKind

    @property
    def label_key(self) -> str:
        """Key of its zh/en display name in :data:`sim.plotting.labels.PARAMETERS`."""
        return self.path


def duration_mean(d: Any) -> float:
    """Mean of a duration spec, minutes (the scale its ``u_range`` is given on)."""
    return float(d.mean())


def scale_duration(d: Any, factor: float) -> Any:
    """A copy of duration ``d`` with every minute parameter multiplied by ``factor``.

    Parameters
    ----------
    d
        A duration spec (fixed, exponential, lognormal, gamma, triangular).
    factor
        Non-negative scale factor (mean and spread scale together; the shape is kept).

    Returns
    -------
    Duration spec of the same family.
    """
    if factor < 0:
        raise ValueError("scale factor must be >= 0")
    if isinstance(d, Fixed):
        return d.model_copy(update={"value": d.value * factor})
    if isinstance(d, Exponential | Gamma):
        return d.model_copy(update={"mean_min": d.mean_min * factor})
    if isinstance(d, Lognormal):
        cap = None if d.max_min is None else d.max_min * factor
        return d.model_copy(update={"median": d.median * factor, "max_min": cap})
    if isinstance(d, Triangular):
        return d.model_copy(
            update={"low": d.low * factor, "mode": d.mode * factor, "high": d.high * factor}
        )
    raise TypeError(f"cannot rescale a {type(d).__name__} duration")


def _walk(model: BaseModel, prefix: str) -> list[tuple[str, BaseModel, str]]:
    """(dotted path, owning spec, field name) of every field under ``model``."""
    out: list[tuple[str, BaseModel, str]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        is_duration = isinstance(value, Fixed | Exponential | Gamma | Lognormal | Triangular)
        if isinstance(value, Spec) and not is_duration and not isinstance(value, Empirical):
            out += _walk(value, path)
        else:
            out.append((path, model, name))
    return out


def field_extra(owner: BaseModel, name: str) -> dict[str, Any]:
    """The ``json_schema_extra`` dict of one field (empty if none)."""
    extra = type(owner).model_fields[name].json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def uncertain_fields(scenario: Scenario) -> list[UncertainField]:
    """Every ranged [U] operational and mechanism field of ``scenario``, in schema order.

    A duration read from observed data (``empirical``) is data, not an assumption, and is
    left out, as are fields marked ``u_fixed``.

    Parameters
    ----------
    scenario
        A validated scenario (``u_rel`` ranges are relative to its values).

    Returns
    -------
    list of UncertainField
    """
    out: list[UncertainField] = []
    for section in SECTIONS:
        for path, owner, name in _walk(getattr(scenario, section), section):
            extra = field_extra(owner, name)
            if "u_range" not in extra and "u_rel" not in extra:
                continue
            value = getattr(owner, name)
            source = str(extra.get("source", ""))
            if isinstance(value, dict):  # per-tier durations: one common factor
                if any(isinstance(v, Empirical) for v in value.values()):
                    continue
                lo, hi = extra.get("u_rel") or extra["u_range"]
                out.append(UncertainField(path, lo, hi, 1.0, source, "durations"))
                continue
            if isinstance(value, Empirical):
                continue
            is_num = isinstance(value, int | float) and not isinstance(value, bool)
            current = float(value) if is_num else duration_mean(value)
            if "u_rel" in extra:
                lo, hi = (f * current for f in extra["u_rel"])
            else:
                lo, hi = extra["u_range"]
            out.append(
                UncertainField(path, lo, hi, current, source, "number" if is_num else "duration")
            )
    return out


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of ``scenario`` with uncertain fields set (re-validated).

    Parameters
    ----------
    scenario
        The scenario.
    values
        Field path (as :func:`uncertain_fields` names it) -> value on its range's scale: a
        number, a duration's mean in minutes, or a per-tier map's common factor.

    Returns
    -------
    Scenario

    Raises
    ------
    UserError
        A path that is not a ranged uncertain field of the scenario.
    """
    fields = {f.path: f for f in uncertain_fields(scenario)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise UserError(f"uncertain values: unknown fields {unknown}; allowed {sorted(fields)}")
    data = scenario.model_dump(mode="json")
    for path, v in values.items():
        f = fields[path]
        keys = path.split(".")
        obj: Any = scenario
        for k in keys:
            obj = getattr(obj, k)
        if f.kind == "number":
            new: Any = round(v) if isinstance(obj, int) else float(v)
        elif f.kind == "duration":
            factor = 0.0 if f.value == 0 else float(v) / f.value
            new = scale_duration(obj, factor).model_dump(mode="json")
        else:
            new = {k: scale_duration(d, float(v)).model_dump(mode="json") for k, d in obj.items()}
        node = data
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = new
    return scenario.with_data(data)

"""The limits and default of one setting, declared once and read by validation, CLI and app.

Each settings class declares a ``Mapping[str, Bound]`` beside it (in the spirit of
scikit-learn's ``_parameter_constraints``): :data:`geo.settings_bounds.BOUNDS`,
:data:`geo.public.PUBLIC_BOUNDS`, :data:`geo.postbox.POSTBOX_BOUNDS` and
:data:`geo.interventions.INTERVENTION_BOUNDS`. The class takes its defaults from there, its
validation calls :meth:`Bound.problem`, the command line builds its help with
:meth:`Bound.cli_help`, and the app reads ``low``, ``high``, ``default``, ``step`` and
``typical`` for its widgets, e.g. ``geo.settings_bounds.BOUNDS["eps_m"].low``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Bound", "format_number"]

Number = TypeVar("Number", int, float)


def format_number(value: float) -> str:
    """``value`` as written in messages and help: ``5000``, ``0.5``, ``1000000``."""
    return format(value, ".10g")


@dataclass(frozen=True, kw_only=True)
class Bound(Generic[Number]):
    """Limits, default and meaning of one numeric setting.

    Parameters
    ----------
    low, high
        The allowed interval; ``high=None`` means no upper limit.
    default
        The value used when the setting is not given, of the setting's type (``None`` for
        an optional setting that is unset by default).
    help
        One line saying what the setting does (no limits or default: they are added).
    unit
        Unit written after the limits (``"m"``, ``"days"``, ``""`` for a plain count).
    closed
        Which ends of ``[low, high]`` are allowed: ``"both"``, ``"left"``, ``"right"`` or
        ``"neither"`` (as scikit-learn's ``Interval``).
    whole
        The value must be a whole number (``int``, not ``bool``).
    why
        Why the limits are what they are, added to the error message (optional).
    step
        Step of a widget that sets it (``None`` = the widget's own default).
    typical
        ``(lowest, highest)`` a slider offers; values outside it are allowed but unusual.

    """

    low: Number
    high: Number | None
    default: Any
    help: str
    unit: str = ""
    closed: Literal["both", "left", "right", "neither"] = "both"
    whole: bool = False
    why: str = ""
    step: Number | None = None
    typical: tuple[Number, Number] | None = None

    @property
    def interval(self) -> str:
        """The limits as text with the unit, e.g. ``"(0, 5000] m"`` or ``">= 1"``."""
        left = "[" if self.closed in ("both", "left") else "("
        if self.high is None:
            sign = ">=" if left == "[" else ">"
            text = f"{sign} {format_number(self.low)}"
        else:
            right = "]" if self.closed in ("both", "right") else ")"
            text = f"{left}{format_number(self.low)}, {format_number(self.high)}{right}"
        return f"{text} {self.unit}" if self.unit else text

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a number (whole if required) within the limits."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.whole and not isinstance(value, int):
            return False
        if math.isnan(value):
            return False
        low_ok = value >= self.low if self.closed in ("both", "left") else value > self.low
        if self.high is None:
            return low_ok
        high_ok = value <= self.high if self.closed in ("both", "right") else value < self.high
        return low_ok and high_ok

    def problem(self, name: str, value: object, *, kind: str = "setting") -> str | None:
        """The error message for ``value``, or ``None`` when it is allowed.

        ``"The 'eps_m' setting must be in (0, 5000] m. Got -5 instead."``
        """
        if self.contains(value):
            return None
        what = "a whole number" if self.whole else ""
        if self.high is None:
            must = f"{what or 'a number'} {self.interval}"
        else:
            must = f"{what} in {self.interval}" if what else f"in {self.interval}"
        why = f" ({self.why})" if self.why else ""
        return f"The '{name}' {kind} must be {must}{why}. Got {value!r} instead."

    def cli_help(self, text: str | None = None) -> str:
        """Help for a command-line option: ``text`` (or :attr:`help`), limits and default."""
        default = "" if self.default is None else f", default {format_number(self.default)}"
        return f"{text or self.help} ({self.interval}{default})"

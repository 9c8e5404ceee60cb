"""Progress reporting: the one callback type every long-running stage accepts."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ProgressFn"]

#: ``progress(message, fraction)``: a short message and the share of the work done, in [0, 1].
ProgressFn = Callable[[str, float], None]

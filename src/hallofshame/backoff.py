"""Retry waits: one rule for every retry loop (upstream polls, webhook deliveries)."""

from __future__ import annotations

#: Doublings beyond this change nothing (every cap is reached long before) and would
#: only make huge floats.
_MAX_STEP = 30


def equal_jitter(step: int, base_s: float, cap_s: float, draw: float) -> float:
    """Seconds to wait before retry ``step`` (0 for the first): ``base_s`` doubled each
    step up to ``cap_s``, then "equal jitter" — half of it fixed, half scaled by ``draw``
    (uniform in [0, 1)) — so that many clients failing together do not retry together."""
    ceiling = min(cap_s, base_s * float(2 ** max(0, min(step, _MAX_STEP))))
    return ceiling / 2 + draw * ceiling / 2

"""How a park's breakdowns are known (METRICS.md §1–2): reported or inferred.

A park whose feed tells a breakdown (``DOWN``) from a planned closure (``CLOSED``) —
ThemeParks.wiki — *reports* its breakdowns. A park whose feed only says open or closed —
Queue-Times — has them *inferred*: a ride closed after operating earlier the same local
day, while the park is open, counts as down. The park's ``reports_down`` says which.
"""

from __future__ import annotations

REPORTED = "reported"
INFERRED = "inferred"
FIDELITIES = (REPORTED, INFERRED)
#: The ``fidelity`` parameter of the rankings: every park, or one kind.
FIDELITY_FILTERS = ("all", *FIDELITIES)


def fidelity_of(reports_down: bool | None) -> str:
    return REPORTED if reports_down else INFERRED

"""The one place simulator RNGs are made."""

from __future__ import annotations

import random


def seeded(*parts: object) -> random.Random:
    """A private RNG for one (seed, purpose, key…) tuple.

    String seeds are hashed with SHA-512 by ``random``, so the stream does not depend on
    PYTHONHASHSEED, the platform or the order in which other keys were drawn. The
    simulator needs reproducibility, not secrecy, hence the plain PRNG.
    """
    return random.Random("|".join(str(p) for p in parts))  # noqa: S311

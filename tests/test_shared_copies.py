"""The tests read the project's copy of the shared data (``tests/data/shared``); where the
workspace's shared/ lies beside the clone, every copied file must still equal it."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED, WORKSPACE_SHARED

#: The parts of shared/ the tests use.
COPIED = ("scenarios", "data/fixtures", "data/catalog", "data/archive")


def test_the_copies_are_in_the_project() -> None:
    for part in COPIED:
        assert any((SHARED / part).rglob("*")), part


def test_the_copies_still_equal_the_workspace_data() -> None:
    if not WORKSPACE_SHARED.is_dir():
        # A user's clone: nothing to compare with, the copies are the data. Skipped, not
        # passed, so a run that never compares says so (CI lays shared/ beside the clone).
        pytest.skip("no workspace shared/ beside the clone to compare the copies with")
    for part in COPIED:
        ours = sorted(p.relative_to(SHARED) for p in (SHARED / part).rglob("*") if p.is_file())
        theirs = sorted(
            p.relative_to(WORKSPACE_SHARED)
            for p in (WORKSPACE_SHARED / part).rglob("*")
            if p.is_file()
        )
        assert ours == theirs, f"{part}: refresh tests/data/shared from shared/"
        for relative in ours:
            mine, upstream = SHARED / relative, WORKSPACE_SHARED / relative
            assert mine.read_bytes() == upstream.read_bytes(), f"{relative} differs from shared/"

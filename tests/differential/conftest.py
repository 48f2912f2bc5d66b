"""The differential suite needs Docker Compose v2.40.3; without it the suite says so, and in CI it fails."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.differential.harness import HOW_TO_GET, REFERENCE
from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/differential" in str(item.fspath):
            item.add_marker(pytest.mark.differential)


@pytest.fixture(scope="session")
def reference() -> str:
    """The path of the reference binary; skips (loudly) or, in CI, fails when it is missing."""
    if REFERENCE.is_file() and os.access(REFERENCE, os.X_OK):
        return str(REFERENCE)
    message = f"Docker Compose reference binary not found at {REFERENCE}: {HOW_TO_GET}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def dockerd() -> Iterator[PrivateDockerd]:
    """A private dockerd for a module (tests/reference/dockerd.py): stopped after it, leaving nothing."""
    from tests.integration.engine.conftest_registry import require

    require("busybox")
    try:
        daemon = PrivateDockerd.start()
    except DockerdUnavailable as err:
        pytest.fail(f"the Docker reference is unavailable: {err}")
    try:
        yield daemon
    finally:
        daemon.stop()
    assert daemon.leftovers() == []

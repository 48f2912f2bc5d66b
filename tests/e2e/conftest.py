"""End-to-end fixtures: the test registry on 127.0.0.1 (the one of tests/integration/engine, imported, not copied),
and the engine-level tests' temporary roots with busybox (tests/e2e/engine_env.py): `env` for a module, `cli` for
a test (every container it left is removed and no mount may stay)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.engine_env import REPO, open_env
from tests.integration.engine.conftest_registry import busybox_image, registry  # noqa: F401


@pytest.fixture(scope="module")
def env(request):  # type: ignore[no-untyped-def]
    yield from open_env(str(Path(request.module.__file__).relative_to(REPO)))


@pytest.fixture
def cli(env):  # type: ignore[no-untyped-def]
    yield env
    env.remove_all()
    assert env.mounts() == []

"""End-to-end fixtures: the test registry on 127.0.0.1 (the one of tests/integration/engine, imported, not copied)."""

from tests.integration.engine.conftest_registry import busybox_image, registry  # noqa: F401

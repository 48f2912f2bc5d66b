"""Session-wide: the leak check. A test run that leaves a pycompose-named kernel object behind fails."""

from __future__ import annotations

import pytest

from tests import leaks

_before: dict[str, set[str]] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _before.update(leaks.snapshot())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = leaks.difference(_before, leaks.snapshot())
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = ["LEAK CHECK FAILED: the tests left these behind (scripts/clean-test.sh removes them):"]
    for kind, names in sorted(left.items()):
        lines += [f"  {kind}:"] + [f"    {name}" for name in sorted(names)[:20]]
    if reporter is not None:
        reporter.write_line("\n".join(lines), red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED

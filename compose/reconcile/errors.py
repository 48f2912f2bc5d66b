"""Errors of reconciling.

    ComposeError
     |-- NotSupportedYet    (InvalidArgument) the plan needs something pycompose cannot do yet (pull, build, volumes)
     |-- DependencyFailed   (Conflict)        a depends_on condition cannot be met (exited, unhealthy, no healthcheck)
     `-- ReconcileFailed    (Conflict)        one or more steps failed; `failures` maps each subject to its error
"""

from __future__ import annotations

from collections.abc import Mapping

from compose.errors import ComposeError
from pycompose.errors import Conflict, InvalidArgument


class NotSupportedYet(ComposeError, InvalidArgument):
    pass


class DependencyFailed(ComposeError, Conflict):
    pass


class ReconcileFailed(ComposeError, Conflict):
    def __init__(self, failures: Mapping[str, BaseException]):
        self.failures = dict(failures)
        lines = [f"{subject}: {error}" for subject, error in sorted(self.failures.items())]
        super().__init__("\n".join(lines) if len(lines) > 1 else lines[0] if lines else "failed")
        codes = {getattr(e, "exit_code", 1) for e in self.failures.values()}
        if len(codes) == 1:
            self.exit_code = codes.pop()

"""Errors of planning: what makes a plan impossible before anything runs.

    ComposeError
     |-- ExternalNotFound   (NotFound)  an `external: true` network or volume does not exist
     |-- ImageNotPresent    (NotFound)  `pull_policy: never` and no local image
     `-- PlanConflict       (Conflict)  a changed network used by a container `up` was not asked to touch
"""

from __future__ import annotations

from compose.errors import ComposeError
from pycompose.errors import Conflict, NotFound


class ExternalNotFound(ComposeError, NotFound):
    pass


class ImageNotPresent(ComposeError, NotFound):
    pass


class PlanConflict(ComposeError, Conflict):
    pass

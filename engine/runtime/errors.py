"""The runtime's errors, each an `EngineError` of one kind.

    EngineError
     |-- BundleInvalid      (InvalidArgument)  config.json missing, unreadable or wrong
     |-- ContainerNotFound  (NotFound)         no state for this id under the root
     |-- ContainerExists    (Conflict)         the id is taken
     |-- WrongState         (Conflict)         the operation is not allowed in this status
     `-- SetupFailed        (Unavailable)      the kernel refused a step of container setup
"""

from engine.errors import EngineError
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable


class BundleInvalid(EngineError, InvalidArgument):
    pass


class ContainerNotFound(EngineError, NotFound):
    pass


class ContainerExists(EngineError, Conflict):
    pass


class WrongState(EngineError, Conflict):
    pass


class SetupFailed(EngineError, Unavailable):
    pass

"""The proxy's errors, each a `NetplanError` of one kind (they belong in `netplan.errors`' tree).

    NetplanError
     |-- PortInUse        (Conflict)        a host port is held by another process, or published already
     |-- MappingInvalid   (InvalidArgument) a mapping that cannot be served (bad port, protocol, versions)
     |-- MappingNotFound  (NotFound)        `remove` of a mapping the proxy does not serve
     `-- ProxyFailed      (Unavailable)     the proxy process cannot be started, reached, or understood

They cross the control channel by name (`KINDS`), so a client raises what the proxy raised.
"""

from __future__ import annotations

from netplan.errors import NetplanError
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable


class PortInUse(NetplanError, Conflict):
    """The host address and port are taken: "publish 127.0.0.1:8080/tcp: port is already in use by nginx (pid 1)"."""


class MappingInvalid(NetplanError, InvalidArgument):
    """A mapping the proxy cannot serve."""


class MappingNotFound(NetplanError, NotFound):
    """A mapping the proxy does not serve."""


class ProxyFailed(NetplanError, Unavailable):
    """The proxy process did not start, does not answer, or answered nonsense."""


KINDS: dict[str, type[NetplanError]] = {cls.__name__: cls for cls in (PortInUse, MappingInvalid, MappingNotFound,
                                                                      ProxyFailed)}

"""The DNS part's errors (to join the tree in `netplan.errors` when the lead merges them there).

    NetplanError
     |-- DnsUnavailable   (Unavailable)     the server does not answer, or cannot start
     `-- DnsRefused       (InvalidArgument) the server refused a control request
"""

from netplan.errors import NetplanError
from pycompose.errors import InvalidArgument, Unavailable


class DnsUnavailable(NetplanError, Unavailable):
    """The DNS server does not answer on its control socket, or could not be started."""


class DnsRefused(NetplanError, InvalidArgument):
    """The DNS server refused a control request (a bad endpoint, an address it cannot bind)."""

"""Netplan's errors: every one derives from `NetplanError` and one kind of `pycompose.errors`.

    NetplanError                     (PycomposeError)
     |-- SubnetInvalid               (InvalidArgument) a malformed subnet, range, gateway or address
     |-- SubnetConflict              (Conflict)        a subnet overlaps one already in use
     |-- AddressConflict             (Conflict)        an address is taken, or lies outside its subnet
     |-- PoolExhausted               (Unavailable)     no free subnet or address is left
     |-- NetworkExists               (Conflict)        an IPAM record for the name exists already
     |-- NetworkNotFound             (NotFound)        no IPAM record for a network
     |-- StateFailed                 (Unavailable)     the IPAM state file cannot be read or written
     |-- SpecInvalid                 (InvalidArgument) a firewall spec that cannot be rendered
     |-- FirewallFailed              (Unavailable)     `nft` or `iptables-restore` refused a ruleset
     |-- ModuleMissing               (Unavailable)     the kernel lacks a feature (module named): sctp, bridge...
     |   netplan.links.errors: bridges, veths, namespaces
     |-- LinkInvalid                 (InvalidArgument) a bad link name, MTU or address for a link
     |-- LinkConflict                (Conflict)        a link or address that exists already
     |-- LinkNotFound                (NotFound)        a bridge, namespace or link that is not there
     |-- LinkFailed                  (Unavailable)     the kernel refused a netlink or sysctl step
     |   netplan.proxy.errors: the userland port proxy
     |-- PortInUse                   (Conflict)        a host port held by another process (named)
     |-- MappingInvalid              (InvalidArgument) a port mapping that cannot be served (e.g. sctp)
     |-- MappingNotFound             (NotFound)        removing a mapping the proxy does not serve
     |-- ProxyFailed                 (Unavailable)     the proxy process is not there or failed
     |   netplan.service: networks and their endpoints
     |-- NetworkInUse                (Conflict)        removing a network that still has endpoints (named)
     |-- EndpointExists              (Conflict)        attaching a container to a network it is on already
     |-- EndpointNotFound            (NotFound)        detaching (or publishing for) a container not on it
     |   netplan.dns.errors: the name server
     |-- DnsUnavailable              (Unavailable)     the DNS server is not there or failed
     `-- DnsRefused                  (InvalidArgument) a record or listener the server cannot take

Each part keeps its classes beside its code; this docstring is the one map of them.

Messages read *operation `object`: reason*, for example
"allocate address 10.5.0.3 on network `demo_back`: already taken by container `demo-api-1`".
"""

from pycompose.errors import Conflict, InvalidArgument, NotFound, PycomposeError, Unavailable


class NetplanError(PycomposeError):
    """Base of every error raised by `netplan`."""


class SubnetInvalid(NetplanError, InvalidArgument):
    """A subnet, IP range, gateway or address that does not parse or does not fit together."""


class SubnetConflict(NetplanError, Conflict):
    """A requested subnet overlaps a subnet that is already routed or allocated."""


class AddressConflict(NetplanError, Conflict):
    """An address that is already taken, reserved, or outside its network's subnets."""


class PoolExhausted(NetplanError, Unavailable):
    """No subnet is left in the address pools, or no address is left in a subnet."""


class NetworkExists(NetplanError, Conflict):
    """An IPAM record for the network's name exists already."""


class NetworkNotFound(NetplanError, NotFound):
    """No IPAM record exists for the named network."""


class StateFailed(NetplanError, Unavailable):
    """The IPAM state file cannot be read (unreadable, corrupt) or written (disk full)."""


class SpecInvalid(NetplanError, InvalidArgument):
    """A firewall spec that cannot be rendered (a bad bridge name, a port on an unknown network)."""


class FirewallFailed(NetplanError, Unavailable):
    """The kernel (through `nft` or `iptables-restore`) refused a ruleset."""


class ModuleMissing(NetplanError, Unavailable):
    """The kernel lacks what an operation needs; the message names the module (`sctp`, `bridge`, `veth`)."""

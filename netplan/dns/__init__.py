"""Name resolution for containers: a DNS server scoped per network, and its client.

    wire      DNS messages: parse a query, write an answer (pure)
    records   record sets per network and the lookup for a view (pure)
    forward   asking the upstream resolvers for names that are not ours
    netns     making sockets inside a container's network namespace
    server    the asyncio server: listeners, answers, the control socket
    control   the server's side of the control protocol; `protocol` describes it
    client    start the server, drive it (DnsClient), stop it

One server process serves every network. Each container gets a listener on 127.0.0.11:53 in
its own network namespace, bound to the networks it is attached to (see `server`).
"""

from netplan.dns.client import DnsClient, DnsProcess, start
from netplan.dns.records import Endpoint

__all__ = ["DnsClient", "DnsProcess", "Endpoint", "start"]

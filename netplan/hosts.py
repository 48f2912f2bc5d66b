"""The /etc/hosts a container sees, in Docker's layout. Pure: text in, text out.

Order, as Docker writes it: the loopback lines (IPv6 ones only when the container has IPv6),
then `extra_hosts` one per line in the order given (`host-gateway` replaced by the given
address), then the container's own lines: each of its addresses with `hostname.domainname`
(when a domain is set), `hostname` and any aliases. Fields are separated by a tab.
With `network_mode: host` the host's own file is used, with `extra_hosts` appended.

    >>> print(render_hosts("web1", addresses=["172.18.0.2"], ipv6=False), end="")
    127.0.0.1	localhost
    172.18.0.2	web1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import ip_address

from netplan.errors import SubnetInvalid

LOOPBACK_V4 = ["127.0.0.1\tlocalhost"]
LOOPBACK_V6 = [
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
]
HOST_GATEWAY = "host-gateway"


def extra_host_lines(extra_hosts: Iterable[tuple[str, str]], host_gateway: Sequence[str] = ()) -> list[str]:
    """`(host, address)` pairs as lines; `host-gateway` becomes each of `host_gateway`'s addresses."""
    lines = []
    for host, raw in extra_hosts:
        address = raw.strip().removeprefix("[").removesuffix("]")
        if address == HOST_GATEWAY:
            if not host_gateway:
                raise SubnetInvalid(f"write /etc/hosts entry `{host}`: host-gateway has no address here",
                                    hint="the host's gateway address is known only for bridge networks")
            lines += [f"{gateway}\t{host}" for gateway in host_gateway]
            continue
        try:
            lines.append(f"{ip_address(address)}\t{host}")
        except ValueError:
            raise SubnetInvalid(f"write /etc/hosts entry `{host}`: {raw!r} is not an IP address",
                                hint="write extra_hosts as host=address or host:address") from None
    return lines


def render_hosts(hostname: str, *, domainname: str = "", addresses: Sequence[str] = (),
                 aliases: Sequence[str] = (), extra_hosts: Iterable[tuple[str, str]] = (),
                 host_gateway: Sequence[str] = (), ipv6: bool = True) -> str:
    """The /etc/hosts of a container on bridge networks (or with no network)."""
    names = [f"{hostname}.{domainname}", hostname] if domainname else [hostname]
    names += [a for a in aliases if a not in names]
    lines = LOOPBACK_V4 + (LOOPBACK_V6 if ipv6 else [])
    lines += extra_host_lines(extra_hosts, host_gateway)
    lines += [f"{address}\t{' '.join(names)}" for address in addresses]
    return "\n".join(lines) + "\n"


def render_host_mode(host_file: str, *, extra_hosts: Iterable[tuple[str, str]] = (),
                     host_gateway: Sequence[str] = ()) -> str:
    """`network_mode: host`: the host's /etc/hosts as it is, `extra_hosts` after it."""
    extra = extra_host_lines(extra_hosts, host_gateway)
    if not extra:
        return host_file
    return host_file + ("" if host_file.endswith("\n") or not host_file else "\n") + "\n".join(extra) + "\n"


def with_addresses(text: str, addresses: Sequence[str], names: Sequence[str] = ()) -> str:
    """A container's /etc/hosts after it joins one more network: a line for each new address, with the
    names of its own lines (the last line's names when `names` is not given), as Docker adds them."""
    kept = text if text.endswith("\n") or not text else text + "\n"
    names = list(names) or _own_names(text)
    if not names:
        return kept
    present = {line.split("\t", 1)[0] for line in text.splitlines()}
    return kept + "".join(f"{a}\t{' '.join(names)}\n" for a in addresses if a not in present)


def without_addresses(text: str, addresses: Sequence[str]) -> str:
    """A container's /etc/hosts after it leaves a network: the lines of `addresses` are gone."""
    gone = {str(ip_address(a)) for a in addresses}
    lines = [line for line in text.splitlines() if line.split("\t", 1)[0] not in gone]
    return "".join(f"{line}\n" for line in lines)


def _own_names(text: str) -> list[str]:
    """The names on the last line that is not a loopback, multicast or link-local one."""
    for line in reversed(text.splitlines()):
        fields = line.split()
        if len(fields) < 2 or fields[0].startswith("#"):
            continue
        try:
            address = ip_address(fields[0])
        except ValueError:
            continue
        if not (address.is_loopback or address.is_multicast or address.is_reserved or address.is_link_local
                or str(address).startswith(("fe00:", "ff00:", "ff02:"))):
            return fields[1:]
    return []

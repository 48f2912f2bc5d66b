"""Errors of the plumbing layer (links, addresses, routes, namespaces), and the one edge that makes them.

    NetplanError
     |-- LinkInvalid    (InvalidArgument) a name, MTU or MAC the kernel cannot take
     |-- LinkConflict   (Conflict)        the name is taken (by another kind of link, or inside the namespace)
     |-- LinkNotFound   (NotFound)        the bridge, link or namespace does not exist
     `-- LinkFailed     (Unavailable)     the kernel refused for another reason (permissions, resources)

`failing(operation, object)` is the edge: inside it, pyroute2's `NetlinkError` and `OSError`
become one of the above, reading *operation `object`: reason*, for example
"create bridge `pc1a2b3c4d5e6`: a link of that name exists already". Given the kernel `module`
the operation needs, "not supported" becomes netplan's `ModuleMissing` naming it.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from netplan.errors import ModuleMissing, NetplanError
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable


class LinkInvalid(NetplanError, InvalidArgument):
    """A link name, MTU, MAC address or namespace name that cannot be used."""


class LinkConflict(NetplanError, Conflict):
    """A name already taken: a link of another kind, or an interface inside the namespace."""


class LinkNotFound(NetplanError, NotFound):
    """The bridge, link or network namespace the operation needs does not exist."""


class LinkFailed(NetplanError, Unavailable):
    """The kernel refused a link, address, route, sysctl or namespace operation."""


_KINDS: dict[int, tuple[type[NetplanError], str]] = {
    errno.EEXIST: (LinkConflict, "it exists already"),
    errno.EADDRINUSE: (LinkConflict, "the address is in use"),
    errno.ENODEV: (LinkNotFound, "no such link"),
    errno.ENOENT: (LinkNotFound, "no such object"),
    errno.ESRCH: (LinkNotFound, "no such object"),
    errno.EINVAL: (LinkInvalid, "the kernel refused the value (invalid argument)"),
    errno.ERANGE: (LinkInvalid, "the value is out of range"),
    errno.EPERM: (LinkFailed, "operation not permitted (needs root, or CAP_NET_ADMIN)"),
    errno.EACCES: (LinkFailed, "permission denied (needs root, or CAP_NET_ADMIN)"),
}


UNSUPPORTED = (errno.EOPNOTSUPP, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT)


def translate(code: int, what: str, module: str = "") -> NetplanError:
    """The netplan error for an errno `code`, with the message "<what>: <reason>"."""
    if module and code in UNSUPPORTED:
        return ModuleMissing(f"{what}: this kernel has no {module} support (the `{module}` module is not loaded)",
                             hint=f"load it (modprobe {module}) on the host")
    kind, reason = _KINDS.get(code, (LinkFailed, os.strerror(code).lower() if code else "unknown error"))
    return kind(f"{what}: {reason}")


@contextmanager
def failing(operation: str, obj: str, module: str = "") -> Iterator[None]:
    """Translate what the kernel says inside the block into a netplan error about `obj`."""
    try:
        yield
    except Exception as exc:
        if _is_netlink_error(exc):
            raise translate(exc.code, f"{operation} `{obj}`", module) from None  # type: ignore[attr-defined]
        if isinstance(exc, OSError):
            raise translate(exc.errno or 0, f"{operation} `{obj}`", module) from None
        raise


def _is_netlink_error(exc: BaseException) -> bool:
    # pyroute2 is imported only by the code that talks netlink; until then nothing can raise its error,
    # and commands that only read records (`ps`, a no-op `up`) never pay for importing it.
    module = sys.modules.get("pyroute2.netlink.exceptions")
    return module is not None and isinstance(exc, module.NetlinkError)

"""`python -m netplan.dns pycompose-dns --run-root DIR [--upstream ADDR[:PORT]]...`: run the server.

The first argument names the process for `ps` and for the leak check, which look for
"pycompose". Without `--upstream` the host's /etc/resolv.conf nameservers are used (loopback
ones included: the server runs in the host's namespace and reaches them).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from netplan.dns.forward import parse_upstream


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m netplan.dns")
    parser.add_argument("role", choices=["pycompose-dns"])
    parser.add_argument("--run-root", required=True, type=Path)
    parser.add_argument("--upstream", action="append", default=[], help="ADDR or ADDR:PORT or [V6]:PORT")
    parser.add_argument("--no-upstream", action="store_true", help="forward nothing: SERVFAIL for other names")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait on each upstream")
    parser.add_argument("--ttl", type=int, default=0)
    args = parser.parse_args(argv)
    texts = args.upstream
    if not texts and not args.no_upstream:
        from netplan.resolvconf import parse

        texts = list(parse(Path("/etc/resolv.conf").read_text(errors="replace")).nameservers)
    from netplan.dns.server import Server

    server = Server(tuple(parse_upstream(u) for u in texts), timeout=args.timeout, ttl=args.ttl)
    try:
        asyncio.run(server.serve(args.run_root))
    except OSError as failed:
        print(f"pycompose-dns: serve {args.run_root}: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    # Gone at once, without the interpreter's teardown: the server has closed its sockets, and whoever stops it
    # (`down`) waits for this process to be gone.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

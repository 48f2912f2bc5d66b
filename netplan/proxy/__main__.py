"""`python -m netplan.proxy --run-root DIR`: run the userland port proxy for DIR until stopped.

The process re-executes itself once as `python -X pycompose-proxy -m netplan.proxy ...`, so
that its command line names it (`ps`, the leak check); `client.start()` spawns it that way
directly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from netplan.proxy.server import TITLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m netplan.proxy", description="pycompose's userland port proxy")
    parser.add_argument("--run-root", type=Path, required=True, help="directory of proxy.sock, proxy.pid")
    parser.add_argument("--copy", action="store_true", help="copy through buffers instead of splice(2)")
    parser.add_argument("--udp-idle", type=float, default=None, help="seconds before an idle UDP flow closes")
    parser.add_argument("--ready-fd", type=int, default=None, help="write 'ready' to this fd once serving")
    args = parser.parse_args(argv)
    if TITLE not in getattr(sys, "_xoptions", {}):
        os.execv(sys.executable, [sys.executable, "-X", TITLE, *sys.orig_argv[1:]])
    from netplan.errors import NetplanError
    from netplan.proxy.server import serve
    from netplan.proxy.udp import IDLE
    try:
        serve(args.run_root.resolve(), splice=not args.copy,
              udp_idle=args.udp_idle if args.udp_idle is not None else IDLE, ready=args.ready_fd)
    except NetplanError as error:
        print(f"pycompose-proxy: {error.message}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())

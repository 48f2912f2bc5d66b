"""The runc command line: `python -m engine.runtime [--root DIR] COMMAND ...`.

Commands, arguments and exit codes follow runc's: errors exit 1 with the message on
stderr; `run` and `exec` exit as the program does (127/126 when it cannot be run).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from engine.runtime.state import DEFAULT_ROOT
from pycompose.errors import PycomposeError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pycompose-runtime", description="the native OCI runtime of pycompose")
    p.add_argument("--root", default=DEFAULT_ROOT)
    for flag in ("--log", "--log-format"):
        p.add_argument(flag)
    for flag in ("--debug", "--systemd-cgroup"):
        p.add_argument(flag, action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    def container(name: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name)
        c.add_argument("id")
        return c

    for name in ("create", "run"):
        c = container(name)
        c.add_argument("--bundle", "-b", default=".")
        c.add_argument("--pid-file")
        c.add_argument("--console-socket")
        c.add_argument("--init", action="store_true", default=None, help="a reaping PID 1 before the program")
        for flag in ("--no-pivot", "--no-new-keyring", "--keep"):
            c.add_argument(flag, action="store_true")
        c.add_argument("--preserve-fds", type=int, default=0)
        if name == "run":
            c.add_argument("--detach", "-d", action="store_true")
    container("start")
    container("state")
    k = container("kill")
    k.add_argument("signal", nargs="?", default="SIGTERM")
    k.add_argument("--all", "-a", action="store_true")
    d = container("delete")
    d.add_argument("--force", "-f", action="store_true")
    e = container("exec")
    e.add_argument("--pid-file")
    e.add_argument("--detach", "-d", action="store_true")
    e.add_argument("--env", "-e", action="append", default=[])
    e.add_argument("--cwd")
    e.add_argument("--user", "-u")
    e.add_argument("--cap", "-c", action="append", default=[])
    e.add_argument("--no-new-privs", action="store_true")
    e.add_argument("--process", "-p")
    e.add_argument("--tty", "-t", action="store_true")
    e.add_argument("--console-socket")
    sp = sub.add_parser("spec")
    sp.add_argument("--bundle", "-b", default=".")
    ls = sub.add_parser("list")
    ls.add_argument("--format", "-f", default="table", choices=("table", "json"))
    ls.add_argument("--quiet", "-q", action="store_true")
    return p


def _exec_process(store, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from engine.runtime import spec, user
    from engine.runtime.errors import BundleInvalid
    if args.process:
        with open(args.process) as f:
            return spec.process_from(json.load(f))
    if not args.command_args:
        raise BundleInvalid("exec: give the command to run (or --process)")
    base = spec.load(store.load(args.id).bundle).process
    changes: dict[str, object] = {"args": tuple(args.command_args), "env": base.env + tuple(args.env),
                                  "terminal": args.tty}
    if args.cwd:
        changes["cwd"] = args.cwd
    if args.user:
        uid, gid = user.parse(args.user)
        changes["user"] = spec.User(uid, base.user.gid if gid is None else gid)
    if args.cap and base.capabilities is not None:
        changes["capabilities"] = {k: v + tuple(args.cap) for k, v in base.capabilities.items()}
    if args.no_new_privs:
        changes["no_new_privileges"] = True
    changes["oom_score_adj"] = None
    return base._replace(**changes)


def _list(store, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    views = [store.view(store.load(cid)) for cid in store.ids()]
    if args.quiet:
        print("\n".join(v["id"] for v in views))
    elif args.format == "json":
        print(json.dumps(views))
    else:
        print(f"{'ID':<12}{'PID':<12}{'STATUS':<12}{'BUNDLE':<12}{'CREATED':<12}OWNER")
        for v in views:
            print(f"{v['id']:<12}{v['pid']:<12}{v['status']:<12}{v['bundle']:<12}{v['created']:<12}{v['owner']}")


def _spec(bundle: str) -> None:
    from engine.runtime import defaults
    from engine.runtime.errors import ContainerExists
    path = os.path.join(bundle, "config.json")
    if os.path.exists(path):
        raise ContainerExists(f"File {path} exists. Remove it first")
    with open(path, "w") as f:
        json.dump(defaults.config(["sh"]), f, indent=2)


def dispatch(args: argparse.Namespace) -> int:
    from engine.runtime import launch
    from engine.runtime.state import Store
    store = Store(args.root)
    cmd = args.command
    if cmd == "create":
        launch.create(store, args.id, args.bundle, pid_file=args.pid_file, init=args.init,
                      console_socket=args.console_socket)
    elif cmd == "run":
        return launch.run(store, args.id, args.bundle, pid_file=args.pid_file, init=args.init,
                          detach=args.detach, console_socket=args.console_socket)
    elif cmd == "start":
        launch.start(store, args.id)
    elif cmd == "state":
        print(json.dumps(store.view(store.load(args.id)), indent=2))
    elif cmd == "kill":
        launch.kill(store, args.id, launch.parse_signal(args.signal), args.all)
    elif cmd == "delete":
        launch.delete(store, args.id, args.force)
    elif cmd == "exec":
        from engine.runtime.execin import exec_in
        return exec_in(store, args.id, _exec_process(store, args), detach=args.detach, pid_file=args.pid_file,
                       console_socket=args.console_socket)
    elif cmd == "list":
        _list(store, args)
    elif cmd == "spec":
        _spec(args.bundle)
    return 0


_EXEC_VALUED = {"--pid-file", "--env", "-e", "--cwd", "--user", "-u", "--cap", "-c", "--process", "-p",
                "--console-socket"}


def _split_exec(argv: list[str]) -> tuple[list[str], list[str]]:
    """runc stops reading options at the container id: what follows is the command, `-c` and all."""
    if "exec" not in argv:
        return argv, []
    i = argv.index("exec") + 1
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return argv[:i] + argv[i + 1:i + 2], argv[i + 2:]
        if not token.startswith("-"):
            return argv[:i + 1], argv[i + 1:]
        i += 2 if token in _EXEC_VALUED else 1
    return argv, []


def main(argv: list[str] | None = None) -> int:
    options, command = _split_exec(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(options)
    args.command_args = command
    try:
        return dispatch(args)
    except PycomposeError as e:
        sys.stderr.write(f"pycompose-runtime {args.command}: {e.message}\n")
        from engine.runtime.process import ExecFailed
        return e.exit_code if isinstance(e, ExecFailed) else 1
    except OSError as e:
        sys.stderr.write(f"pycompose-runtime {args.command}: {e}\n")
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


def entry() -> None:
    os._exit(_flush(main()))


def _flush(code: int) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    return code

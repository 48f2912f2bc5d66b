"""`pycompose container ...`: Docker's container commands over the engine's container service.

run, create, start, stop, kill, rm, ls (ps), logs, inspect, wait, attach; on running containers
exec, pause, unpause, top and stats; on their files diff, commit and cp. `run` (and `start -a`,
`attach`, `exec`) without -d streams the container's output (stdout to stdout, stderr to
stderr) until it exits and exits with its code. `-t` gives the process a pty (held by the
supervisor, so a `run -dit` shell waits for `attach`), `-i` our stdin (compose.cli.interactive
and compose.cli.terminal: raw mode, window size, Ctrl-P Ctrl-Q to detach). Not here yet: --rm
with -d; `--sig-proxy=false` is spelled `--no-sig-proxy`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli import container_network as cn
from compose.cli import run_flags

if TYPE_CHECKING:
    from engine.containers.service import ContainerService
    from engine.state import ContainerRecord

app = typer.Typer(name="container", help="Manage containers", add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, no_args_is_help=True)

PASS_THROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": True}


def _service() -> ContainerService:
    from engine.containers.service import ContainerService
    from engine.roots import roots

    return ContainerService(roots())


def _env(items: list[str] | None) -> tuple[str, ...]:
    from engine.containers.errors import ContainerInvalid
    from pycompose.pairs import key_values

    try:  # `-e NAME`: the value from this environment, as Docker does
        return tuple(f"{key}={value}" for key, value in key_values(items or (), os.environ).items())
    except ValueError as err:
        raise ContainerInvalid(f"invalid environment variable: {err.args[0]!r}") from None


def _labels(items: list[str] | None) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in items or ())


Image = Annotated[str, typer.Argument(help="The image to run")]
Command = Annotated[list[str] | None, typer.Argument(help="The command and its arguments")]
Name = Annotated[str | None, typer.Option("--name", help="Assign a name to the container")]
Env = Annotated[list[str] | None, typer.Option("--env", "-e", help="Set environment variables")]
User = Annotated[str | None, typer.Option("--user", "-u", help="Username or UID (format: <name|uid>[:<group|gid>])")]
Workdir = Annotated[str | None, typer.Option("--workdir", "-w", help="Working directory inside the container")]
Entrypoint = Annotated[str | None, typer.Option("--entrypoint", help="Overwrite the default ENTRYPOINT of the image")]
Memory = Annotated[str | None, typer.Option("--memory", "-m", help="Memory limit")]
Cpus = Annotated[float | None, typer.Option("--cpus", help="Number of CPUs")]
Pids = Annotated[int | None, typer.Option("--pids-limit", help="Tune container pids limit")]
Runtime = Annotated[str, typer.Option("--runtime", help="Runtime to use: native, runc or crun")]
Hostname = Annotated[str | None, typer.Option("--hostname", help="Container host name")]
Labels = Annotated[list[str] | None, typer.Option("--label", "-l", help="Set meta data on a container")]
Restart = Annotated[str, typer.Option("--restart", help="Restart policy: no, always, on-failure[:N], "
                                                        "unless-stopped")]
StopSignal = Annotated[str | None, typer.Option("--stop-signal", help="Signal to stop the container")]
StopTimeout = Annotated[float | None, typer.Option("--stop-timeout", help="Seconds to wait before killing it")]
Volumes = Annotated[list[str] | None, typer.Option("--volume", "-v", help="Bind mount a volume: SRC:DST[:ro]")]
Mounts = Annotated[list[str] | None, typer.Option("--mount", help="Attach a filesystem mount: type=..,source=..,"
                                                                  "target=..[,readonly]")]
Tmpfs = Annotated[list[str] | None, typer.Option("--tmpfs", help="Mount a tmpfs directory: DST[:size=..,mode=..]")]
Interactive = Annotated[bool, typer.Option("--interactive", "-i", help="Keep STDIN open even if not attached")]
Tty = Annotated[bool, typer.Option("--tty", "-t", help="Allocate a pseudo-TTY")]
SigProxy = Annotated[bool, typer.Option("--sig-proxy/--no-sig-proxy", help="Proxy received signals to the process")]
DetachKeys = Annotated[str | None, typer.Option("--detach-keys", help="Override the key sequence for detaching a "
                                                                      "container")]


def _mounts(volume: list[str] | None, mount: list[str] | None, tmpfs: list[str] | None):  # type: ignore[no-untyped-def]
    from engine.volumes import parse_mount, parse_tmpfs, parse_volume

    return (*map(parse_volume, volume or ()), *map(parse_mount, mount or ()), *map(parse_tmpfs, tmpfs or ()))


def _options(image: str, command: list[str] | None, name: str | None, env: list[str] | None, user: str | None,
             workdir: str | None, entrypoint: str | None, memory: str | None, cpus: float | None,
             pids_limit: int | None, network: str, runtime: str, hostname: str | None, label: list[str] | None,
             restart: str, stop_signal: str | None, stop_timeout: float | None, rm: bool = False,
             mounts: tuple = (), extra: dict | None = None):  # type: ignore[no-untyped-def]
    """RunOptions from the flags; the warnings Docker would print for them go to stderr."""
    from compose.cli import run_flags
    from engine.containers.limits import warnings
    from engine.containers.options import RunOptions

    fields, notes = run_flags.options(extra)
    options = RunOptions(image=image, command=tuple(command or ()), name=name, env=_env(env), user=user,
                         workdir=workdir, entrypoint=None if entrypoint is None else (entrypoint,), memory=memory,
                         cpus=cpus, pids_limit=pids_limit, network=network, runtime=runtime, hostname=hostname,
                         labels=_labels(label), restart=restart, stop_signal=stop_signal, stop_timeout=stop_timeout,
                         auto_remove=rm, mounts=mounts, **fields)
    for note in notes + warnings(options):
        sys.stderr.write(f"WARNING: {note}\n")
    return options


@app.command("run", help="Create and run a new container from an image", context_settings=PASS_THROUGH)
@run_flags.accepts
def run(image: Image, command: Command = None, rm: Annotated[bool, typer.Option(
        "--rm", help="Automatically remove the container when it exits")] = False,
        detach: Annotated[bool, typer.Option("--detach", "-d", help="Run in the background, print its ID")] = False,
        name: Name = None, env: Env = None, user: User = None, workdir: Workdir = None,
        entrypoint: Entrypoint = None, memory: Memory = None, cpus: Cpus = None, pids_limit: Pids = None,
        network: cn.Network = "none", runtime: Runtime = "native", hostname: Hostname = None, label: Labels = None,
        restart: Restart = "no", stop_signal: StopSignal = None, stop_timeout: StopTimeout = None,
        volume: Volumes = None, mount: Mounts = None, tmpfs: Tmpfs = None, ip: cn.Ip = None, ip6: cn.Ip6 = None,
        network_alias: cn.Aliases = None, publish: cn.Publish = None, dns: cn.Dns = None,
        dns_search: cn.DnsSearch = None, dns_option: cn.DnsOption = None, interactive: Interactive = False,
        tty: Tty = False, sig_proxy: SigProxy = True, detach_keys: DetachKeys = None,
        extra: dict | None = None) -> None:
    from compose.cli import interactive as sessions
    from compose.cli import terminal
    from engine.containers.errors import ContainerInvalid
    from engine.state import NoSuchContainer

    if rm and restart not in ("no", ""):
        raise ContainerInvalid("conflicting options: --restart and --rm", hint="a container that is removed "
                               "when it exits cannot be restarted")
    if not detach:
        terminal.check_tty(interactive, tty)
    svc = _service()
    options = _options(image, command, name, env, user, workdir, entrypoint, memory, cpus, pids_limit, network,
                       runtime, hostname, label, restart, stop_signal, stop_timeout, rm, _mounts(volume, mount, tmpfs),
                       extra)
    if rm and detach:  # nobody waits for it here: its supervisor removes it once it has exited
        import dataclasses

        options = dataclasses.replace(options, remove_on_exit=True)
    record = cn.create(_with_terminal(options, interactive, tty, stdin_once=interactive and not detach), ip=ip,
                       ip6=ip6, aliases=network_alias, publish=publish, dns=dns, dns_search=dns_search,
                       dns_option=dns_option)
    code: int | None = 0
    try:
        if detach:
            try:
                svc.start(record.id)
            except NoSuchContainer:  # --rm: it ran, ended and was removed before start looked at it again
                if not rm:
                    raise
            sys.stdout.write(record.id + "\n")
            code = None  # running on: removed by its supervisor (--rm) once it exits, or by hand
            return
        code = sessions.attached(svc, record, stdin=interactive, proxy=sig_proxy, start=True,
                                 detach_keys=detach_keys)
    finally:
        if rm and code is not None:
            cn.remove(record.id, force=True, volumes=True)
    if code is None:
        sessions.detached_notice(record, removing=rm)
    raise typer.Exit(code or 0)


def _with_terminal(options, interactive: bool, tty: bool, stdin_once: bool):  # type: ignore[no-untyped-def]
    """-i and -t on the run options; the pty starts at our terminal's size."""
    import dataclasses

    from compose.cli.terminal import window_size

    return dataclasses.replace(options, tty=tty, open_stdin=interactive, stdin_once=stdin_once,
                               console_size=window_size() if tty else None)


@app.command("create", help="Create a new container", context_settings=PASS_THROUGH)
@run_flags.accepts
def create(image: Image, command: Command = None, name: Name = None, env: Env = None, user: User = None,
           workdir: Workdir = None, entrypoint: Entrypoint = None, memory: Memory = None, cpus: Cpus = None,
           pids_limit: Pids = None, network: cn.Network = "none", runtime: Runtime = "native",
           hostname: Hostname = None, label: Labels = None, restart: Restart = "no", stop_signal: StopSignal = None,
           stop_timeout: StopTimeout = None, volume: Volumes = None, mount: Mounts = None,
           tmpfs: Tmpfs = None, ip: cn.Ip = None, ip6: cn.Ip6 = None, network_alias: cn.Aliases = None,
           publish: cn.Publish = None, dns: cn.Dns = None, dns_search: cn.DnsSearch = None,
           dns_option: cn.DnsOption = None, interactive: Interactive = False, tty: Tty = False,
           extra: dict | None = None) -> None:
    options = _options(image, command, name, env, user, workdir, entrypoint, memory, cpus, pids_limit, network,
                       runtime, hostname, label, restart, stop_signal, stop_timeout,
                       mounts=_mounts(volume, mount, tmpfs), extra=extra)
    record = cn.create(_with_terminal(options, interactive, tty, stdin_once=interactive), ip=ip, ip6=ip6,
                       aliases=network_alias, publish=publish, dns=dns, dns_search=dns_search,
                       dns_option=dns_option)
    sys.stdout.write(record.id + "\n")


Refs = Annotated[list[str], typer.Argument(help="Containers (names or IDs)")]


@app.command("start", help="Start one or more stopped containers")
def start(containers: Refs, attach: Annotated[bool, typer.Option("--attach", "-a", help="Attach STDOUT/STDERR and "
                                                                                     "forward signals")] = False,
          interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Attach container's STDIN")] = False,
          detach_keys: DetachKeys = None) -> None:
    from compose.cli import interactive as sessions
    from compose.cli import terminal
    from engine.containers.errors import ContainerInvalid

    svc = _service()
    if not (attach or interactive):
        for ref in containers:
            svc.start(ref)
            sys.stdout.write(ref + "\n")
        return
    if len(containers) > 1:
        raise ContainerInvalid("you cannot start and attach multiple containers at once")
    record = svc.get(containers[0])
    stdin = interactive and record.config.open_stdin
    terminal.check_tty(stdin, record.config.tty)
    code = sessions.attached(svc, record, stdin=stdin, proxy=not record.config.tty, start=True,
                             detach_keys=detach_keys)
    raise typer.Exit(code or 0)


@app.command("attach", help="Attach local standard input, output, and error streams to a running container")
def attach(container: Annotated[str, typer.Argument(help="Container (name or ID)")],
           no_stdin: Annotated[bool, typer.Option("--no-stdin", help="Do not attach STDIN")] = False,
           sig_proxy: SigProxy = True, detach_keys: DetachKeys = None) -> None:
    from compose.cli.interactive import attach_running

    raise typer.Exit(attach_running(_service(), container, no_stdin=no_stdin, proxy=sig_proxy,
                                    detach_keys=detach_keys))


@app.command("stop", help="Stop one or more running containers")
def stop(containers: Refs, time: Annotated[float | None, typer.Option(
        "--time", "-t", help="Seconds to wait before killing the container")] = None) -> None:
    svc = _service()
    for ref in containers:
        svc.stop(ref, time)
        sys.stdout.write(ref + "\n")


@app.command("kill", help="Kill one or more running containers")
def kill(containers: Refs, signal: Annotated[str, typer.Option("--signal", "-s", help="Signal to send")] = "SIGKILL"
         ) -> None:
    svc = _service()
    for ref in containers:
        svc.kill(ref, signal)
        sys.stdout.write(ref + "\n")


@app.command("rm", help="Remove one or more containers")
def rm(containers: Refs, force: Annotated[bool, typer.Option(
        "--force", "-f", help="Force the removal of a running container (uses SIGKILL)")] = False,
       volumes: Annotated[bool, typer.Option("--volumes", "-v", help="Remove anonymous volumes associated with "
                                                                     "the container")] = False) -> None:
    for ref in containers:
        cn.remove(ref, force=force, volumes=volumes)
        sys.stdout.write(ref + "\n")


def _config_json(svc: ContainerService, record: ContainerRecord) -> dict | None:
    try:
        return json.loads((svc.bundle(record.id) / "config.json").read_text())
    except (OSError, ValueError):
        return None


def _table(rows: list[dict[str, str]], columns: list[tuple[str, str]]) -> str:
    """Docker's tabwriter: each column as wide as its widest cell, three spaces between columns."""
    from compose.cli.tables import tabwriter

    return tabwriter([[title for title, _ in columns]] + [[row[key] for _, key in columns] for row in rows])


LS_COLUMNS = [("CONTAINER ID", "ID"), ("IMAGE", "Image"), ("COMMAND", "Command"), ("CREATED", "RunningFor"),
              ("STATUS", "Status"), ("PORTS", "Ports"), ("NAMES", "Names")]


LS_HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
              "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
              "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS",
              "LocalVolumes": "LOCAL VOLUMES"}


def _ls(all: bool, quiet: bool, format: str | None, no_trunc: bool) -> None:  # noqa: A002
    from compose.cli import formatting
    from compose.cli.container_network import networks
    from compose.cli.network_settings import gathered, ports_text
    from engine.containers import views

    svc = _service()
    records = svc.list(all=all)[::-1]  # newest first, as Docker lists them
    if quiet:
        sys.stdout.write("".join((r.id if no_trunc else r.id[:12]) + "\n" for r in records))
        return
    rows = [views.ls_row(r, views.args_of(r, _config_json(svc, r)), truncate=not no_trunc) for r in records]
    endpoints, _ = gathered(networks())
    for record, row in zip(records, rows, strict=True):
        joined = endpoints.get(record.id, [])
        if joined:
            row["Networks"] = ",".join(e.network for e in joined)
            row["Ports"] = ports_text(p for e in joined for p in e.ports)
    if format == "json":
        sys.stdout.write("".join(json.dumps(row) + "\n" for row in rows))
    elif formatting.is_template(format):
        sys.stdout.write(formatting.render(rows, format, LS_HEADERS))
    else:
        sys.stdout.write(_table(rows, LS_COLUMNS))


All = Annotated[bool, typer.Option("--all", "-a", help="Show all containers (default shows just running)")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only display container IDs")]
Format = Annotated[str | None, typer.Option("--format", help="table (default), json, or a Go template")]
NoTrunc = Annotated[bool, typer.Option("--no-trunc", help="Don't truncate output")]


@app.command("ls", help="List containers")
def ls(all: All = False, quiet: Quiet = False, format: Format = None, no_trunc: NoTrunc = False) -> None:  # noqa: A002
    _ls(all, quiet, format, no_trunc)


@app.command("ps", help="List containers")
def ps(all: All = False, quiet: Quiet = False, format: Format = None, no_trunc: NoTrunc = False) -> None:  # noqa: A002
    _ls(all, quiet, format, no_trunc)


@app.command("logs", help="Fetch the logs of a container")
def logs_(container: Annotated[str, typer.Argument(help="Container (name or ID)")],
          follow: Annotated[bool, typer.Option("--follow", "-f", help="Follow log output")] = False,
          tail: Annotated[str, typer.Option("--tail", "-n", help="Number of lines from the end, or all")] = "all",
          timestamps: Annotated[bool, typer.Option("--timestamps", "-t", help="Show timestamps")] = False,
          since: Annotated[str | None, typer.Option("--since", help="Logs since a timestamp or duration")] = None,
          until: Annotated[str | None, typer.Option("--until", help="Logs before a timestamp or duration")] = None,
          ) -> None:
    from engine import logs
    from engine.containers.errors import ContainerInvalid
    from engine.state.lifecycle import ACTIVE

    if tail != "all" and not tail.lstrip("-").isdigit():
        raise ContainerInvalid(f"invalid value for --tail: {tail!r} (a number, or all)")
    count = None if tail == "all" or int(tail) < 0 else int(tail)
    since_ns = logs.parse_since(since) if since else None
    until_ns = logs.parse_since(until) if until else None
    svc = _service()
    record = svc.get(container)
    path = svc.log_path(record, reading=True)
    if not os.path.exists(path):
        return
    if follow and record.state in ACTIVE:
        import threading

        waiter = threading.Thread(target=svc.wait, args=(record.id,), daemon=True)
        waiter.start()
        entries = logs.follow(path, stopped=lambda: not waiter.is_alive(), tail=count, since=since_ns,
                              until=until_ns)
    else:
        entries = iter(logs.read(path, tail=count, since=since_ns, until=until_ns))
    for entry in entries:
        out = sys.stdout if entry["stream"] == "stdout" else sys.stderr
        out.write(logs.format_entry(entry, timestamps))
        if follow:
            out.flush()


@app.command("inspect", help="Display detailed information on one or more containers")
def inspect(containers: Refs, format: Annotated[str | None, typer.Option(  # noqa: A002
        "--format", "-f", help="json, or a Go template over each container")] = None) -> None:
    from compose.cli import formatting
    from compose.cli.container_network import networks
    from compose.cli.network_settings import gathered, network_settings
    from engine.containers import views

    svc = _service()
    endpoints, nets = gathered(networks())
    out = []
    for ref in containers:
        record = svc.get(ref)
        doc = views.inspect(record, svc.container_pid(record), _config_json(svc, record))
        doc["NetworkSettings"] = network_settings(record, endpoints.get(record.id, []), nets,
                                                  doc["Config"].get("ExposedPorts") or ())
        out.append(doc)
    text, error = formatting.inspect(out, format)
    sys.stdout.write(text)
    if error is not None:
        raise error


@app.command("wait", help="Block until one or more containers stop, then print their exit codes")
def wait(containers: Refs) -> None:
    svc = _service()
    for ref in containers:
        sys.stdout.write(f"{svc.wait(ref)}\n")
        sys.stdout.flush()


Container = Annotated[str, typer.Argument(help="Container (name or ID)")]


@app.command("exec", help="Execute a command in a running container", context_settings=PASS_THROUGH)
def exec_(container: Container, command: Annotated[list[str], typer.Argument(help="The command and its arguments")],
          detach: Annotated[bool, typer.Option("--detach", "-d", help="Run the command in the background")] = False,
          env: Env = None, user: User = None, workdir: Workdir = None, interactive: Interactive = False,
          tty: Tty = False) -> None:
    from compose.cli.interactive import execute
    from engine.containers.exec import ExecOptions

    options = ExecOptions(argv=tuple(command), env=_env(env), user=user, workdir=workdir, detach=detach, tty=tty,
                          interactive=interactive)
    raise typer.Exit(execute(_service(), container, options))


@app.command("pause", help="Pause all processes within one or more containers")
def pause(containers: Refs) -> None:
    svc = _service()
    for ref in containers:
        svc.pause(ref)
        sys.stdout.write(ref + "\n")


@app.command("unpause", help="Unpause all processes within one or more containers")
def unpause(containers: Refs) -> None:
    svc = _service()
    for ref in containers:
        svc.unpause(ref)
        sys.stdout.write(ref + "\n")


@app.command("diff", help="Inspect changes to files or directories on a container's filesystem")
def diff(container: Container) -> None:
    sys.stdout.write("".join(f"{change}\n" for change in _service().diff(container)))


@app.command("commit", help="Create a new image from a container's changes")
def commit(container: Container,
           repository: Annotated[str | None, typer.Argument(help="REPOSITORY[:TAG] for the new image")] = None,
           change: Annotated[list[str] | None, typer.Option(
               "--change", "-c", help="Apply Dockerfile instruction to the created image")] = None,
           message: Annotated[str, typer.Option("--message", "-m", help="Commit message")] = "",
           author: Annotated[str, typer.Option("--author", "-a", help="Author (e.g. \"Jane <jane@example.com>\")")]
           = "",
           pause: Annotated[bool, typer.Option("--pause/--no-pause", "-p", help="Pause the container during commit")]
           = True) -> None:
    from engine.containers.commit import CommitOptions

    image = _service().commit(container, CommitOptions(repo=repository, message=message, author=author,
                                                        changes=tuple(change or ()), pause=pause))
    sys.stdout.write(f"{image.id}\n")


@app.command("top", help="Display the running processes of a container", context_settings=PASS_THROUGH)
def top(container: Container, ps_options: Annotated[list[str] | None, typer.Argument(
        help="ps options (ignored: the columns of `ps -ef` are shown)")] = None) -> None:
    from compose.cli.top_cmd import tabwrite
    from engine.containers import top as engine_top

    svc = _service()
    record = svc.get(container)
    titles, rows = engine_top.listing(record, svc.container_pid(record))
    sys.stdout.write(tabwrite([list(titles), *map(list, rows)], minwidth=20, padding=3))  # docker top's tabwriter


@app.command("stats", help="Display a live stream of container(s) resource usage statistics")
def stats(containers: Annotated[list[str] | None, typer.Argument(help="Containers (default: all running)")] = None,
          all: All = False, no_stream: Annotated[bool, typer.Option(  # noqa: A002
              "--no-stream", help="Disable streaming stats and only pull the first result")] = False,
          format: Format = None, no_trunc: NoTrunc = False) -> None:  # noqa: A002
    svc = _service()
    refs = containers or [r.name for r in sorted(svc.list(all=all), key=lambda r: r.name)]
    try:
        stats_of(svc, refs, stream=not no_stream, fmt=format, truncate=not no_trunc, named=bool(containers))
    except KeyboardInterrupt:  # Ctrl-C ends the stream, as Docker's
        raise typer.Exit(0) from None


STATS_INTERVAL = 1.0  # between two readings, as Docker's daemon samples
FIRST_READING = 0.5   # the CPU % of `--no-stream` needs two readings: this far apart


def stats_of(svc: ContainerService, refs: list[str], *, stream: bool, fmt: str | None, truncate: bool,
             named: bool = True) -> None:
    """Readings of the containers `refs`, printed each second (after clearing the screen, as Docker) or once;
    `named`: the user named them (the NAME column shows the name given), as compose's `stats` does too."""
    import time

    from compose.cli.top_cmd import tabwrite
    from engine.containers import stats as engine_stats
    from engine.containers import views

    def targets() -> list[tuple[ContainerRecord, str | None]]:
        return [(svc.get(ref), ref if named else None) for ref in refs]

    def reading(record: ContainerRecord) -> engine_stats.Sample:
        return engine_stats.sample(record, svc.container_pid(record))

    before = {record.id: reading(record) for record, _ in targets()}
    time.sleep(FIRST_READING)
    while True:
        rows = []
        for record, ref in targets():
            now = reading(record)
            cpu = engine_stats.cpu_percent(before.get(record.id, now), now)
            before[record.id] = now
            rows.append(views.stats_row(record, now, cpu, ref, truncate))
        if fmt == "json":
            text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
        else:
            lines = [[title for title, _ in views.STATS_COLUMNS]]
            lines += [[row[key] for _, key in views.STATS_COLUMNS] for row in rows]
            text = tabwrite(lines, minwidth=10, padding=3)
        sys.stdout.write(text if not stream else "\033[2J\033[H" + text)
        sys.stdout.flush()
        if not stream:
            return
        time.sleep(STATS_INTERVAL)


@app.command("cp", help="Copy files/folders between a container and the local filesystem")
def cp(src: Annotated[str, typer.Argument(help="CONTAINER:SRC_PATH, a host path, or - (a tar stream on stdin)")],
       dest: Annotated[str, typer.Argument(help="CONTAINER:DEST_PATH, a host path, or - (a tar stream on stdout)")],
       archive: Annotated[bool, typer.Option("--archive", "-a", help="Archive mode (copy all uid/gid "
                                                                     "information)")] = False,
       follow_link: Annotated[bool, typer.Option("--follow-link", "-L", help="Always follow symbol link in "
                                                                            "SRC_PATH")] = False,
       quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Suppress progress output")] = False) -> None:
    from engine.containers import copy
    from pycompose.units import human_size

    copied = copy.copy(_service(), src, dest, archive=archive, follow=follow_link, stdin=sys.stdin.buffer,
                       stdout=sys.stdout.buffer)
    if dest != "-" and not quiet:
        sys.stderr.write(f"Successfully copied {human_size(copied)} to {dest}\n")


@app.command("export", help="Export a container's filesystem as a tar archive")
def export(container: Container, output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write to a file, instead of STDOUT")] = None) -> None:
    from compose.cli.exporting import write_export

    write_export(_service(), container, output)

"""`pycompose up`: load the project, observe what runs, plan, and execute the plan; then, attached
(without `-d`), print the merged logs of the services' containers until they end or Ctrl-C stops them.

Progress goes to stderr as Docker Compose prints it (` ✔ Container demo-web-1  Started`);
`--dry-run` prints the plan (`DRY-RUN MODE - Container demo-web-1  Creating`) and changes nothing.

Attached, as Compose: `Attaching to demo-api-1, demo-web-1`, then `demo-web-1  | <line>` (the logs
of compose.reconcile.follow), `demo-job-1 exited with code 0` when a container ends; `up` returns
when every attached container has ended on its own. The first Ctrl-C (or SIGTERM) stops the services
(`Gracefully stopping... (press Ctrl+C again to force)`, then down's stop actions, dependents first)
and exits 0; a second kills them (exit 130). `--abort-on-container-exit` stops everything when a
container ends and exits with its code; `--exit-code-from web` with web's. `--wait` is detached,
returning once every container is running, healthy if it has a healthcheck, or completed with 0.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.state import GlobalOptions, switch, warn

if TYPE_CHECKING:
    from compose.load.loader import Loaded
    from compose.model import Project
    from compose.plan.structure import Plan
    from compose.reconcile.follow import Printer
    from compose.reconcile.world import World
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


def progress(line: str) -> None:
    from compose.cli import output

    output.progress(line)


def open_project(ctx: typer.Context, *, by_name: bool = False) -> tuple[Loaded, Project, World]:
    """The loaded project, its model, and the engine and netplan of this process's roots (also for ps, down).

    `by_name`: the command can act on a project given by name only (`-p demo down` with no compose file
    found): its model is then made from its containers' and networks' labels (compose.reconcile.labelled).
    """
    import os

    from compose.errors import NoConfigFile
    from compose.load import load
    from compose.reconcile.world import World
    from engine.roots import roots

    options: GlobalOptions = ctx.obj
    try:
        loaded = load(options.project_options())
    except NoConfigFile:
        name = options.project_name or os.environ.get("COMPOSE_PROJECT_NAME")
        if not (by_name and name and not options.files):
            raise
        from compose.load.discover import check_project_name
        from compose.reconcile.labelled import loaded_from_labels

        world = World.from_roots(roots())
        loaded = loaded_from_labels(world, check_project_name(name, "-p"))
        return loaded, loaded.model(), world
    for text in loaded.warnings:
        warn(text)
    return loaded, loaded.model(), World.from_roots(roots())


Timeout = Annotated[float | None, typer.Option("--timeout", "-t", help="Seconds to wait for a container to stop "
                                                                       "before killing it")]


@app.command("up", help="Create and start containers")
def up(  # noqa: C901, PLR0913 - Compose's flags, checked against each other
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services to start (and what they need)")] = None,
    detach: Annotated[bool, typer.Option("--detach", "-d", help="Detached mode: run containers in the background")]
    = False,
    force_recreate: Annotated[bool, typer.Option("--force-recreate", help="Recreate containers even if their "
                                                                          "configuration hasn't changed")] = False,
    no_recreate: Annotated[bool, typer.Option("--no-recreate", help="Don't recreate existing containers")] = False,
    no_deps: Annotated[bool, typer.Option("--no-deps", help="Don't start linked services")] = False,
    no_start: Annotated[bool, typer.Option("--no-start", help="Don't start the services after creating them")]
    = False,
    remove_orphans: Annotated[bool, typer.Option("--remove-orphans", help="Remove containers for services not "
                                                                          "defined in the Compose file")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")] = False,
    timeout: Timeout = None,
    abort_on_container_exit: Annotated[bool, typer.Option(
        "--abort-on-container-exit", help="Stops all containers if any container was stopped. "
                                          "Incompatible with -d")] = False,
    abort_on_container_failure: Annotated[bool, typer.Option(
        "--abort-on-container-failure", help="Stops all containers if any container exited with failure. "
                                             "Incompatible with -d")] = False,
    exit_code_from: Annotated[str | None, typer.Option(
        "--exit-code-from", metavar="SERVICE", help="Return the exit code of the selected service container. "
                                                    "Implies --abort-on-container-exit")] = None,
    attach: Annotated[list[str] | None, typer.Option(
        "--attach", metavar="SERVICE", help="Restrict attaching to the specified services")] = None,
    no_attach: Annotated[list[str] | None, typer.Option(
        "--no-attach", metavar="SERVICE", help="Do not attach (stream logs) to the specified services")] = None,
    attach_dependencies: Annotated[bool, typer.Option(
        "--attach-dependencies", help="Automatically attach to log output of dependent services")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Produce monochrome output")] = False,
    no_log_prefix: Annotated[bool, typer.Option("--no-log-prefix", help="Don't print prefix in logs")] = False,
    timestamps: Annotated[bool, typer.Option("--timestamps", help="Show timestamps")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for services to be running|healthy. "
                                                      "Implies detached mode.")] = False,
    wait_timeout: Annotated[float | None, typer.Option(
        "--wait-timeout", help="Maximum duration in seconds to wait for the project to be running|healthy")] = None,
    build: Annotated[bool, typer.Option("--build", help="Build images before starting containers")] = False,
    no_build: Annotated[bool, typer.Option("--no-build", help="Don't build an image, even if it's missing")]
    = False,
    scale: Annotated[list[str] | None, typer.Option(
        "--scale", metavar="SERVICE=NUM", help="Scale SERVICE to NUM instances. Overrides the `scale` setting in "
                                               "the Compose file if present.")] = None,
    pull: Annotated[str | None, typer.Option(
        "--pull", help='Pull image before running ("always"|"missing"|"never"|"build")')] = None,
    always_recreate_deps: Annotated[bool, typer.Option(
        "--always-recreate-deps", help="Recreate dependent containers. Incompatible with --no-recreate.")] = False,
    quiet_pull: Annotated[bool, typer.Option("--quiet-pull", help="Pull without printing progress information")]
    = False,
) -> None:
    from compose.errors import ProjectError
    from compose.plan import UpOptions, plan
    from compose.reconcile.errors import NotSupportedYet
    from compose.reconcile.execute import execute
    from compose.reconcile.observe import observe

    if force_recreate and no_recreate:
        raise NotSupportedYet("--force-recreate and --no-recreate are incompatible")
    if always_recreate_deps and no_recreate:
        raise ProjectError("--always-recreate-deps and --no-recreate are incompatible")
    if pull not in (None, "always", "missing", "never", "build"):
        raise ProjectError(f"invalid --pull option {pull!r}", hint='use "always", "missing", "never" or "build"')
    if build and no_build:
        raise ProjectError("--build and --no-build are incompatible")
    if exit_code_from and not abort_on_container_failure:
        abort_on_container_exit = True
    if wait and (attach_dependencies or abort_on_container_exit or attach):
        raise ProjectError("--wait cannot be combined with --abort-on-container-exit, --attach or "
                           "--attach-dependencies")
    detach = detach or wait
    if detach and (attach_dependencies or abort_on_container_exit or abort_on_container_failure or attach):
        raise ProjectError("--detach cannot be combined with --abort-on-container-exit, "
                           "--abort-on-container-failure, --attach or --attach-dependencies")
    loaded, project, world = open_project(ctx)
    for name in [exit_code_from, *(attach or ()), *(no_attach or ())]:
        if name:
            project.service(name)  # ServiceNotFound names the services there are
    observed = observe(project, world)
    options = UpOptions(services=tuple(services or ()), no_deps=no_deps, force_recreate=force_recreate,
                        always_recreate_deps=always_recreate_deps, no_recreate=no_recreate, no_start=no_start,
                        remove_orphans=remove_orphans or switch("COMPOSE_REMOVE_ORPHANS"),
                        ignore_orphans=switch("COMPOSE_IGNORE_ORPHANS"), scale=scales(scale), pull=pull,
                        timeout=timeout,
                        config_files=loaded.files, disabled_services=loaded.disabled_services, build=build)
    the_plan = plan(project, observed, options)
    if no_build:
        from compose.plan import actions as A

        for action in the_plan.actions:
            if isinstance(action, A.BuildImage):
                raise ProjectError(f"service {action.service}: image {action.image} must be built, and --no-build "
                                   "was given", hint="build it first (pycompose build), or drop --no-build")
    if dry_run:
        sys.stdout.write("".join(line + "\n" for line in the_plan.describe()))
        return
    from compose.plan import actions as A
    from compose.reconcile import dns
    from compose.reconcile.execute import execute_images

    if execute_images(the_plan, project, world, progress=(lambda _: None) if quiet_pull else progress, warn=warn):
        # Pulled: plan again, so that new containers carry the digests of the images now here.
        observed = observe(project, world)
        the_plan = plan(project, observed, dataclasses.replace(options, pull="never", build=False))
    began = time.time_ns()  # attached: the lines written from now on are shown
    if any(isinstance(a, (A.CreateContainer, A.RecreateContainer)) for a in the_plan.actions):
        dns.ensure(world)
    else:
        dns.connect(world)
    try:
        execute(the_plan, project, world, progress=progress, warn=warn)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    finally:
        dns.stop_if_idle(world)
    touched = {getattr(a, "name", None) for a in the_plan.actions}
    width = max((len(f"Container {c.name}") for c in observed.containers), default=0)
    for c in sorted(observed.containers, key=lambda c: c.name):
        if c.running and c.name not in touched and not c.oneoff and c.service in project.services:
            progress(f" ✔ {f'Container {c.name}'.ljust(width)}  Running")
    if no_start or (detach and not wait):
        return
    from compose import graph as G

    chosen = G.select(G.service_graph(project), services or (), with_dependencies=not no_deps)
    scope = tuple(n for n in project.services if n in chosen)
    if wait:
        _wait(project, world, scope, wait_timeout)
        return
    if attach:
        attached = list(attach)
    else:
        named = set(services or ()) if services and not attach_dependencies else set(scope)
        attached = [n for n in scope if n in named and n not in (no_attach or ())]
    if exit_code_from and exit_code_from not in attached:
        attached.append(exit_code_from)
    from compose.cli import output
    from compose.reconcile.follow import Printer

    printer = Printer(sys.stdout, sys.stderr, color=output.colour(sys.stdout, no_color), prefix=not no_log_prefix,
                      timestamps=timestamps)
    session = _Attached(project, world, scope, attached, printer, since=began, timeout=timeout,
                        abort=abort_on_container_exit, abort_on_failure=abort_on_container_failure,
                        exit_code_from=exit_code_from)
    code = session.run()
    if code:
        raise typer.Exit(code)


def scales(given: list[str] | None) -> dict[str, int]:
    """`--scale web=3 --scale api=0` as {service: replicas}; the services are checked by the planner."""
    from compose.errors import ProjectError

    out: dict[str, int] = {}
    for item in given or ():
        name, sep, number = item.partition("=")
        if not sep or not name or not number.isdigit():
            raise ProjectError(f"invalid --scale option {item!r}. Should be SERVICE=NUM")
        out[name] = int(number)
    return out


def _wait(project: Project, world: World, scope: tuple[str, ...], timeout: float | None) -> None:
    """`up --wait`: ` ✔ Container demo-web-1  Healthy` for each container as it gets ready."""
    from compose.reconcile import waits
    from compose.reconcile.follow import picker

    width = max((len(f"Container {r.name}") for r in picker(world, project.name, scope)()), default=0)
    waits.wait_ready(world, project.name, scope, waits.DEFAULT_TIMEOUT if timeout is None else timeout,
                     progress=lambda record, word: progress(f" ✔ {f'Container {record.name}'.ljust(width)}  {word}"))


def stop_plan(project: Project, world: World, scope: tuple[str, ...], timeout: float | None) -> Plan:
    """The stop actions `down` would take (dependents first) for the services of `scope`, one-off containers
    left alone: what attached `up` does on Ctrl-C or an abort."""
    from compose.plan import actions as A
    from compose.plan import plan_down
    from compose.plan.structure import Plan
    from compose.reconcile.observe import observe

    observed = observe(project, world)
    ours = {c.id for c in observed.containers if c.service in scope and not c.oneoff}
    full = plan_down(project, observed, timeout=timeout)
    return Plan.of((stage.name, [(step.subject, [a for a in step.actions
                                                 if isinstance(a, A.StopContainer) and a.id in ours])
                                 for step in stage.steps])
                   for stage in full.stages)


class _Attached:
    """Attached `up` after the plan ran: print the logs, report exits, stop the stack when told (see the module)."""

    GRACE = 3.0  # seconds to read the last lines and exit codes once the stack is stopped

    def __init__(self, project: Project, world: World, scope: tuple[str, ...], attached: list[str],
                 printer: Printer, *, since: int, timeout: float | None, abort: bool, abort_on_failure: bool,
                 exit_code_from: str | None):
        from compose.reconcile.follow import Follower, Window, picker

        self.project, self.world, self.scope, self.timeout = project, world, scope, timeout
        self.abort, self.abort_on_failure, self.exit_code_from = abort, abort_on_failure, exit_code_from
        self.printer = printer
        self.follower = Follower(world.containers, picker(world, project.name, attached or scope), printer,
                                 Window(since=since), exits=True)
        self.stopper: threading.Thread | None = None
        self.stop_error: BaseException | None = None
        self.first_code: int | None = None    # of the container whose exit aborted the stack
        self.code_from: int | None = None     # of --exit-code-from's container
        self.killed = False

    def run(self) -> int:
        from compose.cli.logs_cmd import Interrupts

        names = sorted(r.name for r in self.follower.pick())
        sys.stdout.write(f"Attaching to {', '.join(names)}\n")
        sys.stdout.flush()
        stopped_at: float | None = None
        with Interrupts() as interrupts:
            self.follower.start(follow=True)
            while True:
                for record, code in self.follower.pump(0.1):
                    self._exited(record, code)
                if interrupts.count and self.stopper is None:
                    progress("Gracefully stopping... (press Ctrl+C again to force)")
                    self._stop()
                if interrupts.count > 1 and not self.killed:
                    self._kill()
                if self.stopper is None:
                    if not self.follower.busy():
                        break  # every attached container has ended on its own
                elif not self.stopper.is_alive():
                    stopped_at = stopped_at or time.monotonic()
                    if not self.follower.busy() or time.monotonic() - stopped_at > self.GRACE:
                        break
        self.follower.close()
        if self.stop_error is not None:
            raise self.stop_error
        if self.killed:
            return 130
        if self.exit_code_from:
            return self.code_from or 0
        return self.first_code or 0

    def _exited(self, record: ContainerRecord, code: int) -> None:
        from compose.plan import labels as L

        service = record.labels.get(L.SERVICE)
        if self.stopper is None:
            self.printer.status(record.name, f"exited with code {code}")
            self.printer.flush()
        if service == self.exit_code_from and self.code_from is None:
            self.code_from = code
        if self.stopper is None and (self.abort or (self.abort_on_failure and code)):
            self.first_code = code
            sys.stdout.write("Aborting on container exit...\n")
            sys.stdout.flush()
            self._stop()

    def _stop(self) -> None:
        """Stop the services in the background (the logs go on meanwhile, and a second Ctrl-C can kill)."""
        from compose.reconcile.execute import execute

        def stop() -> None:
            try:
                execute(stop_plan(self.project, self.world, self.scope, self.timeout), self.project, self.world,
                        progress=progress, warn=warn)
            except BaseException as error:  # noqa: BLE001 - raised by run()
                self.stop_error = error

        self.stopper = threading.Thread(target=stop, name="stop", daemon=True)
        self.stopper.start()

    def _kill(self) -> None:
        from compose.reconcile.follow import picker
        from engine.state.lifecycle import ACTIVE
        from pycompose.errors import PycomposeError

        self.killed = True
        for record in picker(self.world, self.project.name, self.scope)():
            if record.state in ACTIVE:
                try:
                    self.world.containers.kill(record.id, "SIGKILL")
                except PycomposeError:
                    continue

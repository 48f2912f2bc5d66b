"""`pycompose watch`: bring the services up, then follow their `develop.watch` rules until Ctrl-C.

Docker Compose's command (v2.40): `watch [SERVICE...] [--no-up] [--prune] [--quiet]`. Changes are gathered
until the files are quiet for a moment, then each service gets what its rules ask (compose.reconcile.watch):
its image rebuilt and its containers recreated (`up --build --no-deps` of that service); or the changed files
copied into its running containers (missing parent directories made) and the removed ones removed there,
then a restart or the rules' `exec` commands. Each is said on stderr. `initial_sync` rules copy their whole
tree once at the start. Ctrl-C or SIGTERM ends it with status 0; the services keep running.
"""

from __future__ import annotations

import io
import signal
import sys
import tarfile
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from compose.reconcile.watch import Rule, Work
    from compose.reconcile.world import World
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

POLL = 0.25   # seconds between looks at the files
QUIET = 0.5   # seconds without a new change before the gathered changes are acted on


@app.command("watch", help="Watch build context for service and rebuild/refresh containers when files are updated")
def watch(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services to watch")] = None,
    no_up: Annotated[bool, typer.Option("--no-up", help="Do not build & start services before watching")] = False,
    prune: Annotated[bool, typer.Option("--prune/--no-prune", help="Prune dangling images on rebuild")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", help="hide build output")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be done, and do nothing")] = False,
) -> None:
    from compose.cli.up_cmd import open_project, up
    from compose.errors import ProjectError
    from compose.reconcile import watch as W

    loaded, project, world = open_project(ctx)
    for name in services or ():
        project.service(name)  # ServiceNotFound names the services there are
    rules = W.rules_of(loaded.data, services or list(project.services))
    if not rules:
        raise ProjectError("none of the selected services is configured for watch, consider setting a 'develop' "
                           "section")
    for rule in rules:
        if rule.action == "rebuild" and project.services[rule.service].build is None:
            raise ProjectError(f"service {rule.service!r}: `rebuild` needs a `build` section to rebuild from")
    if dry_run:
        sys.stdout.write("".join(f"DRY-RUN MODE - Watch {r.service}  {r.action} {r.path}\n" for r in rules))
        return
    if not no_up:
        up(ctx, services, detach=True, build=True, quiet_pull=quiet)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    session = _Session(ctx, world, project.name, rules, prune=prune, quiet=quiet)
    session.initial_sync()
    _say("Watch enabled")
    session.run(stopping)


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


class _Session:
    """The rules of one `watch`, the last look at their files, and acting on what changed."""

    def __init__(self, ctx: typer.Context, world: World, project: str, rules: list[Rule], *, prune: bool,
                 quiet: bool):
        from compose.reconcile import watch as W

        self.ctx, self.world, self.project, self.rules = ctx, world, project, rules
        self.prune, self.quiet = prune, quiet
        self.seen = W.scan(rules)

    def initial_sync(self) -> None:
        from compose.reconcile import watch as W

        first = [r for r in self.rules if r.initial_sync and r.action in W.SYNCS]
        if first:
            for service, work in W.plan(first, W.scan(first)).items():
                work.restart, work.commands = False, []
                self.sync(service, work)

    def run(self, stopping: threading.Event) -> None:
        from compose.reconcile import watch as W

        pending: set[str] = set()
        last_change = 0.0
        while not stopping.wait(POLL):
            now_seen = W.scan(self.rules)
            changed = W.differences(self.seen, now_seen)
            self.seen = now_seen
            if changed:
                pending |= changed
                last_change = time.monotonic()
            elif pending and time.monotonic() - last_change >= QUIET:
                self.act(W.plan(self.rules, pending))
                pending.clear()

    def act(self, plan: dict[str, Work]) -> None:
        from pycompose.errors import PycomposeError

        for service, work in plan.items():
            try:
                if work.rebuild:
                    self.rebuild(service)
                    continue
                self.sync(service, work)
            except PycomposeError as err:  # said, and the watch goes on (as Compose's)
                _say(f"Error: service {service!r}: {err.message}")

    def containers(self, service: str) -> list[ContainerRecord]:
        from compose.plan import labels as L
        from compose.reconcile.observe import project_records

        return [r for r in project_records(self.world, self.project)
                if r.labels.get(L.SERVICE) == service and r.state == "running"
                and r.labels.get(L.ONEOFF, "False") != "True"]

    def rebuild(self, service: str) -> None:
        from compose.cli.up_cmd import up

        _say(f'Rebuilding service(s) ["{service}"] after changes were detected...')
        before = {r.config.launch.get("image_id") for r in self.containers(service)}
        up(self.ctx, [service], detach=True, build=True, no_deps=True, quiet_pull=self.quiet)
        if self.prune:
            self.prune_replaced(before - {None})
        _say(f'service(s) ["{service}"] successfully built')

    def prune_replaced(self, image_ids: set[str]) -> None:
        """The images the rebuild replaced, once nothing names or uses them (`--prune`)."""
        from compose.cli.image_cmd import used_image_ids
        from engine.images.errors import ImageNotFound

        images = self.world.images
        used = used_image_ids(images)
        for image_id in image_ids - used:
            try:
                if not images.get(image_id).names:
                    images.remove(image_id)
            except ImageNotFound:
                continue

    def sync(self, service: str, work: Work) -> None:
        from engine.containers import copy
        from engine.containers.exec import ExecOptions

        records = self.containers(service)
        if work.copies or work.removals:
            _say(f'Syncing service "{service}" after {work.changes} changes were detected')
        for record in records:
            if work.copies:
                copy.copy(self.world.containers, "-", f"{record.id}:/", stdin=io.BytesIO(_tar(work.copies)))
            if work.removals:
                self.world.containers.exec(record.id, ExecOptions(argv=("rm", "-rf", *sorted(work.removals)),
                                                                  quiet=True))
            if work.restart:
                _say(f'Restarting service "{service}" after changes were detected')
                self.world.containers.stop(record.id)
                self.world.containers.start(record.id)
            for rule in work.commands:
                self.world.containers.exec(record.id, ExecOptions(
                    argv=rule.exec_command, user=rule.exec_user, workdir=rule.exec_workdir, env=rule.exec_env,
                    privileged=rule.exec_privileged, quiet=True))


def _tar(copies: dict[str, str]) -> bytes:
    """The files to copy as a tar rooted at the container's `/` (parent directories are made on extraction)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for host, target in sorted(copies.items()):
            try:
                tar.add(host, arcname=target.lstrip("/"), recursive=False)
            except OSError:
                continue  # gone again since the look: the next look says so
    return out.getvalue()

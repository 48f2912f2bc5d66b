"""`execute`: run a plan against the engine and netplan, as Docker Compose's convergence does.

Stages run one after another; the steps of a stage run in parallel (threads: the work is
waiting on the kernel, the supervisor and locks); a step's actions run in order. The services'
stages (one per generation of the dependency graph) run as one: a service's step starts as soon
as the steps it depends on (or, for `down`, its dependents') are done, not when the whole
previous generation is. A step that fails unwinds what it created (the containers and networks
it made, newest first) and its subject is recorded with its error; the steps related to it do
not run, the others finish, then `ReconcileFailed` names every failure and no later stage runs.

Progress is reported as Docker Compose prints it when done: ` ✔ Container demo-web-1  Started`
(` ✘ ... Error` for a failure), the names padded so that the states line up.

    execute(plan, project, World.from_roots(roots()), progress=print, warn=warn)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from compose.model import Project
from compose.plan import actions as A
from compose.plan.structure import Plan, Stage, Step
from compose.reconcile import runs, waits
from compose.reconcile.errors import DependencyFailed, NotSupportedYet, ReconcileFailed
from compose.reconcile.parallel import capped, each
from compose.reconcile.world import World

MAX_STEPS = 32     # services' steps at once: most of their time is waiting on a dependency's health
MAX_REMOVALS = 8   # containers taken apart at once: that is work for the CPU and the kernel (with two cores,
                   # thirty at once spent their time handing the GIL to one another, and starved the stops
                   # that `down` waits on in order; two at once were slower, four and eight alike); their
                   # stops, unmounts and the kernel's removal of their veths are not held (runs.unmake)
SERVICES = "services"  # the planner's stage name for one generation of services
MTU_OPTION = "com.docker.network.driver.mtu"


def _quiet(line: str) -> None:
    pass


@dataclass
class _Run:
    """What one `execute` shares between its steps: the world, output and a lock."""

    plan: Plan
    project: Project
    world: World
    progress: Callable[[str], None]
    warn: Callable[[str], None]
    wait_timeout: float
    width: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    removals: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(capped(MAX_REMOVALS)))

    def say(self, subject: str, word: str, ok: bool = True) -> None:
        with self.lock:
            self.progress(f" {'✔' if ok else '✘'} {subject.ljust(self.width)}  {word}")


def subject_of(action: A.Action) -> str:
    """`Container demo-web-1` of `Container demo-web-1  Creating`."""
    return action.describe().rsplit("  ", 1)[0]


def _subjects(action: A.Action) -> list[str]:
    """What progress lines name for `action` (one per orphan; none for a warning)."""
    if isinstance(action, A.RemoveOrphans):
        return [f"Container {name}" for _, name in action.containers]
    return [] if isinstance(action, A.WarnOrphans) else [subject_of(action)]


def unsupported(plan: Plan, project: Project) -> None:
    """Refuse, before anything runs, a plan that needs what is not there: a service about to get a container with
    an attribute that cannot work here (compose.reconcile.host_config)."""
    from compose.reconcile import host_config

    host_config.refuse(project, {a.service for a in plan.actions
                                 if isinstance(a, A.CreateContainer | A.RecreateContainer)})


def execute(plan: Plan, project: Project, world: World, *, progress: Callable[[str], None] = _quiet,
            warn: Callable[[str], None] = _quiet, wait_timeout: float = waits.DEFAULT_TIMEOUT) -> None:
    unsupported(plan, project)
    runs.check_ports(world, project, plan.actions)   # a host port in use fails the plan before anything is made
    run = _Run(plan, project, world, progress, warn, wait_timeout)
    run.width = max((len(s) for a in plan.actions for s in _subjects(a)), default=0)
    for text in plan.warnings:
        warn(text)
    stages = list(plan.stages)
    while stages:
        if stages[0].name == SERVICES:
            generations = []
            while stages and stages[0].name == SERVICES:
                generations.append(stages.pop(0))
            failures = _run_services(run, generations)
        else:
            failures = _run_stage(run, stages.pop(0))
        if failures:
            raise ReconcileFailed(failures)


Events = queue.SimpleQueue[tuple[str, bool, BaseException | None]]  # subject, ended (else released), error


def _work(run: _Run, step: Step, events: Events) -> None:
    """A services' step in a worker thread, telling the scheduler when it releases its related steps and ends."""
    try:
        _step(run, step, released=lambda: events.put((step.subject, False, None)))
    except BaseException as error:  # noqa: BLE001 - handed to the scheduler, which keeps it by subject
        events.put((step.subject, True, error))
    else:
        events.put((step.subject, True, None))


def _run_stage(run: _Run, stage: Stage) -> dict[str, BaseException]:
    """The steps of one stage in parallel; the failures by subject."""
    return each(stage.steps, lambda step: _step(run, step), key=lambda step: step.subject)


def _ordered(project: Project, generations: list[Stage]) -> tuple[dict[str, Step], dict[str, set[str]]]:
    """The steps by subject, and for each the subjects of earlier generations related to it."""
    import networkx as nx

    from compose import graph as G

    graph = G.service_graph(project)
    after: dict[str, set[str]] = {}
    steps: dict[str, Step] = {}
    earlier: set[str] = set()
    for stage in generations:
        for step in stage.steps:
            related = nx.ancestors(graph, step.subject) | nx.descendants(graph, step.subject) \
                if step.subject in graph else set()
            after[step.subject] = related & earlier
            steps[step.subject] = step
        earlier |= set(stage.subjects)
    return steps, after


def _run_services(run: _Run, generations: list[Stage]) -> dict[str, BaseException]:
    """The services' steps, generation order kept only where it matters: a step starts as soon as the steps
    of earlier generations that it is related to (a dependency or a dependent, at any distance) have done
    what it waits for (their removals may go on meanwhile: `_step`), not when the whole previous generation
    is done. A step whose related step failed fails without running."""
    steps, after = _ordered(run.project, generations)
    waiting = {subject: set(needs) for subject, needs in after.items()}
    failures: dict[str, BaseException] = {}
    events: Events = queue.SimpleQueue()
    released: set[str] = set()

    def release(subject: str) -> None:
        if subject not in released:
            released.add(subject)
            for needs in waiting.values():
                needs.discard(subject)

    running = 0
    with ThreadPoolExecutor(max_workers=min(capped(MAX_STEPS), len(steps))) as pool:
        while steps or running:
            for subject in [s for s in steps if not waiting[s]]:
                step = steps.pop(subject)
                failed = sorted(after[subject] & failures.keys())
                if failed:
                    failures[subject] = DependencyFailed(f"not started: {', '.join(failed)} failed")
                    release(subject)
                else:
                    pool.submit(_work, run, step, events)
                    running += 1
            if not running:
                continue
            subject, ended, error = events.get()
            if ended:
                running -= 1
            if error is not None:
                failures[subject] = error
            release(subject)
    return failures


def execute_images(plan: Plan, project: Project, world: World, *, progress: Callable[[str], None] = _quiet,
                   warn: Callable[[str], None] = _quiet) -> bool:
    """Run only the plan's `images` stage (pulls); True when there was one. The caller then observes and
    plans again, so that labels carry the digests of the images just pulled (compose.plan.planner)."""
    images = Plan(tuple(stage for stage in plan.stages if stage.name == "images"))
    if not images.stages:
        return False
    unsupported(plan, project)  # before a pull: nothing is made for a plan that cannot run
    execute(images, project, world, progress=progress, warn=warn)
    return True


def _pull(run: _Run, action: A.PullImage) -> None:
    """Pull the image for its services, on the first service's platform; one line per service, as Compose."""
    from engine.images.pull import pull_image
    from engine.registry import RegistryClient

    service = run.project.services[action.services[0]]
    for name in action.services:
        with run.lock:
            run.progress(f" {name} Pulling")
    try:
        with RegistryClient() as client:
            pull_image(run.world.images, client, action.image, platform=service.platform)
    except Exception:
        if not action.build_fallback:
            raise
        for name in action.services:  # Compose: a service that has `build` builds what it could not pull
            if run.project.services[name].build is not None:
                _build(run, A.BuildImage(action.image, name))
                return
        raise
    for name in action.services:
        with run.lock:
            run.progress(f" ✔ {name} Pulled")


def _build(run: _Run, action: A.BuildImage) -> None:
    """Build the service's image (its steps' output as progress lines), then ` ✔ Image demo-web  Built`."""
    from compose.reconcile.builds import build_service

    def say(line: str) -> None:
        with run.lock:
            run.progress(line)

    build_service(run.world, run.project, action.service, say=say)
    run.say(subject_of(action), "Built")


def _step(run: _Run, step: Step, released: Callable[[], None] = lambda: None) -> None:
    """The step's actions in order; `released()` once what related steps wait for is done: all of them, but
    for the removals that end a step (a container once stopped holds back nobody; `down` removes it while
    the services it depended on stop)."""
    made: list[Callable[[], Any]] = []
    current: A.Action | None = None
    tail = len(step.actions)
    while tail and isinstance(step.actions[tail - 1], A.RemoveContainer):
        tail -= 1
    try:
        for index, current in enumerate(step.actions):
            if index == tail:
                released()
            _act(run, current, made)
    except BaseException:
        for undo in reversed(made):
            try:
                undo()
            except Exception:  # noqa: BLE001, S112 - the first failure is the one to report
                continue
        if current is not None and not isinstance(current, A.WaitDependency):
            run.say(subject_of(current), "Error", ok=False)
        raise


def _network_options(run: _Run, action: A.CreateNetwork) -> Any:
    from netplan.ipam import SubnetRequest
    from netplan.service import NetworkOptions

    net = run.project.networks[action.key]
    if net.driver not in (None, "bridge"):
        raise NotSupportedYet(f"network {action.name}: driver {net.driver!r} is not supported",
                              hint="pycompose makes bridge networks")
    mtu = net.driver_opts.get(MTU_OPTION)
    return NetworkOptions(subnets=tuple(SubnetRequest(p.subnet, p.ip_range, p.gateway, dict(p.aux_addresses))
                                        for p in net.ipam.config),
                          enable_ipv6=bool(net.enable_ipv6), internal=net.internal,
                          mtu=int(mtu) if mtu else None, labels=dict(action.labels), options=dict(net.driver_opts))


def _make(run: _Run, action: A.CreateContainer | A.RecreateContainer, made: list[Callable[[], Any]],
          anonymous: dict[str, str] | None = None) -> None:
    from compose.reconcile import host_config

    service = run.project.services[action.service]
    record = runs.make(run.world, run.project, service, action.name, action.image, action.labels,
                       anonymous=anonymous or {})
    made.append(lambda: runs.unmake(run.world, record.id, 0))
    for note in host_config.warnings(service):
        run.warn(note)


def _pre_stop(run: _Run, service: str, container: str) -> None:
    from compose.reconcile import hooks

    if service in run.project.services:
        hooks.pre_stop(run.world, run.project.services[service], container)


def _act(run: _Run, action: A.Action, made: list[Callable[[], Any]]) -> None:  # noqa: C901 - one branch per kind
    world, subject = run.world, subject_of(action)
    if isinstance(action, A.CreateNetwork):
        world.networks.create_network(action.name, _network_options(run, action))
        made.append(lambda: world.networks.remove_network(action.name))
        run.say(subject, "Created")
    elif isinstance(action, A.RemoveNetwork):
        world.networks.remove_network(action.name)
        run.say(subject, "Removed")
    elif isinstance(action, A.CreateVolume):
        vol = run.project.volumes[action.key]
        world.volumes.create(action.name, driver=vol.driver or "local", options=dict(vol.driver_opts),
                             labels=dict(action.labels))
        made.append(lambda: world.volumes.remove(action.name, force=True))
        run.say(subject, "Created")
    elif isinstance(action, A.RemoveVolume):
        world.volumes.remove(action.name, force=True)
        run.say(subject, "Removed")
    elif isinstance(action, A.CreateContainer):
        _make(run, action, made)
        run.say(subject, "Created")
    elif isinstance(action, A.RecreateContainer):
        kept = _anonymous_volumes(world, action.old_id)
        _pre_stop(run, action.service, action.old_id)
        runs.unmake(world, action.old_id, action.timeout)
        _make(run, action, made, kept)
        run.say(subject, "Recreated")
    elif isinstance(action, A.StartContainer):
        record = world.containers.start(action.id or action.name)
        _post_start(run, action.service, record.id)
        run.say(subject, "Started")
    elif isinstance(action, A.StopContainer):
        _pre_stop(run, action.service, action.id)
        world.containers.stop(action.id, action.timeout)
        run.say(subject, "Stopped")
    elif isinstance(action, A.RestartContainer):
        _pre_stop(run, action.service, action.id)
        world.containers.stop(action.id, action.timeout)
        world.containers.start(action.id)
        _post_start(run, action.service, action.id)
        run.say(subject, "Restarted")
    elif isinstance(action, A.RemoveContainer):
        anonymous = _anonymous_volumes(world, action.id) if action.volumes else {}
        _pre_stop(run, action.service, action.id)
        runs.unmake(world, action.id, 0, gate=run.removals)
        for name in anonymous.values():
            world.volumes.remove(name, force=True)
        run.say(subject, "Removed")
    elif isinstance(action, A.WaitDependency):
        _wait(run, action)
    elif isinstance(action, A.WarnOrphans):
        run.warn(action.describe())
    elif isinstance(action, A.RemoveOrphans):
        for cid, name in action.containers:
            runs.unmake(world, cid, gate=run.removals)
            run.say(f"Container {name}", "Removed")
    elif isinstance(action, A.PullImage):
        _pull(run, action)
    elif isinstance(action, A.BuildImage):
        _build(run, action)
    elif isinstance(action, A.RemoveImage):
        world.images.remove(action.image)
        run.say(subject, "Removed")
    else:
        raise NotSupportedYet(f"{action.describe()}: not there yet")


def _post_start(run: _Run, service: str, container: str) -> None:
    from compose.reconcile import hooks

    if service in run.project.services:
        hooks.post_start(run.world, run.project.services[service], container)


def _anonymous_volumes(world: World, container: str) -> dict[str, str]:
    """Target -> name of the anonymous volumes container `container` mounts (`down -v` removes them with it;
    a recreated container gets them back, as with Compose)."""
    from engine.volumes import NoSuchVolume

    record = world.containers.get(container)
    found = {}
    for mount in record.config.launch.get("options", {}).get("mounts") or []:
        if mount.get("type") != "volume" or not mount.get("source"):
            continue
        try:
            if world.volumes.get(mount["source"]).anonymous:
                found[mount["target"]] = mount["source"]
        except NoSuchVolume:
            continue
    return found


def _wait(run: _Run, action: A.WaitDependency) -> None:
    try:
        records = waits.wait_for(run.world, run.project.name, action.dependency, action.condition,
                                 run.wait_timeout)
    except DependencyFailed as error:
        if action.required:
            raise
        run.warn(f"optional dependency {action.dependency} of {action.service}: {error}")
        return
    word = {"service_healthy": "Healthy", "service_completed_successfully": "Exited"}.get(action.condition)
    if word:
        for record in records:
            run.say(f"Container {record.name}", word)

"""The builder: a Dockerfile and a context -> an ordinary image in the store, step by step, with a cache.

    result = build(containers, BuildOptions(context="app", tags=("web:dev",)), say=print)
    result.image.id, result.cached, result.steps

`stages.plan` picks the stages the target needs; each is built by a `StageBuild`
(stage.py: its steps, each from the cache or run). Stages that do not need each other
build at the same time, a stage starting as soon as those it builds on or copies from
are done (at most `PARALLEL` at once). Their lines are printed stage after stage in the
plan's order (output.py), so the output reads as Docker's legacy builder prints it.

Base images are looked up (or pulled) before any stage starts: their ONBUILD triggers
are steps too, and each step's number is known when it prints.

A failed step stops the build: the stages still building stop before their next step
(a RUN in progress is killed), its container is removed, no image is registered, and
the cache keeps only the steps that succeeded.
"""

from __future__ import annotations

import contextlib
import os
import platform as host
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from engine.build import contexts, dockerfile, output, stages
from engine.build.cache import key_of
from engine.build.context import Context
from engine.build.errors import ContextError
from engine.build.options import BuildOptions, BuildResult
from engine.build.session import Cancelled, Session
from engine.build.stage import StageBuild, short, triggers_of
from engine.build.state import State, add_layer, mounted, store
from engine.images.images import Image, ImageService

__all__ = ["BuildOptions", "BuildResult", "build", "build_with_roots", "parse_pairs"]

Say = Callable[[str], None]
PARALLEL = max(2, min(4, os.cpu_count() or 1))


def _arch() -> str:
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(host.machine(),
                                                                                       host.machine())


def predefined_args() -> dict[str, str]:
    plat = f"linux/{_arch()}"
    out = {}
    for side in ("TARGET", "BUILD"):
        out.update({f"{side}PLATFORM": plat, f"{side}OS": "linux", f"{side}ARCH": _arch(), f"{side}VARIANT": ""})
    return out


def read_dockerfile(options: BuildOptions) -> tuple[str, str, str]:
    """(the Dockerfile's text, the name errors use, its path: the one its own `.dockerignore` is beside)."""
    if options.dockerfile_text is not None:
        return options.dockerfile_text, "Dockerfile", options.dockerfile or "Dockerfile"
    names = [options.dockerfile] if options.dockerfile else ["Dockerfile", "Containerfile"]
    for name in names:
        path = name if os.path.isabs(name) else os.path.join(options.context, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read(), os.path.basename(path), path
    raise ContextError(f"unable to prepare context: cannot find {names[0]} in {options.context}",
                       hint="give the Dockerfile with -f")


def build(containers: Any, options: BuildOptions, *, say: Say = lambda line: None,
          pull: Callable[[str], Image] | None = None) -> BuildResult:
    """Build `options` with `containers` (an engine ContainerService); progress lines go to `say`."""
    return _Builder(containers, options, say, pull).build()


def default_pull(images: ImageService) -> Callable[[str], Image]:
    def pull(reference: str) -> Image:
        from engine.images.pull import pull_image
        from engine.registry import RegistryClient

        with RegistryClient() as client:
            return pull_image(images, client, reference).image

    return pull


class _Builder:
    def __init__(self, containers: Any, options: BuildOptions, say: Say, pull: Callable[[str], Image] | None):
        self.containers = containers
        self.images: ImageService = containers.images
        self.options = options
        self.say = say
        self.pull = pull or default_pull(self.images)
        self.text, self.file, self.path = read_dockerfile(options)
        self.dockerfile = dockerfile.parse(self.text, self.file)
        self.named = contexts.parse(options.contexts)

    def build(self) -> BuildResult:
        predefined = predefined_args()
        plan = stages.plan(self.dockerfile, self.options.target, self.options.build_args, predefined,
                           contexts=self.named.keys())
        with self._workdir() as work:
            session = Session(self.containers, self.options, self.file,
                              self.text.removeprefix("\ufeff").splitlines(), self.dockerfile, self.pull, work,
                              named=self.named, meta=plan.meta, dockerfile_path=self.path,
                              hosts=_hosts_file(self.options, work),
                              names={s.name: s.index for s in self.dockerfile.stages
                                     if s.name and s.name not in self.named})
            bases = {index: self._base(session, plan.nodes[index]) for index in plan.order}
            sizes = {index: 1 + len(triggers_of(bases[index], plan.nodes[index]) if bases[index] else ())
                     + len(plan.nodes[index].stage.instructions) for index in plan.order}
            sizes[plan.target] += bool(self.options.labels)
            meta = self.dockerfile.meta_args
            total = len(meta) + sum(sizes.values())
            for number, arg in enumerate(meta, 1):  # the global ARGs are steps too, printed alone
                self.say(f"Step {number}/{total} : {session.source_text(arg)}")
            first, number = {}, len(meta) + 1
            for index in plan.order:
                first[index], number = number, number + sizes[index]
            built = _Stages(session, plan, bases, first, total, self.say).run()
            image = self._tag(session.results[plan.target])
        used = {d.name for a in self.dockerfile.meta_args for d in a.args} | built.used_args
        unused = sorted(set(self.options.build_args) - used - set(predefined))
        warnings = (f"[Warning] One or more build-args [{' '.join(unused)}] were not consumed",) if unused else ()
        for text in warnings:
            self.say(text)
        return BuildResult(image, tuple(self.options.tags), total, built.cached, warnings)

    @contextlib.contextmanager
    def _workdir(self) -> Iterator[Path]:
        base = self.images.root / "build-work"
        base.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="build-", dir=base))
        try:
            yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _base(self, session: Session, node: stages.StageNode) -> State | None:
        """The image a stage starts from (None: an earlier stage's result, or a named directory context)."""
        if node.base_stage is not None:
            return None
        named = session.named_context(node.base.image)
        if named is not None:
            return None if named.directory else State.of_image(session.image(named.image or "", node.base.line))
        if node.base.image.lower() == "scratch":
            return State.scratch()
        return State.of_image(session.image(node.base.image, node.base.line))

    def _tag(self, final: State) -> Image:
        if not self.options.tags:
            image = store(self.images, final)
        for tag in self.options.tags:
            image = store(self.images, final, tag)
        self.say(f"Successfully built {short(image.id)}")
        for tag in self.options.tags:
            self.say(f"Successfully tagged {_familiar(tag)}")
        return image


class _Stages:
    """The plan's stages, each in its own thread once those it needs are built; the first failure is raised."""

    def __init__(self, session: Session, plan: stages.BuildPlan, bases: Mapping[int, State | None],
                 first: Mapping[int, int], total: int, say: Say):
        self.session, self.plan, self.bases, self.first, self.total = session, plan, bases, first, total
        self.out = output.Ordered(say, plan.order)
        self.done = {index: threading.Event() for index in plan.order}
        self.slots = threading.Semaphore(PARALLEL)
        self.errors: list[BaseException] = []
        self.cached = 0
        self.used_args: set[str] = set()
        self.lock = threading.Lock()

    def run(self) -> _Stages:
        if len(self.plan.order) == 1:  # nothing to wait for: in this thread, where Ctrl-C lands
            self._one(self.plan.order[0])
        else:
            threads = [threading.Thread(target=self._one, args=(index,), name=f"build-stage-{index}", daemon=True)
                       for index in self.plan.order]
            for thread in threads:
                thread.start()
            try:
                for thread in threads:
                    while thread.is_alive():
                        thread.join(0.2)
            except BaseException:
                self.session.cancelled.set()  # Ctrl-C: the stages stop, a running step's container is killed
                for thread in threads:
                    thread.join()
                raise
        if self.errors:
            self.out.flush()
            raise self.errors[0]
        return self

    def _one(self, index: int) -> None:
        session, node = self.session, self.plan.nodes[index]
        try:
            for dep in node.depends:
                self.done[dep].wait()
            session.check()
            with self.slots:
                base = self.bases[index]
                if base is None:
                    base = self._start_of(node)
                stage = StageBuild(session, node, base, first=self.first[index], total=self.total,
                                   say=lambda line: self.out.line(index, line), last=index == self.plan.target)
                session.results[index] = stage.run()
            with self.lock:
                self.cached += stage.cached
                self.used_args |= stage.used_args()
        except Cancelled:
            pass
        except BaseException as err:  # noqa: BLE001 - handed to the main thread, raised there
            with self.lock:
                self.errors.append(err)
            session.cancelled.set()
        finally:
            self.out.finish(index)
            self.done[index].set()

    def _start_of(self, node: stages.StageNode) -> State:
        if node.base_stage is not None:
            return self.session.results[node.base_stage]
        named = self.session.named_context(node.base.image)
        assert named is not None and named.directory is not None
        return directory_state(self.session, self.session.context(named.directory))


def directory_state(session: Session, ctx: Context) -> State:
    """A named directory context as a stage's start: scratch and one layer holding the directory's files."""
    from engine.build import copying

    digest = ctx.digest(ctx.sources(["."], f"FROM {ctx.root}"))
    scratch = State.scratch()
    key = key_of(scratch.id, f"FROM context {ctx.root}", digest)
    cache = session.cache
    hit = None if session.options.no_cache else cache.get(key)
    if hit is not None:
        return hit
    [source] = ctx.sources(["."], f"FROM {ctx.root}")
    with mounted(session.images, scratch, session.work) as (root, upper):
        fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            copying.write_tar(fd, "/", lambda out: ctx.tar(source, out, None), make_owner=(0, 0), owner=None)
        finally:
            os.close(fd)
        layer, diff_id = add_layer(session.images, upper, scratch.layer_media_type(), mounted_at=root)
    state = scratch.with_config(scratch.run_config, f"COPY dir:{digest} in / ", layer=layer, diff_id=diff_id)
    cache.put(key, state)
    return state


def _hosts_file(options: BuildOptions, work: Path) -> str | None:
    """`extra_hosts` as the RUN containers' /etc/hosts (None: the engine's own file)."""
    if not options.extra_hosts:
        return None
    from engine.containers.files import HOSTS

    base = Path("/etc/hosts").read_text() if options.network == "host" else HOSTS
    path = work / "hosts"
    path.write_text(base + "".join(f"{address}\t{name}\n" for name, address in options.extra_hosts))
    return str(path)


def _familiar(tag: str) -> str:
    return tag if ":" in tag.rpartition("/")[2] else f"{tag}:latest"


def build_with_roots(roots: Any, options: BuildOptions, *, say: Say = lambda line: None,
                     pull: Callable[[str], Image] | None = None) -> BuildResult:
    """`build` on the engine of `roots` (the CLI's entry point). A build never needs the supervisor (its RUN
    steps run in the foreground), so it neither starts nor stops one."""
    from engine.containers.service import ContainerService

    return build(ContainerService(roots), options, say=say, pull=pull)


def parse_pairs(items: Iterable[str], what: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`--build-arg K=V` / `--label K=V`; a build-arg `K` alone takes K from the environment (skipped if unset)."""
    from pycompose.pairs import key_values

    try:
        return key_values(items, environ)
    except ValueError as err:
        raise ContextError(f"{what} {err.args[0]!r}: expected KEY=VALUE") from None

"""The builder: a Dockerfile and a context -> an ordinary image in the store, step by step, with a cache.

    result = build(containers, BuildOptions(context="app", tags=("web:dev",)), say=print)
    result.image.id, result.cached, result.steps

Each step turns a `State` (config + layers) into the next: metadata instructions change
the config only (`steps.py`, an `empty_layer` history entry); RUN runs in a container and
COPY/ADD write into a mounted snapshot, each making one layer from the overlay's upper
directory (`run.py`, `copying.py`). Before a step runs its cache key is looked up
(`cache.py`): the parent state, the expanded instruction, and the sources' content.

Stages are built in the order `stages.plan` gives (only those `--target` needs), one
after another: steps already run in parallel inside a RUN's container, and the busybox
and Debian stages of tests and benchmarks are short, so sequential keeps the output
readable as Docker's legacy builder prints it:

    Step 2/5 : RUN make
     ---> Running in 3c5e7bd9f6a6
    ...
    Removing intermediate container 3c5e7bd9f6a6
     ---> 1a2b3c4d5e6f

A failed step leaves nothing: its container is removed, no image is registered, the
cache keeps only the steps that succeeded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform as host
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.build import copying, dockerfile, run, stages, steps
from engine.build import instructions as i
from engine.build.cache import BuildCache, key_of
from engine.build.context import Context
from engine.build.errors import ContextError, DockerfileError, StepFailed
from engine.build.scope import StageScope
from engine.build.state import State, add_layer, mounted, store
from engine.images.errors import ImageNotFound
from engine.images.images import Image, ImageService
from pycompose.errors import PycomposeError

Say = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    context: str
    dockerfile: str | None = None          # a path (absolute, or relative to the context); None: Dockerfile
    dockerfile_text: str | None = None     # the Dockerfile itself (compose's dockerfile_inline)
    tags: tuple[str, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    no_cache: bool = False
    pull: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    network: str = "none"                  # none, or host ("default" is none: no traffic leaves in a build)


@dataclass(frozen=True)
class BuildResult:
    image: Image
    tags: tuple[str, ...]
    steps: int
    cached: int
    warnings: tuple[str, ...] = ()


def _arch() -> str:
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(host.machine(),
                                                                                       host.machine())


def predefined_args() -> dict[str, str]:
    plat = f"linux/{_arch()}"
    out = {}
    for side in ("TARGET", "BUILD"):
        out.update({f"{side}PLATFORM": plat, f"{side}OS": "linux", f"{side}ARCH": _arch(), f"{side}VARIANT": ""})
    return out


def read_dockerfile(options: BuildOptions) -> tuple[str, str]:
    """(the Dockerfile's text, the name errors use)."""
    if options.dockerfile_text is not None:
        return options.dockerfile_text, "Dockerfile"
    names = [options.dockerfile] if options.dockerfile else ["Dockerfile", "Containerfile"]
    for name in names:
        path = name if os.path.isabs(name) else os.path.join(options.context, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read(), os.path.basename(path)
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
        self.cache = BuildCache(self.images.root, self.images)
        self.text, self.file = read_dockerfile(options)
        self.lines = self.text.removeprefix("\ufeff").splitlines()
        self.dockerfile = dockerfile.parse(self.text, self.file)
        self.context: Context | None = None
        self.results: dict[int, State] = {}
        self.number = 0
        self.total = 0
        self.cached = 0
        self.used_args: set[str] = set()
        self.work: Path | None = None

    # -- the whole build -------------------------------------------------------------
    def build(self) -> BuildResult:
        predefined = predefined_args()
        plan = stages.plan(self.dockerfile, self.options.target, self.options.build_args, predefined)
        self.plan = plan
        self.names = {s.name: s.index for s in self.dockerfile.stages if s.name}
        self.total = sum(1 + len(plan.nodes[n].stage.instructions) for n in plan.order) + bool(self.options.labels)
        self.used_args |= {d.name for a in self.dockerfile.meta_args for d in a.args}
        with self._workdir():
            for index in plan.order:
                self.results[index] = self._stage(plan.nodes[index], last=index == plan.target)
        final = self.results[plan.target]
        image = self._tag(final)
        unused = sorted(set(self.options.build_args) - self.used_args - set(predefined))
        warnings = (f"[Warning] One or more build-args [{' '.join(unused)}] were not consumed",) if unused else ()
        for text in warnings:
            self.say(text)
        return BuildResult(image, tuple(self.options.tags), self.number, self.cached, warnings)

    @contextlib.contextmanager
    def _workdir(self) -> Iterator[None]:
        base = self.images.root / "build-work"
        base.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="build-", dir=base))
        try:
            yield
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def _tag(self, final: State) -> Image:
        if not self.options.tags:
            image = store(self.images, final)
        for tag in self.options.tags:
            image = store(self.images, final, tag)
        self.say(f"Successfully built {_short(image.id)}")
        for tag in self.options.tags:
            self.say(f"Successfully tagged {_familiar(tag)}")
        return image

    # -- one stage ---------------------------------------------------------------------
    def _stage(self, node: stages.StageNode, last: bool) -> State:
        base = node.base
        self._announce(base)
        self._cmd_set = False
        if node.base_stage is not None:
            state = self.results[node.base_stage]
        elif base.image.lower() == "scratch":
            state = State.scratch()
        else:
            state = State.of_image(self._image(base.image, base.line))
        self.say(f" ---> {_short(state.id)}")
        env = dict(e.partition("=")[::2] for e in state.run_config.get("Env") or [])
        scope = StageScope(self.plan.meta, self.options.build_args, base_env=env, file=self.file,
                           escape=self.dockerfile.escape)
        body: list[tuple[i.Instruction, str | None]] = [(ins, None) for ins in node.stage.instructions]
        triggers = state.run_config.get("OnBuild") or []
        if triggers and node.base_stage is None:  # the base image's ONBUILD triggers run first, then are dropped
            self.say(f"# Executing {len(triggers)} build trigger{'s' if len(triggers) > 1 else ''}")
            trigger_file = dockerfile.parse("FROM scratch\n" + "\n".join(triggers), f"{self.file} (ONBUILD)")
            body = [(ins, text) for ins, text in zip(trigger_file.stages[0].instructions, triggers,
                                                     strict=False)] + body
            self.total += len(triggers)
            config = state.run_config
            config["OnBuild"] = None
            state = State({**state.config, "config": config}, state.layers, state.media_type)
        if last and self.options.labels:
            label = i.Label(pairs=tuple(sorted(self.options.labels.items())), line=0, end_line=0)
            body.append((label, steps.describe(label)))
        for ins, text in body:
            if text is None:
                self._announce(ins)
            else:
                self._step_line(text)
            expanded = scope.expand(ins)
            state = self._instruction(state, expanded, scope)
        self.used_args |= scope.used_build_args()
        return state

    def _announce(self, ins: i.Instruction) -> None:
        self._step_line(self._source_text(ins))

    def _step_line(self, text: str) -> None:
        self.number += 1
        self.say(f"Step {self.number}/{max(self.total, self.number)} : {text}")

    def _source_text(self, ins: i.Instruction) -> str:
        """The instruction as written (continuations joined; a heredoc's first line only)."""
        if not 0 < ins.line <= len(self.lines):
            return steps.describe(ins)
        end = ins.line if getattr(ins, "heredocs", ()) else ins.end_line
        parts = []
        for raw in self.lines[ins.line - 1:end]:
            stripped = raw.rstrip()
            if stripped.endswith(self.dockerfile.escape):
                stripped = stripped[:-1]
            if not stripped.lstrip().startswith("#"):
                parts.append(stripped.strip())
        return " ".join(p for p in parts if p)

    def _image(self, reference: str, line: int) -> Image:
        """A base (or `COPY --from`) image: the store's, pulled when missing or with `--pull`."""
        if not self.options.pull:
            with contextlib.suppress(ImageNotFound):
                return self.images.get(reference)
        try:
            return self.pull(reference)
        except PycomposeError as err:
            if self.options.pull:
                with contextlib.suppress(ImageNotFound):
                    found = self.images.get(reference)
                    self.say(f"WARN: could not pull {reference} ({err.message}); using the local image")
                    return found
            raise DockerfileError(self.file, line, f"FROM {reference}: pull access denied or image not found: "
                                                   f"{err.message}") from None

    # -- one instruction -----------------------------------------------------------------
    def _instruction(self, state: State, ins: i.Instruction, scope: StageScope) -> State:
        shell = tuple(state.run_config.get("Shell") or run.DEFAULT_SHELL)
        if isinstance(ins, i.Run):
            return self._run(state, ins, scope, shell)
        if isinstance(ins, (i.Copy, i.Add)):
            return self._copy(state, ins, shell)
        if isinstance(ins, i.Workdir):
            return self._workdir_step(state, ins, shell)
        created_by = steps.nop(shell, steps.describe(ins))

        def make() -> State:
            config = steps.apply(state.run_config, ins, shell)
            if isinstance(ins, i.Entrypoint) and not self._cmd_set:
                config["Cmd"] = None
            new = state.with_config(config, created_by)
            if isinstance(ins, i.Maintainer):
                new.config["author"] = ins.name
            return new

        if isinstance(ins, i.Cmd):
            self._cmd_set = True
        return self._cached(state, created_by, "", make)

    _cmd_set = False

    def _cached(self, state: State, key_text: str, content: str, make: Callable[[], State]) -> State:
        key = key_of(state.id, key_text, content)
        if not self.options.no_cache:
            hit = self.cache.get(key)
            if hit is not None:
                self.cached += 1
                self.say(" ---> Using cache")
                self.say(f" ---> {_short(hit.id)}")
                return hit
        new = make()
        self.cache.put(key, new)
        self.say(f" ---> {_short(new.id)}")
        return new

    def _where(self, ins: i.Instruction) -> str:
        return f"{self.file}:{ins.line}: {ins.keyword}"

    # RUN
    def _run(self, state: State, ins: i.Run, scope: StageScope, shell: tuple[str, ...]) -> State:
        if ins.mounts:
            raise DockerfileError(self.file, ins.line, "RUN --mount is not supported yet by pycompose's builder",
                                  hint="copy what the step needs into the image instead")
        argv = run.argv_of(ins, shell)
        args = {k: v for k, v in scope.run_env().items() if k not in scope.env}
        shown = " ".join(argv) if ins.command.exec_form or ins.heredocs else f"{' '.join(shell)} {ins.command.args[0]}"
        prefix = f"|{len(args)} " + " ".join(f"{k}={v}" for k, v in sorted(args.items())) + " " if args else ""
        created_by = prefix + shown
        network = "host" if (ins.network == "host" or self.options.network == "host") else "none"

        def make() -> State:
            env = scope.run_env()
            made: list[str] = []

            def announce(cid: str) -> None:
                made.append(cid)
                self.say(f" ---> Running in {cid[:12]}")

            result = run.run_step(self.containers, state, argv, env, on_line=self.say, network=network,
                                  announce=announce)
            self.say(f"Removing intermediate container {made[0][:12] if made else ''}".rstrip())
            if result.code != 0:
                tail = "\n".join(result.output[-run.TAIL:])
                raise StepFailed(f"{self.file}:{ins.line}: step {self.number}/{self.total} "
                                 f"`{self._source_text(ins)}`: the command '{' '.join(argv)}' returned a "
                                 f"non-zero code: {result.code}" + (f"\noutput:\n{tail}" if tail else ""),
                                 code=result.code, output=tail)
            assert result.layer is not None
            layer, diff_id = result.layer
            return state.with_config(state.run_config, created_by, layer=layer, diff_id=diff_id)

        return self._cached(state, created_by + "\0" + network, "", lambda: self._guarded(make, ins, argv))

    def _guarded(self, make: Callable[[], State], ins: i.Run, argv: tuple[str, ...]) -> State:
        try:
            return make()
        except StepFailed:
            raise
        except PycomposeError as err:  # the program could not start (127, 126): the step failed
            code = getattr(err, "exit_code", 1)
            raise StepFailed(f"{self.file}:{ins.line}: step {self.number}/{self.total} `{self._source_text(ins)}`: "
                             f"the command '{' '.join(argv)}' could not run: {err.message}", code=code) from None

    # WORKDIR
    def _workdir_step(self, state: State, ins: i.Workdir, shell: tuple[str, ...]) -> State:
        path = steps.workdir_of(state.run_config, ins.path)
        created_by = steps.nop(shell, f"WORKDIR {path}", spaces=1)

        def make() -> State:
            config = steps.apply(state.run_config, ins, shell)
            if _exists(self.images, state, path):
                return state.with_config(config, created_by)
            assert self.work is not None
            with mounted(self.images, state, self.work) as (root, upper):
                fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                try:
                    with copying.opened_dir(fd, path, make=True):
                        pass
                finally:
                    os.close(fd)
                layer, diff_id = add_layer(self.images, upper, state.layer_media_type())
            return state.with_config(config, created_by, layer=layer, diff_id=diff_id)

        return self._cached(state, created_by, "", make)

    # COPY / ADD
    def _copy(self, state: State, ins: i.Copy | i.Add, shell: tuple[str, ...]) -> State:
        where = self._where(ins)
        dest = copying.absolute(ins.dest, state.run_config.get("WorkingDir") or "/")
        chmod = copying.chmod_of(ins.chmod, where)
        heredocs = {d.name: d for d in ins.heredocs}
        from_ref = ins.from_ if isinstance(ins, i.Copy) else None
        words = [s for s in ins.sources if not _heredoc_name(s, heredocs)]
        several = len(ins.sources) > 1
        flags = f"--chown={ins.chown} " if ins.chown else ""
        flags += f"--chmod={ins.chmod} " if ins.chmod else ""
        if from_ref is not None:
            source_state = self._from_state(from_ref, ins.line)
            content = f"from {source_state.id} " + " ".join(words)
            kind = "multi" if several else "dir"
            sources = None
        else:
            ctx = self._context()
            sources = ctx.sources(words, where) if words else []
            several = several or len(sources) > 1
            content = ctx.digest(sources) + "".join(f"\0{d.name}\0{d.content}" for d in ins.heredocs)
            kind = "multi" if several else ("dir" if sources and sources[0].is_dir else "file")
            source_state = None
        digest = hashlib.sha256(content.encode()).hexdigest()
        created_by = steps.nop(shell, f"{ins.keyword} {flags}{kind}:{digest} in {dest} ", spaces=1)

        def make() -> State:
            assert self.work is not None
            with mounted(self.images, state, self.work) as (root, upper):
                fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                try:
                    owner = copying.owner_of(root, ins.chown)
                    for name in ins.sources:
                        doc = _heredoc_name(name, heredocs)
                        if doc is not None:
                            directory, fname = copying.place(fd, dest, False, doc.name, several, where)
                            copying.write_tar(fd, directory, copying.heredoc_tar(fname or doc.name, doc.content,
                                                                                 owner, chmod),
                                              make_owner=owner, owner=None)
                    if source_state is not None:
                        self._copy_from(fd, source_state, words, dest, owner, chmod, several, where)
                    elif sources:
                        self._copy_context(fd, ins, sources, dest, owner, chmod, several, where)
                finally:
                    os.close(fd)
                layer, diff_id = add_layer(self.images, upper, state.layer_media_type())
            return state.with_config(state.run_config, created_by, layer=layer, diff_id=diff_id)

        return self._cached(state, created_by, content, make)

    def _copy_context(self, fd: int, ins: i.Copy | i.Add, sources: list, dest: str, owner: tuple[int, int],
                      chmod: int | None, several: bool, where: str) -> None:
        ctx = self._context()
        for source in sources:
            name = os.path.basename(source.path)
            full = os.path.join(ctx.root, source.path)
            if isinstance(ins, i.Add) and not source.is_dir and copying.is_archive(full):
                directory = dest.rstrip("/") or "/"

                def produce(out: Any, full: str = full) -> None:
                    with open(full, "rb") as f:
                        shutil.copyfileobj(f, out)

                copying.write_tar(fd, directory, produce, make_owner=owner,
                                  owner=owner if ins.chown else None)
                continue
            directory, fname = copying.place(fd, dest, source.is_dir, name, several, where)
            copying.write_tar(fd, directory, lambda out, s=source, n=fname: ctx.tar(s, out, n, owner=owner,
                                                                                    chmod=chmod),
                              make_owner=owner, owner=None)

    def _copy_from(self, fd: int, source_state: State, words: list[str], dest: str, owner: tuple[int, int],
                   chmod: int | None, several: bool, where: str) -> None:
        assert self.work is not None
        with mounted(self.images, source_state, self.work) as (src_root, _):
            src = os.open(src_root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                paths = [p for word in words for p in copying.glob_in_tree(src, "/" + word.lstrip("/"))]
                if not paths:
                    raise ContextError(f"{where}: no source files were specified")
                several = several or len(paths) > 1
                for path in paths:
                    kind = copying.tree_kind(src, path)
                    if kind is None:
                        raise ContextError(f"{where}: {path} not found in the source stage or image")
                    directory, fname = copying.place(fd, dest, kind == "dir", os.path.basename(path), several, where)
                    copying.write_tar(fd, directory, copying.from_tree(src, path, fname, owner, chmod),
                                      make_owner=owner, owner=None)
            finally:
                os.close(src)

    def _from_state(self, ref: str, line: int) -> State:
        index = int(ref) if ref.isdigit() else self.names.get(ref.lower())
        if index is not None:
            return self.results[index]
        return State.of_image(self._image(ref, line))

    def _context(self) -> Context:
        if self.context is None:
            self.context = Context.open(self.options.context, self.options.dockerfile or "Dockerfile")
        return self.context


def _heredoc_name(word: str, heredocs: dict[str, i.Heredoc]) -> i.Heredoc | None:
    if not word.startswith("<<"):
        return None
    name = word.lstrip("<-").strip("\"'")
    return heredocs.get(name)


def _exists(images: ImageService, state: State, path: str) -> bool:
    """Is `path` in the state's tree? Read from the layers, topmost first (whiteouts hide what is below)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return True
    for diff_id in reversed(state.diff_ids):
        layer = images.layers.path(diff_id)
        for depth in range(1, len(parts) + 1):
            parent = layer.joinpath(*parts[:depth - 1])
            if (parent / f".wh.{parts[depth - 1]}").exists() or _whiteout(parent / parts[depth - 1]):
                return False
        if os.path.lexists(layer.joinpath(*parts)):
            return True
    return False


def _whiteout(path: Path) -> bool:
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


def _familiar(tag: str) -> str:
    return tag if ":" in tag.rpartition("/")[2] else f"{tag}:latest"


def build_with_roots(roots: Any, options: BuildOptions, *, say: Say = lambda line: None,
                     pull: Callable[[str], Image] | None = None) -> BuildResult:
    """`build` on the engine of `roots` (the CLI's entry point); the shared supervisor is let go after."""
    from engine.containers.service import ContainerService

    containers = ContainerService(roots)
    try:
        return build(containers, options, say=say, pull=pull)
    finally:
        containers.stop_supervisor_if_idle()


def parse_pairs(items: Iterable[str], what: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`--build-arg K=V` / `--label K=V`; a build-arg `K` alone takes K from the environment (skipped if unset)."""
    from pycompose.pairs import key_values

    try:
        return key_values(items, environ)
    except ValueError as err:
        raise ContextError(f"{what} {err.args[0]!r}: expected KEY=VALUE") from None

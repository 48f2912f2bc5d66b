"""One stage of a build: its steps in order, each taken from the cache or run.

    state = StageBuild(session, node, base, first=3, total=9, say=print, last=True).run()

A step turns a `State` into the next: metadata instructions change the config only
(`steps.py`, an `empty_layer` history entry); WORKDIR makes its directory when missing;
RUN runs in a container (`run.py`, with its `--mount`s from `mounts.py`); COPY/ADD write
into a mounted snapshot (`copy_step.py`). Before a step runs its cache key is looked up:
the parent state, the expanded instruction, and what else decides the result (the
sources' content, the content a bind mount shows).

Lines are printed as Docker's legacy builder prints them:

    Step 2/5 : RUN make
     ---> Running in 3c5e7bd9f6a6
    ...
    Removing intermediate container 3c5e7bd9f6a6
     ---> 1a2b3c4d5e6f
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.build import copy_step, dockerfile, mounts, run, stages, steps
from engine.build import instructions as i
from engine.build.cache import key_of
from engine.build.errors import StepFailed
from engine.build.scope import StageScope
from engine.build.session import Session
from engine.build.state import State, add_layer, mounted
from engine.images.images import ImageService
from pycompose.errors import PycomposeError

Say = Callable[[str], None]


DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def with_default_path(state: State) -> State:
    """A stage starts with a PATH in its environment: the base's, else Linux's default (as Docker's builders do)."""
    config = state.run_config
    env = list(config.get("Env") or [])
    if any(e.startswith("PATH=") for e in env):
        return state
    config["Env"] = [*env, DEFAULT_PATH]
    return State({**state.config, "config": config}, state.layers, state.media_type)


def triggers_of(state: State, node: stages.StageNode) -> list[str]:
    """The base image's ONBUILD triggers, which run first in a stage built on an image (not on a stage)."""
    return list(state.run_config.get("OnBuild") or []) if node.base_stage is None else []


class StageBuild:
    def __init__(self, session: Session, node: stages.StageNode, base: State, *, first: int, total: int, say: Say,
                 last: bool):
        self.session = session
        self.node = node
        self.base = base
        self.number = first - 1
        self.total = total
        self.say = say
        self.last = last
        self.cached = 0
        self.cmd_set = False
        self.scope: StageScope | None = None

    @property
    def images(self) -> ImageService:
        return self.session.images

    def run(self) -> State:
        session, node = self.session, self.node
        self._step_line(session.source_text(node.base))
        state = with_default_path(self.base)
        self.say(f" ---> {short(self.base.id)}")
        env = dict(e.partition("=")[::2] for e in state.run_config.get("Env") or [])
        scope = StageScope(session.meta, session.options.build_args, base_env=env, file=session.file,
                           escape=session.dockerfile.escape)
        self.scope = scope
        body: list[tuple[i.Instruction, str | None]] = [(ins, None) for ins in node.stage.instructions]
        triggers = triggers_of(state, node)
        if triggers:  # the base image's ONBUILD triggers run first, then are dropped
            self.say(f"# Executing {len(triggers)} build trigger{'s' if len(triggers) > 1 else ''}")
            parsed = dockerfile.parse("FROM scratch\n" + "\n".join(triggers), f"{session.file} (ONBUILD)")
            body = [(ins, text) for ins, text in zip(parsed.stages[0].instructions, triggers, strict=False)] + body
            config = state.run_config
            config["OnBuild"] = None
            state = State({**state.config, "config": config}, state.layers, state.media_type)
        labels = session.options.labels
        if self.last and labels:
            label = i.Label(pairs=tuple(sorted(labels.items())), line=0, end_line=0)
            body.append((label, steps.describe(label)))
        for ins, text in body:
            session.check()
            self._step_line(session.source_text(ins) if text is None else text)
            state = self._instruction(state, scope.expand(ins), scope)
        return state

    def used_args(self) -> set[str]:
        return self.scope.used_build_args() if self.scope else set()

    def _step_line(self, text: str) -> None:
        self.number += 1
        self.say(f"Step {self.number}/{max(self.total, self.number)} : {text}")

    # -- one instruction -----------------------------------------------------------------
    def _instruction(self, state: State, ins: i.Instruction, scope: StageScope) -> State:
        shell = tuple(state.run_config.get("Shell") or run.DEFAULT_SHELL)
        if isinstance(ins, i.Run):
            return self._run(state, ins, scope, shell)
        if isinstance(ins, (i.Copy, i.Add)):
            return copy_step.copy(self, state, ins, shell)
        if isinstance(ins, i.Workdir):
            return self._workdir(state, ins, shell)
        created_by = steps.nop(shell, steps.describe(ins))

        def make() -> State:
            config = steps.apply(state.run_config, ins, shell)
            if isinstance(ins, i.Entrypoint) and not self.cmd_set:
                config["Cmd"] = None
            new = state.with_config(config, created_by)
            if isinstance(ins, i.Maintainer):
                new.config["author"] = ins.name
            return new

        if isinstance(ins, i.Cmd):
            self.cmd_set = True
        return self.cached_step(state, created_by, "", make)

    def cached_step(self, state: State, key_text: str, content: str, make: Callable[[], State]) -> State:
        """The state this step made before (same parent, instruction and content), else `make()`'s, kept."""
        session = self.session
        key = key_of(state.id, key_text, content)
        if not session.options.no_cache:
            hit = session.cache.get(key)
            if hit is not None:
                self.cached += 1
                self.say(" ---> Using cache")
                self.say(f" ---> {short(hit.id)}")
                return hit
        new = make()
        session.cache.put(key, new)
        self.say(f" ---> {short(new.id)}")
        return new

    def failed(self, ins: i.Instruction, reason: str) -> str:
        """`Dockerfile:7: step 4/9 `RUN make`: <reason>`."""
        return f"{self.session.file}:{ins.line}: step {self.number}/{self.total} `{self.session.source_text(ins)}`: " \
               + reason

    # RUN
    def _run(self, state: State, ins: i.Run, scope: StageScope, shell: tuple[str, ...]) -> State:
        session = self.session
        argv = run.argv_of(ins, shell)
        args = {k: v for k, v in scope.run_env().items() if k not in scope.env}
        shown = " ".join(argv) if ins.command.exec_form or ins.heredocs else f"{' '.join(shell)} {ins.command.args[0]}"
        prefix = f"|{len(args)} " + " ".join(f"{k}={v}" for k, v in sorted(args.items())) + " " if args else ""
        created_by = prefix + shown
        network = "host" if (ins.network == "host" or session.options.network == "host") else "none"
        workdir = state.run_config.get("WorkingDir") or "/"
        plan = mounts.plan(session, ins, workdir)  # refused mounts fail here, before the cache is asked

        def make() -> State:
            made: list[str] = []

            def announce(cid: str) -> None:
                made.append(cid)
                self.say(f" ---> Running in {cid[:12]}")

            with contextlib.ExitStack() as stack:
                extra = mounts.materialize(session, plan, stack) + _shm(session)
                result = run.run_step(session.containers, state, argv, scope.run_env(), on_line=self.say,
                                      network=network, announce=announce, mounts=extra,
                                      hosts=session.hosts, cancelled=session.cancelled.is_set)
            self.say(f"Removing intermediate container {made[0][:12] if made else ''}".rstrip())
            if result.code != 0:
                tail = "\n".join(result.output[-run.TAIL:])
                raise StepFailed(self.failed(ins, f"the command '{' '.join(argv)}' returned a non-zero code: "
                                                  f"{result.code}") + (f"\noutput:\n{tail}" if tail else ""),
                                 code=result.code, output=tail)
            assert result.layer is not None
            layer, diff_id = result.layer
            return state.with_config(state.run_config, created_by, layer=layer, diff_id=diff_id)

        key = created_by + "\0" + network + "".join("\0" + m.key for m in plan)
        return self.cached_step(state, key, "", lambda: self._guarded(make, ins, argv))

    def _guarded(self, make: Callable[[], State], ins: i.Run, argv: tuple[str, ...]) -> State:
        try:
            return make()
        except StepFailed:
            raise
        except PycomposeError as err:  # the program could not start (127, 126): the step failed
            code = getattr(err, "exit_code", 1)
            raise StepFailed(self.failed(ins, f"the command '{' '.join(argv)}' could not run: {err.message}"),
                             code=code) from None

    # WORKDIR
    def _workdir(self, state: State, ins: i.Workdir, shell: tuple[str, ...]) -> State:
        path = steps.workdir_of(state.run_config, ins.path)
        created_by = steps.nop(shell, f"WORKDIR {path}", spaces=1)

        def make() -> State:
            config = steps.apply(state.run_config, ins, shell)
            if exists(self.images, state, path):
                return state.with_config(config, created_by)
            with mounted(self.images, state, self.session.work) as (root, upper):
                fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                try:
                    from engine.build.copying import opened_dir

                    with opened_dir(fd, path, make=True):
                        pass
                finally:
                    os.close(fd)
                layer, diff_id = add_layer(self.images, upper, state.layer_media_type(), mounted_at=root)
            return state.with_config(config, created_by, layer=layer, diff_id=diff_id)

        return self.cached_step(state, created_by, "", make)


def _shm(session: Session) -> tuple[Any, ...]:
    """`shm_size` as a /dev/shm of that size in the RUN's container."""
    if not session.options.shm_size:
        return ()
    from engine.containers.options import Mount

    return (Mount("tmpfs", "/dev/shm", size=session.options.shm_size, mode=0o1777),)


def exists(images: ImageService, state: State, path: str) -> bool:
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


def short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]

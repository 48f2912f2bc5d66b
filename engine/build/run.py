"""RUN: the command in a container made from the current state; its upper directory becomes the layer.

The container gets the step's environment (the image's ENV, then the ARGs in scope),
user and working directory, no network unless the build asks for the host's (`network:
host`), and no entrypoint. It runs in the foreground of the build (engine.containers.foreground:
no supervisor) and its output is streamed line by line while it runs. The container is removed
whatever happens; the layer is written only when the command exited 0.

    code, output = run_step(containers, state, argv, env, on_line=print, network="none")
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.build import instructions as i
from engine.build.state import State, add_layer, as_image, transient_image
from engine.images.manifests import Descriptor

if TYPE_CHECKING:
    from engine.containers.options import Mount

DEFAULT_SHELL = ("/bin/sh", "-c")
_LONE_HEREDOC = re.compile(r"^<<-?\s*[\"']?([A-Za-z0-9_][A-Za-z0-9_.-]*)[\"']?\s*$")
TAIL = 20  # lines of output a failure message repeats


def argv_of(run: i.Run, shell: tuple[str, ...]) -> tuple[str, ...]:
    """What the container executes: exec form as is; shell form through SHELL, heredocs as the shell reads them.

    `RUN <<EOF` alone runs the heredoc as the script; `RUN cat <<EOF > f` gives the shell
    the line followed by the bodies (it expands them unless the delimiter was quoted)."""
    if run.command.exec_form:
        return run.command.args
    text = run.command.args[0]
    if run.heredocs:
        lone = _LONE_HEREDOC.match(text)
        if lone and len(run.heredocs) == 1:
            body = run.heredocs[0].content
            if body.startswith("#!"):
                interpreter = body.splitlines()[0][2:].split()
                return (*interpreter, "-c", body) if interpreter[-1:] != ["-c"] else (*interpreter, body)
            return (*shell, body)
        text = text + "\n" + "".join(doc.content + doc.name + "\n" for doc in run.heredocs)
    return (*shell, text)


@dataclass(frozen=True)
class RunResult:
    """A RUN step's container: its exit code and output."""

    code: int
    output: list[str]
    layer: tuple[Descriptor, str] | None  # (descriptor, diff_id) when the command exited 0


def run_step(containers, state: State, argv: tuple[str, ...], env: dict[str, str], *,  # type: ignore[no-untyped-def]
             on_line: Callable[[str], None], network: str = "none", labels: dict[str, str] | None = None,
             announce: Callable[[str], None] | None = None, mounts: tuple[Mount, ...] = (),
             hosts: str | None = None, cancelled: Callable[[], bool] = lambda: False) -> RunResult:
    """Run `argv` in a container of `state`; `mounts` are the step's `--mount`s (and /dev/shm), `hosts` a file
    for its /etc/hosts; when `cancelled()` turns true the container is killed (the build is stopping)."""
    from engine.containers.options import RunOptions

    config = state.run_config
    images = containers.images
    image = transient_image(images, state)
    with contextlib.nullcontext(image.id) if image else as_image(images, state) as image_id:
        options = RunOptions(image=image_id, entrypoint=(argv[0],), command=tuple(argv[1:]),
                             env=tuple(f"{k}={v}" for k, v in env.items()),
                             user=config.get("User") or None, workdir=config.get("WorkingDir") or None,
                             network="host" if network == "host" else "none", labels=dict(labels or {}),
                             mounts=mounts, hosts=hosts, volatile_rootfs=True)
        record = containers.create(options, image=image)
    try:
        if announce:
            announce(record.id)
        output: list[str] = []
        lines = _Lines(output, on_line)
        code = containers.run_here(record.id, lines.feed, cancelled)
        lines.flush()
        layer = None
        if code == 0:
            layer = add_layer(images, containers.snapshots().upper(record.id), state.layer_media_type(),
                              mounted_at=containers.bundle(record.id) / "rootfs")
        return RunResult(code, output, layer)
    finally:
        containers.remove(record.id, force=True)


class _Lines:
    """The container's output as lines, as they come (a partial line waits for its end); the last ones kept."""

    def __init__(self, output: list[str], on_line: Callable[[str], None]):
        self.output, self.on_line = output, on_line
        self.partial = b""

    def feed(self, data: bytes) -> None:
        *whole, self.partial = (self.partial + data).split(b"\n")
        for raw in whole:
            self._emit(raw)

    def flush(self) -> None:
        if self.partial:
            self._emit(self.partial)
            self.partial = b""

    def _emit(self, raw: bytes) -> None:
        line = raw.decode(errors="replace")
        self.output.append(line)
        if len(self.output) > 4 * TAIL:
            del self.output[:-TAIL]
        self.on_line(line)


def environment(state: State, args: dict[str, str]) -> dict[str, str]:
    """The RUN's environment: the image's ENV with the ARGs in scope beneath it (ENV wins)."""
    env = dict(args)
    for item in state.run_config.get("Env") or []:
        key, _, value = item.partition("=")
        env[key] = value
    return env


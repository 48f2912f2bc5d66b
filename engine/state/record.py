"""A container record: what the engine knows of one container, as frozen data that round-trips through JSON.

The record is the only shared truth between the CLI and the supervisor: the CLI
creates and removes records, the supervisor writes the runtime half (state, pid,
exit code, health). `config` is fixed at creation; everything else changes by
`dataclasses.replace` under the store's lock.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from engine.state.lifecycle import CREATED


def rfc3339nano(ns: int) -> str:
    """Go's RFC3339Nano in UTC: nanoseconds with the trailing zeros of the fraction dropped."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    digits = f"{fraction:09d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


def now() -> str:
    return rfc3339nano(time.time_ns())


@dataclass(frozen=True)
class Healthcheck:
    """Docker's healthcheck: `test` is ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]; durations in seconds."""

    test: tuple[str, ...]
    interval: float = 30.0
    timeout: float = 30.0
    retries: int = 3
    start_period: float = 0.0
    start_interval: float = 5.0


@dataclass(frozen=True)
class LogConfig:
    """The log driver (json-file, or none: nothing kept) and json-file's options: rotate at `max_size` bytes
    (0: never), keep `max_file` files. Docker's `local` driver is kept as json-file with local's defaults."""

    max_size: int = 0
    max_file: int = 1
    driver: str = "json-file"


@dataclass(frozen=True)
class ContainerConfig:
    """How to run the container: `launch` is opaque data for the launcher named by `launcher`."""

    launch: dict[str, Any] = field(default_factory=dict)
    launcher: str = "process"
    restart: str = "no"
    stop_signal: str = "SIGTERM"
    stop_timeout: float = 10.0
    healthcheck: Healthcheck | None = None
    log: LogConfig = LogConfig()
    tty: bool = False          # the process's stdio is a pty whose master the supervisor holds
    open_stdin: bool = False   # the process reads a stdin that attached clients write (Docker's OpenStdin)
    stdin_once: bool = False   # that stdin is closed when the first client attached to it ends its input


@dataclass(frozen=True)
class ProbeResult:
    """One healthcheck probe: start, end, exit code, output."""

    start: str
    end: str
    exit_code: int
    output: str


@dataclass(frozen=True)
class Health:
    """A container's health: status, failing streak and the last probes."""

    status: str = "starting"
    failing_streak: int = 0
    log: tuple[ProbeResult, ...] = ()


@dataclass(frozen=True)
class ContainerRecord:
    """A container as the engine keeps it: identity, config, state and process."""

    id: str
    name: str
    config: ContainerConfig = ContainerConfig()
    labels: dict[str, str] = field(default_factory=dict)
    created: str = ""
    state: str = CREATED
    pid: int = 0
    pid_start: int = 0  # field 22 of /proc/<pid>/stat: defeats pid reuse
    boot_id: str = ""  # /proc/sys/kernel/random/boot_id when started: defeats a reboot
    supervisor: tuple[int, int] = (0, 0)  # (pid, start time) of the supervisor that watches it
    started_at: str = ""
    finished_at: str = ""
    exit_code: int | None = None
    error: str = ""
    restart_count: int = 0
    manually_stopped: bool = False
    health: Health | None = None

    @property
    def ephemeral(self) -> bool:
        """Removed once it exits (`--rm`): nothing of it need survive a crash, so its writes are not synced."""
        launch = self.config.launch
        return bool(launch.get("auto_remove") or launch.get("remove_on_exit"))

    def replace(self, **changes: Any) -> ContainerRecord:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data, as dataclasses.asdict makes it but without deep-copying the dicts
        (the launch options are large; the supervisor writes a record after every healthcheck probe)."""
        return _plain(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContainerRecord:
        config = dict(data.get("config") or {})
        if config.get("healthcheck") is not None:
            hc = dict(config["healthcheck"])
            hc["test"] = tuple(hc["test"])
            config["healthcheck"] = Healthcheck(**hc)
        config["log"] = LogConfig(**(config.get("log") or {}))
        health = data.get("health")
        if health is not None:
            health = Health(status=health["status"], failing_streak=health["failing_streak"],
                            log=tuple(ProbeResult(**r) for r in health["log"]))
        supervisor = tuple(data.get("supervisor") or (0, 0))
        return cls(**{**data, "config": ContainerConfig(**config), "health": health, "supervisor": supervisor})


def _plain(value: Any) -> Any:
    """Dataclasses as dicts and tuples as lists, recursively; every other value as it is (not copied)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value

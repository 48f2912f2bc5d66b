"""Docker-shaped views of a container record: `inspect`, the rows of `ls`, the words of STATUS.

    status_text(record)  -> "Up 3 seconds", "Exited (0) 2 minutes ago", "Created"
    inspect(record, pid) -> {"Id": ..., "Name": "/web", "State": {...}, "Config": {...}, ...}
"""

from __future__ import annotations

import time
from typing import Any

from engine.containers.hostconfig import config_extras, host_config
from engine.logs import parse_time
from engine.state import ContainerRecord
from pycompose.units import bytes_size, human_size

ZERO_TIME = "0001-01-01T00:00:00Z"


def human_duration(seconds: float) -> str:
    """Docker's units.HumanDuration."""
    if seconds < 1:
        return "Less than a second"
    if seconds < 2:
        return "1 second"
    if seconds < 60:
        return f"{int(seconds)} seconds"
    minutes = seconds / 60
    if round(minutes) == 1:
        return "About a minute"
    if minutes < 60:
        return f"{int(minutes)} minutes"
    hours = round(minutes / 60)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    days = hours / 24
    if days < 14:
        return f"{int(days)} days"
    if days < 60:
        return f"{int(days / 7)} weeks"
    if days < 365 * 2:
        return f"{int(days / 30)} months"
    return f"{int(days / 365)} years"


def _since(stamp: str, now: float | None) -> float:
    now = time.time() if now is None else now
    return max(0.0, now - parse_time(stamp) / 1e9) if stamp else 0.0


def status_text(record: ContainerRecord, now: float | None = None) -> str:
    state = record.state
    if state == "created":
        return "Created"
    if state in ("running", "paused"):
        text = f"Up {human_duration(_since(record.started_at, now))}"
        if record.health is not None:
            text += f" ({record.health.status})" if record.health.status != "starting" else " (health: starting)"
        return text + (" (Paused)" if state == "paused" else "")
    if state == "restarting":
        return f"Restarting ({record.exit_code}) {human_duration(_since(record.finished_at, now))} ago"
    if state == "removing":
        return "Removal In Progress"
    if state == "dead":
        return "Dead"
    return f"Exited ({record.exit_code}) {human_duration(_since(record.finished_at, now))} ago"


def args_of(record: ContainerRecord, config_json: dict[str, Any] | None) -> list[str]:
    if config_json:
        return list(config_json.get("process", {}).get("args") or [])
    options = record.config.launch.get("options", {})
    return list(options.get("entrypoint") or []) + list(options.get("command") or [])


def command_text(args: list[str], truncate: bool = True) -> str:
    """Docker's COMMAND: the program, then its arguments, one holding a space in single quotes (moby's list)."""
    text = " ".join(args[:1] + [f"'{a}'" if " " in a else a for a in args[1:]])
    if truncate and len(text) > 20:
        text = text[:19] + "…"
    return f'"{text}"'


def mounts_of(record: ContainerRecord, config_json: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Docker's `Mounts` of inspect: the container's binds, volumes and tmpfs mounts, in the order given; a
    volume's Source is its directory on the host, as config.json binds it."""
    sources = {m.get("destination"): m.get("source", "") for m in (config_json or {}).get("mounts", [])}
    views = []
    for mount in record.config.launch.get("options", {}).get("mounts") or []:
        kind, target, read_only = mount.get("type"), mount.get("target"), bool(mount.get("read_only"))
        view: dict[str, Any] = {"Type": kind}
        if kind == "volume":
            view["Name"] = mount.get("source") or ""
        view["Source"] = "" if kind == "tmpfs" else sources.get(target) or mount.get("source") or ""
        view["Destination"] = target
        if kind == "volume":
            view["Driver"] = "local"
        view |= {"Mode": "ro" if read_only else "", "RW": not read_only,
                 "Propagation": (mount.get("propagation") or "rprivate") if kind == "bind" else ""}
        views.append(view)
    return views


def _mount_names(record: ContainerRecord, truncate: bool) -> str:
    """`ps`'s Mounts: each volume's name or bind's source (Docker cuts them at 15 characters)."""
    names = [m.get("source") or "" for m in record.config.launch.get("options", {}).get("mounts") or []
             if m.get("type") != "tmpfs"]
    return ",".join(n[:14] + "…" if truncate and len(n) > 15 else n for n in names)


def ls_row(record: ContainerRecord, args: list[str], now: float | None = None, truncate: bool = True
           ) -> dict[str, str]:
    launch = record.config.launch
    mounts = launch.get("options", {}).get("mounts") or []
    return {
        "Command": command_text(args, truncate),
        "CreatedAt": time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC", time.gmtime(parse_time(record.created) / 1e9)),
        "ID": record.id[:12] if truncate else record.id,
        "Image": launch.get("image", ""),
        "Labels": ",".join(f"{k}={v}" for k, v in record.labels.items()),
        "LocalVolumes": str(sum(1 for m in mounts if m.get("type") == "volume")),
        "Mounts": _mount_names(record, truncate),
        "Names": record.name,
        "Networks": launch.get("options", {}).get("network", "none"),
        "Ports": "",
        "RunningFor": f"{human_duration(_since(record.created, now))} ago",
        "Size": "0B",
        "State": record.state,
        "Status": status_text(record, now),
    }


def inspect(record: ContainerRecord, pid: int, config_json: dict[str, Any] | None) -> dict[str, Any]:
    launch = record.config.launch
    options = launch.get("options", {})
    process = (config_json or {}).get("process", {})
    args = args_of(record, config_json)
    user = options.get("user") or ""
    return {
        "Id": record.id,
        "Created": record.created,
        "Path": args[0] if args else "",
        "Args": args[1:],
        "State": {
            "Status": record.state,
            "Running": record.state in ("running", "paused"),
            "Paused": record.state == "paused",
            "Restarting": record.state == "restarting",
            "OOMKilled": False,
            "Dead": record.state == "dead",
            "Pid": pid,
            "ExitCode": record.exit_code or 0,
            "Error": record.error,
            "StartedAt": record.started_at or ZERO_TIME,
            "FinishedAt": record.finished_at or ZERO_TIME,
        },
        "Image": launch.get("image_id", ""),
        "LogPath": "",
        "Name": "/" + record.name,
        "RestartCount": record.restart_count,
        "Driver": "overlay2",
        "HostConfig": host_config(record),
        "Mounts": mounts_of(record, config_json),
        "Config": {
            "Hostname": (config_json or {}).get("hostname", ""),
            "User": user,
            "Env": list(process.get("env") or []),
            "Cmd": list(options.get("command") or []) or None,
            "Image": launch.get("image", ""),
            "WorkingDir": options.get("workdir") or "",
            "Entrypoint": options.get("entrypoint"),
            "Labels": dict(record.labels),
            "StopSignal": record.config.stop_signal,
            "StopTimeout": record.config.stop_timeout,
            "Tty": record.config.tty,
            "OpenStdin": record.config.open_stdin,
            "StdinOnce": record.config.stdin_once,
            **config_extras(record),
        },
    }


# --- stats -------------------------------------------------------------------------------------
# The rendering of `stats` lives here, beside `ls_row`, not in engine/containers/stats.py: that module
# reads the kernel, this one shapes Docker's text, so each is tested alone (a row from numbers).

STATS_COLUMNS = [("CONTAINER ID", "ID"), ("NAME", "Name"), ("CPU %", "CPUPerc"),
                 ("MEM USAGE / LIMIT", "MemUsage"), ("MEM %", "MemPerc"), ("NET I/O", "NetIO"),
                 ("BLOCK I/O", "BlockIO"), ("PIDS", "PIDs")]


def stats_row(record: ContainerRecord, reading, cpu: float, container: str | None = None,  # type: ignore[no-untyped-def]
              truncate: bool = True) -> dict[str, str]:
    """One line of `docker stats` (its JSON keys) from a reading (engine.containers.stats.Sample) and the CPU %."""
    limit = reading.memory_limit
    mem_perc = reading.memory_used / limit * 100.0 if limit else 0.0
    return {
        "BlockIO": f"{human_size(reading.block_read)} / {human_size(reading.block_write)}",
        "CPUPerc": f"{cpu:.2f}%",
        "Container": container or (record.id[:12] if truncate else record.id),
        "ID": record.id[:12] if truncate else record.id,
        "MemPerc": f"{mem_perc:.2f}%",
        "MemUsage": f"{bytes_size(reading.memory_used)} / {bytes_size(limit)}",
        "Name": record.name,
        "NetIO": f"{human_size(reading.net_rx)} / {human_size(reading.net_tx)}",
        "PIDs": str(reading.pids),
    }

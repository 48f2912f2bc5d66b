"""`inspect`'s HostConfig (and the Config keys options add), in Docker's shape, from the stored options.

    host_config(record)  -> {"Privileged": False, "CapAdd": None, "IpcMode": "private", ...}
    config_extras(record) -> {"Domainname": "", "ExposedPorts": {"80/tcp": {}}}

Docker's zero values where an option is unset (null lists, 0 numbers, empty strings), so that a
script written against `docker inspect` reads the same keys here.
"""

from __future__ import annotations

from typing import Any

from engine.state import ContainerRecord


def _bytes(value: str | int | None) -> int:
    if value in (None, ""):
        return 0
    from engine.cgroups.resources import parse_bytes

    return parse_bytes(value)  # type: ignore[arg-type]


def _list(value: Any) -> list | None:
    return list(value) if value else None


def _restart(policy: str) -> dict[str, Any]:
    name, _, count = policy.partition(":")
    return {"Name": name, "MaximumRetryCount": int(count or 0)}


def _security_opt(options: dict[str, Any]) -> list[str] | None:
    out = []
    if options.get("no_new_privileges"):
        out.append("no-new-privileges")
    if options.get("seccomp"):
        out.append(f"seccomp={options['seccomp']}")
    if options.get("system_paths_unconfined"):
        out.append("systempaths=unconfined")
    return out or None


def _log_config(record: ContainerRecord, options: dict[str, Any]) -> dict[str, Any]:
    return {"Type": options.get("log_driver") or record.config.log.driver,
            "Config": dict(options.get("log_opts") or {})}


def host_config(record: ContainerRecord) -> dict[str, Any]:
    launch = record.config.launch
    o = launch.get("options", {})
    return {
        "AutoRemove": bool(launch.get("auto_remove")),
        "Privileged": bool(o.get("privileged")),
        "CapAdd": _list(o.get("cap_add")),
        "CapDrop": _list(o.get("cap_drop")),
        "ReadonlyRootfs": bool(o.get("read_only")),
        "SecurityOpt": _security_opt(o),
        "GroupAdd": _list(o.get("group_add")),
        "Init": o.get("init") or None,
        "Sysctls": dict(o.get("sysctls") or {}) or None,
        "Annotations": dict(o.get("annotations") or {}) or None,
        "OomScoreAdj": o.get("oom_score_adj") or 0,
        "IpcMode": o.get("ipc") or "private",
        "PidMode": o.get("pid") or "",
        "UTSMode": o.get("uts") or "",
        "CgroupnsMode": o.get("cgroupns") or "private",
        "UsernsMode": o.get("userns") or "",
        "ShmSize": o.get("shm_size") or 64 << 20,
        "NetworkMode": o.get("network", "none"),
        "VolumesFrom": _list(o.get("volumes_from")),
        "RestartPolicy": _restart(record.config.restart),
        "Runtime": launch.get("runtime", "native"),
        "LogConfig": _log_config(record, o),
        # Resources
        "CgroupParent": o.get("cgroup_parent") or "",
        "Memory": _bytes(o.get("memory")),
        "MemoryReservation": _bytes(o.get("memory_reservation")),
        "MemorySwap": _bytes(o.get("memory_swap")),
        "MemorySwappiness": o.get("memory_swappiness"),
        "OomKillDisable": bool(o.get("oom_kill_disable")),
        "NanoCpus": int((o.get("cpus") or 0) * 1e9),
        "CpuShares": o.get("cpu_shares") or 0,
        "CpuPeriod": o.get("cpu_period") or 0,
        "CpuQuota": o.get("cpu_quota") or 0,
        "CpusetCpus": o.get("cpuset_cpus") or "",
        "CpusetMems": o.get("cpuset_mems") or "",
        "BlkioWeight": o.get("blkio_weight") or 0,
        "BlkioWeightDevice": [{"Path": p, "Weight": w} for p, w in o.get("blkio_weight_device") or ()],
        **{name: [{"Path": p, "Rate": _bytes(r)} for p, r in o.get(key) or ()]
           for name, key in (("BlkioDeviceReadBps", "device_read_bps"), ("BlkioDeviceWriteBps", "device_write_bps"),
                             ("BlkioDeviceReadIOps", "device_read_iops"),
                             ("BlkioDeviceWriteIOps", "device_write_iops"))},
        "PidsLimit": o.get("pids_limit"),
        "Devices": [{"PathOnHost": d["host"], "PathInContainer": d["container"],
                     "CgroupPermissions": d["permissions"]} for d in o.get("devices") or ()],
        "DeviceCgroupRules": _list(o.get("device_cgroup_rules")),
        "Ulimits": [{"Name": u["name"], "Hard": u["hard"], "Soft": u["soft"]} for u in o.get("ulimits") or ()]
        or None,
    }


def config_extras(record: ContainerRecord) -> dict[str, Any]:
    o = record.config.launch.get("options", {})
    exposed = {port: {} for port in o.get("expose") or ()}
    return {"Domainname": o.get("domainname") or "", **({"ExposedPorts": exposed} if exposed else {})}

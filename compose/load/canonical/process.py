"""Canonical forms of a service's process, resources and build: the table of rules.

The rules live by family in `process_cmd` (commands, healthchecks, hooks),
`process_env` (environment, labels and their files), `process_resources` (sizes,
CPUs, limits, devices, hosts) and `process_build` (build, deploy). This module
only lists them, with the attributes Compose leaves out when false, zero or empty.
"""

from __future__ import annotations

from typing import Any

from compose.errors import KeyPath
from compose.load.canonical import DELETE, Context, Rule
from compose.load.canonical import process_build as b
from compose.load.canonical import process_cmd as c
from compose.load.canonical import process_env as e
from compose.load.canonical import process_resources as r

SIZES = ("mem_limit", "mem_reservation", "memswap_limit", "shm_size", "mem_swappiness")
INTEGERS = ("cpu_count", "cpu_percent", "cpu_shares", "cpu_quota", "cpu_period", "cpu_rt_runtime",
            "cpu_rt_period", "oom_score_adj", "pids_limit")
STRING_LISTS = ("dns", "dns_search", "dns_opt", "group_add")
# Printed only when set to something other than false, zero or empty.
OMIT_ZERO = ("privileged", "stdin_open", "tty", "read_only", "oom_kill_disable", "use_api_socket",
             "cgroup", "cgroup_parent", "container_name", "cpuset", "domainname", "hostname", "image", "ipc",
             "isolation", "mac_address", "pid", "platform", "restart", "runtime", "stop_signal", "user",
             "userns_mode", "uts", "working_dir", "pull_refresh_after", "cap_add", "cap_drop", "security_opt",
             "device_cgroup_rules", "devices", "profiles", "post_start", "pre_stop", "storage_opt", "credential_spec")


def _drop_null(value: Any, ctx: Context, path: KeyPath) -> Any:
    return DELETE if value is None else value


def develop(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `develop`: watch paths absolute, `ignore`/`include` as lists."""
    if not isinstance(value, dict) or not value.get("watch"):
        return {} if value is None else value
    watch = []
    for item in value["watch"]:
        entry = dict(item)
        if "path" in entry:
            entry["path"] = b.local_path(str(entry["path"]), ctx)
        for key in ("ignore", "include"):
            if isinstance(entry.get(key), str):
                entry[key] = [entry[key]]
            elif key in entry and not entry[key]:
                del entry[key]
        watch.append(entry)
    return {**value, "watch": watch}


def _service(name: str) -> str:
    return f"services.*.{name}"


RULES: list[tuple[str, Rule]] = [
    ("services.*", e.service_environment),
    ("services.*", e.service_labels),
    (_service("annotations"), e.string_map),
    (_service("sysctls"), e.string_map),
    *c.RULES,
    (_service("stop_grace_period"), c.duration),
    *[(_service(name), r.size_string) for name in SIZES],
    *[(_service(name), r.integer) for name in INTEGERS],
    *[(_service(name), r.string_list) for name in STRING_LISTS],
    (_service("cpus"), r.cpus),
    (_service("scale"), r.integer_kept),
    (_service("ulimits"), r.ulimits),
    (_service("devices.*"), r.device),
    (_service("extra_hosts"), r.extra_hosts),
    (_service("gpus"), r.gpus),
    (_service("blkio_config"), r.blkio),
    (_service("logging"), r.logging),
    (_service("pull_policy"), r.pull_policy),
    (_service("depends_on"), r.depends_on),
    (_service("models"), r.models),
    (_service("develop"), develop),
    (_service("build"), b.build),
    (_service("deploy"), b.deploy),
    (_service("init"), _drop_null),
    (_service("attach"), _drop_null),
    *[(_service(name), r.omit_zero) for name in OMIT_ZERO],
]

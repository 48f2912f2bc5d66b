"""The Compose Specification's service, as data (the vocabulary is in `schema.py`).

Where the specification says a list holds unique items but Compose removes repeated
entries before it validates (cap_add, environment, ports, volumes...), the table lets
them repeat: the merge phase removes them, as Compose does.
"""

from __future__ import annotations

from compose.load.schema import (
    ANY,
    BOOL,
    BOOL_OR_STR,
    COMMAND,
    CONFIG_OR_SECRET_REFS,
    DRIVER_OPTS,
    EXTRA_HOSTS,
    INT,
    INT_OR_STR,
    LIST_OR_DICT,
    NAME_KEYS,
    NAME_RULE,
    NULL,
    NUM,
    NUM_OR_STR,
    STR,
    STR_OR_LIST,
    STR_OR_UNIQUE_LIST,
    STRINGS,
    ULIMITS,
    UNIQUE_LIST_OR_DICT,
    UNIQUE_STRINGS,
    Int,
    List,
    Map,
    Obj,
    enum,
    one_of,
    options,
    pattern,
)

HOOK = Obj({
    "command": COMMAND,
    "user": STR,
    "privileged": BOOL_OR_STR,
    "working_dir": STR,
    "environment": UNIQUE_LIST_OR_DICT,
}, required=("command",))

DEVELOP = one_of(NULL, Obj({
    "watch": List(Obj({
        "ignore": STR_OR_UNIQUE_LIST,
        "include": STR_OR_UNIQUE_LIST,
        "path": STR,
        "action": enum("rebuild", "sync", "restart", "sync+restart", "sync+exec"),
        "target": STR,
        "exec": HOOK,
        "initial_sync": BOOL,
    }, required=("path", "action"))),
}))

_DEVICE_REQUEST = {
    "capabilities": UNIQUE_STRINGS,
    "count": one_of(STR, INT),
    "device_ids": UNIQUE_STRINGS,
    "driver": STR,
    "options": UNIQUE_LIST_OR_DICT,
}

_UPDATE = Obj({
    "parallelism": INT_OR_STR,
    "delay": STR,
    "failure_action": STR,
    "monitor": STR,
    "max_failure_ratio": NUM_OR_STR,
    "order": enum("start-first", "stop-first"),
})

DEPLOY = one_of(NULL, Obj({
    "mode": STR,
    "endpoint_mode": STR,
    "replicas": INT_OR_STR,
    "labels": LIST_OR_DICT,
    "rollback_config": _UPDATE,
    "update_config": _UPDATE,
    "resources": Obj({
        "limits": Obj({"cpus": NUM_OR_STR, "memory": STR, "pids": INT_OR_STR}),
        "reservations": Obj({
            "cpus": NUM_OR_STR,
            "memory": STR,
            "generic_resources": List(Obj({
                "discrete_resource_spec": Obj({"kind": STR, "value": NUM_OR_STR}),
            })),
            "devices": List(Obj(_DEVICE_REQUEST, required=("capabilities",))),
        }),
    }),
    "restart_policy": Obj({"condition": STR, "delay": STR, "max_attempts": INT_OR_STR, "window": STR}),
    "placement": Obj({
        "constraints": STRINGS,
        "preferences": List(Obj({"spread": STR})),
        "max_replicas_per_node": INT_OR_STR,
    }),
}))

# The specification misplaces `additionalProperties` for gpus, so Compose lets other keys through.
GPUS = one_of(enum("all"), List(Obj(_DEVICE_REQUEST, other=ANY)))

BUILD = one_of(STR, Obj({
    "context": STR,
    "dockerfile": STR,
    "dockerfile_inline": STR,
    "entitlements": STRINGS,
    "args": LIST_OR_DICT,
    "ssh": UNIQUE_LIST_OR_DICT,
    "labels": LIST_OR_DICT,
    "cache_from": STRINGS,
    "cache_to": STRINGS,
    "no_cache": BOOL_OR_STR,
    "additional_contexts": LIST_OR_DICT,
    "network": STR,
    "provenance": one_of(STR, BOOL),
    "sbom": one_of(STR, BOOL),
    "pull": BOOL_OR_STR,
    "target": STR,
    "shm_size": INT_OR_STR,
    "extra_hosts": EXTRA_HOSTS,
    "isolation": STR,
    "privileged": BOOL_OR_STR,
    "secrets": CONFIG_OR_SECRET_REFS,
    "tags": STRINGS,
    "ulimits": ULIMITS,
    "platforms": STRINGS,
}))

_BLKIO_LIMITS = List(Obj({"path": STR, "rate": INT_OR_STR}, extensions=False))

BLKIO_CONFIG = Obj({
    "device_read_bps": _BLKIO_LIMITS,
    "device_read_iops": _BLKIO_LIMITS,
    "device_write_bps": _BLKIO_LIMITS,
    "device_write_iops": _BLKIO_LIMITS,
    "weight": INT_OR_STR,
    "weight_device": List(Obj({"path": STR, "weight": INT_OR_STR}, extensions=False)),
}, extensions=False)

DEPENDS_ON = one_of(UNIQUE_STRINGS, Map(Obj({
    "restart": BOOL_OR_STR,
    "required": BOOL,
    "condition": enum("service_started", "service_healthy", "service_completed_successfully"),
}, required=("condition",)), keys=NAME_KEYS, what="service name", rule=NAME_RULE))

ENV_FILE = one_of(STR, List(one_of(STR, Obj({
    "path": STR,
    "format": STR,
    "required": BOOL_OR_STR,
}, required=("path",), extensions=False))))

HEALTHCHECK = Obj({
    "disable": BOOL_OR_STR,
    "interval": STR,
    "retries": NUM_OR_STR,
    "test": one_of(STR, STRINGS),
    "timeout": STR,
    "start_period": STR,
    "start_interval": STR,
})

SERVICE_NETWORKS = one_of(UNIQUE_STRINGS, Map(one_of(NULL, Obj({
    "aliases": STRINGS,
    "interface_name": STR,
    "ipv4_address": STR,
    "ipv6_address": STR,
    "link_local_ips": STRINGS,
    "mac_address": STR,
    "driver_opts": DRIVER_OPTS,
    "priority": NUM,
    "gw_priority": NUM,
})), keys=NAME_KEYS, what="network name", rule=NAME_RULE))

# Compose lets models of any name through here; their definitions are checked all the same.
SERVICE_MODELS = one_of(UNIQUE_STRINGS, Map(
    one_of(NULL, Obj({"endpoint_var": STR, "model_var": STR})), keys=NAME_KEYS, what="model name", rule=NAME_RULE,
    other=one_of(NULL, Obj({"endpoint_var": STR, "model_var": STR}))))

PORTS = List(one_of(NUM, STR, Obj({
    "name": STR,
    "mode": STR,
    "host_ip": STR,
    "target": INT_OR_STR,
    "published": one_of(STR, INT),
    "protocol": STR,
    "app_protocol": STR,
})))

VOLUMES = List(one_of(STR, Obj({
    "type": enum("bind", "volume", "tmpfs", "cluster", "npipe", "image"),
    "source": STR,
    "target": STR,
    "read_only": BOOL_OR_STR,
    "consistency": STR,
    "bind": Obj({
        "propagation": STR,
        "create_host_path": BOOL_OR_STR,
        "recursive": enum("enabled", "disabled", "writable", "readonly"),
        "selinux": enum("z", "Z"),
    }),
    "volume": Obj({"labels": UNIQUE_LIST_OR_DICT, "nocopy": BOOL_OR_STR, "subpath": STR}),
    "tmpfs": Obj({"size": one_of(Int(minimum=0), STR), "mode": NUM_OR_STR}),
    "image": Obj({"subpath": STR}),
}, required=("type",))))

PROVIDER = Obj({
    "type": STR,
    "options": options(one_of(STR, NUM, BOOL, List(one_of(STR, NUM, BOOL)))),
}, required=("type",))

SERVICE = Obj({
    "develop": DEVELOP,
    "deploy": DEPLOY,
    "annotations": LIST_OR_DICT,
    "attach": BOOL_OR_STR,
    "build": BUILD,
    "blkio_config": BLKIO_CONFIG,
    "cap_add": STRINGS,
    "cap_drop": STRINGS,
    "cgroup": enum("host", "private"),
    "cgroup_parent": STR,
    "command": COMMAND,
    "configs": CONFIG_OR_SECRET_REFS,
    "container_name": pattern("[a-zA-Z0-9][a-zA-Z0-9_.-]+", 'it needs two characters in a row from letters, '
                              'digits, "_", "." and "-", the first a letter or digit'),
    "cpu_count": one_of(STR, Int(minimum=0)),
    "cpu_percent": one_of(STR, Int(minimum=0, maximum=100)),
    "cpu_shares": NUM_OR_STR,
    "cpu_quota": NUM_OR_STR,
    "cpu_period": NUM_OR_STR,
    "cpu_rt_period": NUM_OR_STR,
    "cpu_rt_runtime": NUM_OR_STR,
    "cpus": NUM_OR_STR,
    "cpuset": STR,
    "credential_spec": Obj({"config": STR, "file": STR, "registry": STR}),
    "depends_on": DEPENDS_ON,
    "device_cgroup_rules": UNIQUE_STRINGS,
    "devices": List(one_of(STR, Obj({"source": STR, "target": STR, "permissions": STR}, required=("source",)))),
    "dns": STR_OR_LIST,
    "dns_opt": STRINGS,
    "dns_search": STR_OR_LIST,
    "domainname": STR,
    "entrypoint": COMMAND,
    "env_file": ENV_FILE,
    "label_file": one_of(STR, STRINGS),
    "environment": LIST_OR_DICT,
    "expose": List(one_of(STR, NUM)),
    # Compose applies `extends` before it validates, and ignores keys it does not know there.
    "extends": one_of(STR, Obj({"service": STR, "file": STR}, required=("service",), extensions=False, other=ANY)),
    "provider": PROVIDER,
    "external_links": UNIQUE_STRINGS,
    "extra_hosts": EXTRA_HOSTS,
    "gpus": GPUS,
    "group_add": List(one_of(STR, NUM), unique=True),
    "healthcheck": HEALTHCHECK,
    "hostname": STR,
    "image": STR,
    "init": BOOL_OR_STR,
    "ipc": STR,
    "isolation": STR,
    "labels": LIST_OR_DICT,
    "links": STRINGS,
    "logging": Obj({"driver": STR, "options": options(one_of(STR, NUM, NULL))}),
    "mac_address": STR,
    "mem_limit": NUM_OR_STR,
    "mem_reservation": one_of(STR, INT),
    "mem_swappiness": INT_OR_STR,
    "memswap_limit": NUM_OR_STR,
    "network_mode": STR,
    "models": SERVICE_MODELS,
    "networks": SERVICE_NETWORKS,
    "oom_kill_disable": BOOL_OR_STR,
    "oom_score_adj": one_of(STR, Int(minimum=-1000, maximum=1000)),
    "pid": STR,  # the specification allows null, on which Compose 2.40.3 crashes
    "pids_limit": NUM_OR_STR,
    "platform": STR,
    "ports": PORTS,
    "post_start": List(HOOK),
    "pre_stop": List(HOOK),
    "privileged": BOOL_OR_STR,
    "profiles": STRINGS,
    "pull_policy": pattern("always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+",
                           'use always, never, build, if_not_present, missing, refresh, daily, weekly '
                           'or every_<duration> (e.g. every_12h)'),
    "pull_refresh_after": STR,
    "read_only": BOOL_OR_STR,
    "restart": STR,
    "runtime": STR,
    "scale": INT_OR_STR,
    "security_opt": UNIQUE_STRINGS,
    "shm_size": NUM_OR_STR,
    "secrets": CONFIG_OR_SECRET_REFS,
    "sysctls": LIST_OR_DICT,
    "stdin_open": BOOL_OR_STR,
    "stop_grace_period": STR,
    "stop_signal": STR,
    "storage_opt": Map(one_of(STR, INT, NULL)),  # what Compose can decode into its string map
    "tmpfs": STR_OR_LIST,
    "tty": BOOL_OR_STR,
    "ulimits": ULIMITS,
    "use_api_socket": BOOL,
    "user": STR,
    "uts": STR,
    "userns_mode": STR,
    "volumes": VOLUMES,
    "volumes_from": UNIQUE_STRINGS,
    "working_dir": STR,
})

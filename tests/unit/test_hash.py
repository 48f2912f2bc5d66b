"""Config hashes: stable across runs and key orders, sensitive to what runs, blind to how many run."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from typing import Any

import pytest

from compose.hash import network_hash, service_hash, volume_hash

WEB: dict[str, Any] = {
    "image": "nginx:1.25",
    "command": ["nginx", "-g", "daemon off;"],
    "entrypoint": None,
    "environment": {"FOO": "bar", "EMPTY": None},
    "ports": [{"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}],
    "networks": {"default": None},
    "deploy": {"resources": {"limits": {"memory": "536870912"}}},
}


def test_hash_is_a_sha256_hex_digest() -> None:
    value = service_hash(WEB)
    assert len(value) == 64 and int(value, 16) >= 0


def test_key_order_does_not_matter() -> None:
    reordered = {k: WEB[k] for k in reversed(list(WEB))}
    reordered["environment"] = {"EMPTY": None, "FOO": "bar"}
    assert service_hash(reordered) == service_hash(WEB)


def test_tuples_and_read_only_mappings_hash_like_lists_and_dicts() -> None:
    frozen = dict(WEB, command=tuple(WEB["command"]), environment=types.MappingProxyType(WEB["environment"]))
    assert service_hash(frozen) == service_hash(WEB)


def test_null_attributes_are_the_same_as_absent_ones() -> None:
    # `config --format json` prints `"command": null`; the YAML form leaves the key out.
    assert service_hash({k: v for k, v in WEB.items() if v is not None}) == service_hash(WEB)


@pytest.mark.parametrize(
    "change",
    [
        {"image": "nginx:1.26"},
        {"command": ["nginx"]},
        {"command": []},
        {"environment": {"FOO": "baz", "EMPTY": None}},
        {"environment": {"FOO": "bar", "EMPTY": ""}},
        {"ports": [{"mode": "ingress", "target": 80, "published": "8081", "protocol": "tcp"}]},
        {"deploy": {"resources": {"limits": {"memory": "1073741824"}}}},
        {"labels": {"a": "1"}},
    ],
)
def test_what_runs_changes_the_hash(change: dict[str, Any]) -> None:
    assert service_hash({**WEB, **change}) != service_hash(WEB)


@pytest.mark.parametrize(
    "change",
    [
        {"scale": 3},
        {"deploy": {"replicas": 4, "resources": {"limits": {"memory": "536870912"}}}},
        {"build": {"context": "/src", "dockerfile": "Dockerfile"}},
        {"pull_policy": "always"},
        {"depends_on": {"db": {"condition": "service_healthy", "required": True}}},
        {"profiles": ["debug"]},
    ],
)
def test_how_many_run_and_how_the_image_is_got_do_not(change: dict[str, Any]) -> None:
    assert service_hash({**WEB, **change}) == service_hash(WEB)


def test_replicas_alone_leave_no_deploy_behind() -> None:
    assert service_hash({"image": "a", "deploy": {"replicas": 2}}) == service_hash({"image": "a", "scale": 2})


def test_hash_does_not_touch_its_input() -> None:
    data = {**WEB, "scale": 2, "deploy": {"replicas": 2}}
    service_hash(data)
    assert data["deploy"] == {"replicas": 2} and data["scale"] == 2


def test_hash_is_the_same_in_another_process() -> None:
    code = "import sys, json; from compose.hash import service_hash; print(service_hash(json.loads(sys.argv[1])))"
    out = subprocess.run([sys.executable, "-c", code, json.dumps(WEB)], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PYTHONPATH": "."})
    assert out.stdout.strip() == service_hash(WEB)


def test_network_and_volume_hashes() -> None:
    assert network_hash({"name": "p_default", "ipam": None}) == network_hash({"name": "p_default"})
    assert network_hash({"name": "p_a"}) != network_hash({"name": "p_b"})
    assert volume_hash({"name": "p_data"}) == volume_hash({"name": "p_data", "driver": "local"})
    assert volume_hash({"name": "p_data"}) != volume_hash({"name": "p_data", "driver": "nfs"})

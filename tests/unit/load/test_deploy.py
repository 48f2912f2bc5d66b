"""`deploy`: resources in bytes and numbers, durations in Go form, empty parts dropped."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_full():
    given = {
        "mode": "replicated", "replicas": "2", "labels": ["a=1"],
        "resources": {"limits": {"cpus": "0.5", "memory": "50M", "pids": 10},
                      "reservations": {"cpus": 0.25, "memory": "20M",
                                       "devices": [{"capabilities": ["gpu"]},
                                                   {"capabilities": ["gpu"], "count": "3"}]}},
        "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 3, "window": "120s"},
        "update_config": {"parallelism": 2, "delay": "10s", "monitor": "60s", "max_failure_ratio": 0.3},
        "rollback_config": {"parallelism": 0, "delay": "0s", "monitor": "1m"},
        "placement": {"constraints": ["node.role==manager"], "max_replicas_per_node": 1},
    }
    assert canon({"deploy": given})["deploy"] == {
        "mode": "replicated", "replicas": 2, "labels": {"a": "1"},
        "resources": {"limits": {"cpus": 0.5, "memory": "52428800", "pids": 10},
                      "reservations": {"cpus": 0.25, "memory": "20971520",
                                       "devices": [{"capabilities": ["gpu"], "count": -1},
                                                   {"capabilities": ["gpu"], "count": 3}]}},
        "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 3, "window": "2m0s"},
        "update_config": {"parallelism": 2, "delay": "10s", "monitor": "1m0s", "max_failure_ratio": 0.3},
        "rollback_config": {"parallelism": 0, "monitor": "1m0s"},
        "placement": {"constraints": ["node.role==manager"], "max_replicas_per_node": 1},
    }


def test_empty_parts():
    assert canon({"deploy": {}}) == {"deploy": {}}
    assert canon({"deploy": {"resources": {}, "placement": {}, "labels": {}, "mode": ""}}) == {"deploy": {}}
    assert canon({"deploy": {"replicas": 0, "resources": {"limits": {"cpus": 0, "memory": "0"}}}}) == {
        "deploy": {"replicas": 0, "resources": {"limits": {}}}}
    assert canon({"deploy": {"restart_policy": {"max_attempts": 0, "delay": "0s"}}}) == {
        "deploy": {"restart_policy": {"max_attempts": 0, "delay": "0s"}}}


def test_bad_duration():
    with pytest.raises(FileError, match="not a valid duration"):
        canon({"deploy": {"restart_policy": {"delay": "5"}}})

"""Merging `-f` files: each case was checked with `docker compose -f a.yaml -f b.yaml config` (v2.40.3)."""

from __future__ import annotations

from compose.load.merge import go_str, merge


def web(base: dict, over: dict) -> dict:
    """Merge two `services.web` bodies and return the merged body."""
    out = merge({"services": {"web": {"image": "x", **base}}}, {"services": {"web": over}})
    return out["services"]["web"]


def test_scalars_are_replaced_and_null_keeps_the_earlier_value():
    assert web({"command": ["a", "b"]}, {"command": "c d"})["command"] == "c d"
    assert web({"entrypoint": "a"}, {"entrypoint": ["b"]})["entrypoint"] == ["b"]
    merged = web({"ports": ["80"]}, {"image": None, "ports": None})
    assert merged["image"] == "x" and merged["ports"] == ["80"]


def test_environment_list_and_mapping_merge_by_name():
    merged = web({"environment": ["A=1", "B=2", "C"]}, {"environment": {"A": 10, "D": 4, "C": None}})
    assert merged["environment"] == ["A=10", "B=2", "C", "D=4"]
    assert web({"environment": {"A": 1, "B": 2}}, {"environment": ["A", "B="]})["environment"] == ["A", "B="]
    assert web({"environment": {"A": 1.5, "B": True}}, {"environment": {"C": 1e6}})["environment"] == [
        "A=1.5", "B=true", "C=1e+06"]


def test_labels_annotations_sysctls_build_args_merge_by_name():
    assert web({"labels": ["x=1", "y=2"]}, {"labels": {"y": 3, "z": 4}})["labels"] == ["x=1", "y=3", "z=4"]
    assert web({"sysctls": ["net.a=1"]}, {"sysctls": {"net.a": 2}})["sysctls"] == ["net.a=2"]
    build = web({"build": {"context": ".", "args": ["A=1", "B=2"]}}, {"build": {"args": {"A": 3}}})["build"]
    assert build == {"context": ".", "args": ["A=3", "B=2"]}


def test_build_string_is_a_context():
    assert web({"build": "."}, {"build": {"dockerfile": "D"}})["build"] == {"context": ".", "dockerfile": "D"}
    assert web({"build": {"context": "a"}}, {"build": "b"})["build"] == {"context": "b"}
    assert web({"build": {"context": ".", "tags": ["a", "b"]}}, {"build": {"tags": ["b", "c"]}})["build"]["tags"] == [
        "a", "b", "c"]
    assert web({"build": {"context": ".", "cache_from": ["a"]}}, {"build": {"cache_from": ["a"]}})["build"][
        "cache_from"] == ["a", "a"]


def test_ports_are_unique_by_address_published_target_and_protocol():
    merged = web({"ports": ["80:80", "81", "8000-8001:8000-8001", {"target": 91}]},
                 {"ports": [{"target": 80, "published": "80"}, 81, "8001:8001", {"target": 91}]})
    assert merged["ports"] == [{"target": 80, "published": "80"}, 81, "8000:8000", "8001:8001", {"target": 91}]
    # a published port written as a number is not the same port as a string one (as in Compose)
    assert web({"ports": ["80:80"]}, {"ports": [{"target": 80, "published": 80}]})["ports"] == [
        "80:80", {"target": 80, "published": 80}]
    assert web({"ports": ["80:80"]}, {"ports": ["0.0.0.0:80:80/tcp", "127.0.0.1:80:80"]})["ports"] == [
        "0.0.0.0:80:80/tcp", "127.0.0.1:80:80"]


def test_volumes_merge_by_target_whatever_the_syntax():
    merged = web({"volumes": ["./data:/data", "logs:/logs:ro", "./a:/d/"]},
                 {"volumes": [{"type": "bind", "source": "./other", "target": "/data"}, "/x:/y", "./b:/d"]})
    assert merged["volumes"] == [{"type": "bind", "source": "./other", "target": "/data"}, "logs:/logs:ro", "./b:/d",
                                 "/x:/y"]


def test_secrets_configs_devices_merge_by_target():
    assert web({"secrets": ["a"]}, {"secrets": [{"source": "b", "target": "/run/secrets/a"}, {"source": "a",
                                                                                            "target": "a"}]})[
        "secrets"] == [{"source": "b", "target": "/run/secrets/a"}, {"source": "a", "target": "a"}]
    assert web({"configs": ["a"]}, {"configs": [{"source": "a"}]})["configs"] == [{"source": "a"}]
    assert web({"devices": ["/dev/a"]}, {"devices": ["/dev/b:/dev/a"]})["devices"] == ["/dev/b:/dev/a"]


def test_lists_made_unique_or_appended():
    merged = web({"cap_add": ["NET_ADMIN"], "dns": "8.8.8.8", "expose": ["80", 81], "profiles": ["p1"],
                  "links": ["db"], "tmpfs": ["/run:size=1", "/x"], "security_opt": ["a"],
                  "post_start": [{"command": "a"}]},
                 {"cap_add": ["SYS_ADMIN", "NET_ADMIN"], "dns": ["1.1.1.1", "8.8.8.8"], "expose": ["81", "82"],
                  "profiles": ["p2", "p1"], "links": ["db:db2", "db"], "tmpfs": ["/run:size=2"], "security_opt": ["b"],
                  "post_start": [{"command": "a"}]})
    assert merged["cap_add"] == ["NET_ADMIN", "SYS_ADMIN"]
    assert merged["dns"] == ["8.8.8.8", "1.1.1.1"]
    assert merged["expose"] == ["80", "81", "82"]
    assert merged["profiles"] == ["p1", "p2"]
    assert merged["links"] == ["db", "db:db2"]
    assert merged["tmpfs"] == ["/run:size=2", "/x"]
    assert merged["security_opt"] == ["a", "b"]
    assert merged["post_start"] == [{"command": "a"}, {"command": "a"}]


def test_env_file_is_unique_by_path_label_file_is_not():
    assert web({"env_file": ["a.env", "b.env"]}, {"env_file": [{"path": "a.env", "required": False}]})[
        "env_file"] == [{"path": "a.env", "required": False}, "b.env"]
    assert web({"env_file": "a.env"}, {"env_file": ["./a.env"]})["env_file"] == ["a.env", "./a.env"]
    assert web({"label_file": ["a", "b"]}, {"label_file": "a"})["label_file"] == ["a", "b", "a"]


def test_extra_hosts_drop_only_entries_written_the_same_way():
    assert web({"extra_hosts": ["a:1.1.1.1", "b=2.2.2.2"]}, {"extra_hosts": ["a=1.1.1.1", "b=2.2.2.2"]})[
        "extra_hosts"] == ["a:1.1.1.1", "b=2.2.2.2", "a=1.1.1.1"]
    assert web({"extra_hosts": {"a": "1.1.1.1"}}, {"extra_hosts": {"a": ["1.1.1.1", "2.2.2.2"]}})[
        "extra_hosts"] == ["a=1.1.1.1", "a=2.2.2.2"]


def test_depends_on_and_networks_lists_are_mappings():
    assert web({"depends_on": {"db": {"condition": "service_healthy", "restart": True}}}, {"depends_on": ["db"]})[
        "depends_on"] == {"db": {"condition": "service_started", "restart": True, "required": True}}
    assert web({"depends_on": ["db"]}, {"depends_on": {"db": {"required": False}}})["depends_on"] == {
        "db": {"condition": "service_started", "required": False}}
    assert web({"networks": ["front"]}, {"networks": {"back": {"aliases": ["b"]}}})["networks"] == {
        "front": None, "back": {"aliases": ["b"]}}
    assert web({"networks": {"n": {"aliases": ["a"], "ipv4_address": "10.0.0.2"}}},
               {"networks": {"n": {"aliases": ["b", "a"]}}})["networks"] == {
        "n": {"aliases": ["a", "b"], "ipv4_address": "10.0.0.2"}}
    assert web({"networks": {"n": {"aliases": ["a"]}}}, {"networks": ["n"]})["networks"] == {"n": {"aliases": ["a"]}}


def test_logging_options_merge_only_for_the_same_driver():
    def logging(a: dict, b: dict) -> dict:
        return web({"logging": a}, {"logging": b})["logging"]
    assert logging({"driver": "syslog", "options": {"a": 1}}, {"driver": "json-file", "options": {"b": 2}}) == {
        "driver": "json-file", "options": {"b": 2}}
    assert logging({"driver": "syslog", "options": {"a": 1}}, {"options": {"b": 2}}) == {
        "driver": "syslog", "options": {"a": 1, "b": 2}}


def test_ulimits_healthcheck_deploy():
    merged = web({"ulimits": {"nofile": 1000, "nproc": {"soft": 10, "hard": 20}},
                  "healthcheck": {"test": ["CMD", "a"], "interval": "1s"},
                  "deploy": {"labels": ["a=1"], "resources": {"limits": {"cpus": "1"}},
                             "placement": {"constraints": ["a"]}}},
                 {"ulimits": {"nofile": {"soft": 5, "hard": 6}, "nproc": 30},
                  "healthcheck": {"test": "x", "timeout": "5s"},
                  "deploy": {"labels": {"b": 2}, "resources": {"limits": {"memory": "1M"}},
                             "placement": {"constraints": ["b", "a"]}}})
    assert merged["ulimits"] == {"nofile": {"soft": 5, "hard": 6}, "nproc": 30}
    assert merged["healthcheck"] == {"test": "x", "interval": "1s", "timeout": "5s"}
    assert merged["deploy"] == {"labels": ["a=1", "b=2"], "resources": {"limits": {"cpus": "1", "memory": "1M"}},
                                "placement": {"constraints": ["a", "b", "a"]}}


def test_gpus_all_is_one_request():
    assert web({"gpus": "all"}, {"gpus": [{"driver": "a"}]})["gpus"] == [{"count": -1}, {"driver": "a"}]


def test_extensions_merge_like_any_mapping():
    out = merge({"x-top": {"a": {"b": 1}, "l": [1]}}, {"x-top": {"a": {"c": 2}, "l": [2]}})
    assert out["x-top"] == {"a": {"b": 1, "c": 2}, "l": [1, 2]}


def test_ipam_config_pairs_pools_by_subnet_as_compose_does():
    def ipam(a: list, b: list) -> list:
        out = merge({"networks": {"n": {"ipam": {"config": a}}}}, {"networks": {"n": {"ipam": {"config": b}}}})
        return out["networks"]["n"]["ipam"]["config"]
    s0, s1, s2 = "10.0.0.0/24", "10.1.0.0/24", "10.2.0.0/24"
    assert ipam([{"subnet": s0}], [{"subnet": s1}]) == [{"subnet": s1}]
    assert ipam([], [{"subnet": s1}]) == [] and ipam([{"subnet": s0}], []) == []
    assert ipam([{"subnet": s0, "gateway": "g0"}], [{"subnet": s0, "ip_range": "r"}, {"gateway": "g"}]) == [
        {"subnet": s0, "gateway": "g0", "ip_range": "r"}, {"gateway": "g"}]
    # Compose 2.40 pairs every earlier pool with every later one; this is what it prints
    assert ipam([{"subnet": s0, "gateway": "g0"}, {"subnet": s1}], [{"subnet": s0, "ip_range": "r"},
                                                                    {"subnet": s2}]) == [
        {"subnet": s2, "ip_range": "r"}, {"subnet": s2}]


def test_top_level_resources_merge_key_by_key():
    out = merge({"networks": {"n": {"driver": "bridge", "labels": ["a=1"], "driver_opts": {"a": 1}}}},
                {"networks": {"n": {"labels": {"b": 2}, "driver_opts": {"b": 2}}, "m": {}}})
    assert out["networks"] == {"n": {"driver": "bridge", "labels": ["a=1", "b=2"], "driver_opts": {"a": 1, "b": 2}},
                               "m": {}}


def test_inputs_are_not_mutated():
    base = {"services": {"web": {"image": "x", "environment": {"A": 1}, "ports": ["80"]}}}
    over = {"services": {"web": {"environment": ["B=2"], "ports": ["81"]}}}
    merge(base, over, resets=frozenset({("services", "web", "image")}))
    assert base == {"services": {"web": {"image": "x", "environment": {"A": 1}, "ports": ["80"]}}}
    assert over == {"services": {"web": {"environment": ["B=2"], "ports": ["81"]}}}


def test_go_str_prints_like_go():
    assert [go_str(v) for v in (1.0, 123456.0, 1234567.0, 0.00001, True, 3)] == [
        "1", "123456", "1.234567e+06", "1e-05", "true", "3"]

"""`compose.render`: the shapes of `docker compose config`, checked on small projects."""

from __future__ import annotations

import json

import pytest

from compose.render import images, service_order, to_json, to_yaml, yaml_scalar


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("plain", "plain"),
        ("1", '"1"'),
        ("1.5", '"1.5"'),
        ("true", '"true"'),
        ("yes", '"yes"'),  # a YAML 1.1 boolean: go-yaml quotes it for old readers
        ("n", '"n"'),
        ("", '""'),
        ("1:20", '"1:20"'),  # base 60 in YAML 1.1
        ("80:80", "80:80"),
        ("2001-01-01", '"2001-01-01"'),
        ("0x1F", '"0x1F"'),
        ("08", '"08"'),
        ("1e999", "1e999"),  # too big for a float, so a string
        ("a: b", "'a: b'"),
        ("- a", "'- a'"),
        ("#a", "'#a'"),
        ("a #b", "'a #b'"),
        ("a#b", "a#b"),
        ("it's", "it's"),
        ("'quoted'", "'''quoted'''"),
        (" padded", "' padded'"),
        ("a\tb", '"a\\tb"'),
        ("😀", '"\\U0001F600"'),
        ("é", "é"),
        ("tcp://192.168.0.42:123", "tcp://192.168.0.42:123"),
    ],
)
def test_strings_are_quoted_only_when_they_would_read_back_as_something_else(text: str, written: str) -> None:
    assert yaml_scalar(text) == written


def test_multiline_strings_are_literal_blocks_with_compose_s_chomping() -> None:
    project = {"name": "p", "services": {"a": {"image": "x", "labels": {"k": "one\ntwo", "kept": "one\n\n"}}}}
    text = to_yaml(project)
    assert "      k: |-\n        one\n        two\n" in text
    assert "      kept: |+\n        one\n\n" in text


def test_yaml_orders_services_naturally_and_service_fields_as_compose_declares_them() -> None:
    service = {"image": "x", "command": ["run"], "build": {"dockerfile": "D", "context": "/c"}, "x-ext": 1,
               "environment": {"B": "2", "A": None}}
    project = {"services": {"web10": service, "web9": {"image": "y"}}, "name": "p"}
    assert to_yaml(project) == (
        "name: p\n"
        "services:\n"
        "  web9:\n"
        "    image: \"y\"\n"
        "  web10:\n"
        "    build:\n"
        "      context: /c\n"
        "      dockerfile: D\n"
        "    command:\n"
        "      - run\n"
        "    environment:\n"
        "      A: null\n"
        "      B: \"2\"\n"
        "    image: x\n"
        "    x-ext: 1\n"
    )


def test_empty_collections_are_flow_style() -> None:
    text = to_yaml({"name": "p", "services": {"a": {"image": "x", "command": [], "volumes": [{"type": "volume",
                    "source": "v", "target": "/v", "volume": {}}]}}})
    assert "    command: []\n" in text
    assert "        volume: {}\n" in text


def test_json_has_compose_s_never_omitted_fields_and_drops_nested_extensions() -> None:
    project = {
        "name": "p",
        "services": {"a": {"image": "x", "deploy": {"replicas": 2}, "x-svc": 1}},
        "networks": {"default": {"name": "p_default", "x-net": 1}},
        "x-top": {"b": 1, "a": 2},
    }
    data = json.loads(to_json(project))
    assert data["services"]["a"]["command"] is None
    assert data["services"]["a"]["entrypoint"] is None
    assert data["services"]["a"]["deploy"] == {"replicas": 2, "resources": {}, "placement": {}}
    assert data["networks"]["default"] == {"name": "p_default", "ipam": {}}
    assert "x-svc" not in data["services"]["a"]
    assert data["x-top"] == {"a": 2, "b": 1}
    assert list(data) == ["name", "networks", "services", "x-top"]


def test_json_escapes_html_characters_and_prints_floats_as_go_does() -> None:
    text = to_json({"name": "p", "services": {"a": {"image": "<&>", "cpus": 0.5, "cpu_percent": 50.0,
                                                     "labels": {"tiny": 1e-7}}}})
    assert '"image": "\\u003c\\u0026\\u003e"' in text
    assert '"cpus": 0.5' in text
    assert '"cpu_percent": 50,' in text
    assert not text.endswith("\n")


def test_blkio_devices_keep_their_untagged_go_names_in_json() -> None:
    project = {"services": {"a": {"image": "x", "blkio_config": {"weight_device": [{"path": "/dev/sda",
                                                                                   "weight": 400}]}}}}
    data = json.loads(to_json(project))
    assert data["services"]["a"]["blkio_config"]["weight_device"] == [{"Path": "/dev/sda", "Weight": 400}]


def test_services_are_listed_dependencies_first() -> None:
    project = {"services": {
        "web": {"depends_on": {"api": {}}},
        "api": {"depends_on": {"db": {}, "cache": {}}},
        "db": {},
        "cache": {},
        "alone": {},
    }}
    order = service_order(project)
    assert sorted(order) == ["alone", "api", "cache", "db", "web"]
    assert order.index("db") < order.index("api") < order.index("web")
    assert order.index("cache") < order.index("api")


def test_images_of_built_services_are_named_after_the_project() -> None:
    project = {"name": "shop", "services": {"api": {"build": {"context": "."}}, "db": {"image": "postgres"}}}
    assert images(project) == ["shop-api", "postgres"]



def test_two_hundred_services_render_in_both_formats() -> None:
    service = {"image": "app:1", "environment": {f"VAR{i}": str(i) for i in range(10)}, "ports": [
        {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}], "networks": {"default": None},
        "depends_on": {"db": {"condition": "service_started", "required": True}}}
    project = {"name": "big", "services": {f"svc{i}": service for i in range(200)}}
    assert to_yaml(project).count("  svc") == 200
    assert len(json.loads(to_json(project))["services"]) == 200


def test_dollars_are_doubled_when_asked_as_compose_does_after_interpolation() -> None:
    project = {"name": "p", "services": {"a": {"image": "x", "command": ["echo", "$HOME"]}}}
    assert "      - $$HOME\n" in to_yaml(project, escape_dollars=True)
    assert '"$$HOME"' in to_json(project, escape_dollars=True)
    assert "      - $HOME\n" in to_yaml(project)


def test_as_map_sorts_every_mapping_as_composes_model_output_does():
    from compose.render import to_json, to_yaml

    project = {"name": "p", "services": {"web": {"ports": [{"target": 80, "published": "8080", "mode": "ingress"}]}},
               "networks": {"default": {"name": "p_default"}}}
    assert to_yaml(project, as_map=True) == (
        "name: p\nnetworks:\n  default:\n    name: p_default\nservices:\n  web:\n    ports:\n"
        "      - mode: ingress\n        published: \"8080\"\n        target: 80\n")
    assert to_json(project, as_map=True).index('"networks"') < to_json(project, as_map=True).index('"services"')
    assert to_yaml(project).index("services:") < to_yaml(project).index("networks:")  # the struct order stays

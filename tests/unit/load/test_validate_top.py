"""Validation of the top level: version, name, include, networks, volumes, secrets, configs, models, x-*.

Each case is a whole compose file and what Docker Compose v2.40.3 `docker compose config`
did with it: accepted (`ok`) or refused (`bad`, with the key path and words our message says).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from compose.errors import FileError
from compose.load.parse import parse
from compose.load.validate import validate


class Case(NamedTuple):
    snippet: str
    path: tuple[str | int, ...] | None  # None: accepted
    words: str = ""


def ok(snippet: str) -> Case:
    return Case(snippet, None)


def bad(snippet: str, path: tuple[str | int, ...], words: str) -> Case:
    return Case(snippet, path, words)


def file_text(snippet: str) -> str:
    return "services:\n  web:\n    image: x\n" + snippet + "\n"


CASES: dict[str, list[Case]] = {
    "top level": [
        ok("version: '3.8'\nname: demo\nx-common: &c {a: 1}"),
        bad("version: 3", ("version",), "expected a string, found the number 3"),
        bad("name: 5", ("name",), "expected a string"),
        bad("name:", ("name",), "found an empty value"),
        bad("servics: {}", ("servics",), 'did you mean "services"?'),
        bad("foo: 1", ("foo",), '(a key of your own must start with "x-")'),
        ok("x-a:"),
        bad("x-a: {b: {2: c}}", ("x-a", "b"), "the key 2 is not a string"),
    ],
    "include": [
        ok("include:"),
        ok("include: [a.yaml, {path: b.yaml, env_file: .env, project_directory: ..}, {path: [c.yaml, d.yaml]}]"),
        ok("include: [{path: a.yaml, foo: 1}]"),  # Compose reads include loosely
        bad("include: a.yaml", ("include",), "expected an empty value or a list of strings or mappings"),
        bad("include: [5]", ("include", 0), "expected a string or a mapping, found the number 5"),
        bad("include: [{path: 5}]", ("include", 0, "path"), "expected a string or a list of strings"),
        ok("include: [{path: [a, a], env_file: [b, b]}]"),
    ],
    "networks": [
        ok("networks:\n  front:\n  back: {}\n  n: {name: n, driver: bridge, driver_opts: {a: 1, b: x}, "
           "ipam: {driver: default, config: [{subnet: 172.28.0.0/16, ip_range: 172.28.5.0/24, gateway: 172.28.5.254, "
           "aux_addresses: {host1: 172.28.1.5}}], options: {a: b}}, external: false, internal: true, "
           "enable_ipv4: true, enable_ipv6: 'false', attachable: true, labels: [a=1, a=1], x-a: 1}"),
        ok("networks:\n  n: {external: true}\n  m: {external: {name: m}}\n  o: {external: 'true'}"),
        ok("networks:\n  'a b': {}"),  # Compose lets any network name through
        bad("networks:", ("networks",), "expected a mapping, found an empty value"),
        bad("networks:\n  n: 5", ("networks", "n"), "expected an empty value or a mapping, found the number 5"),
        bad("networks:\n  n: {drivr: x}", ("networks", "n", "drivr"), 'did you mean "driver"?'),
        bad("networks:\n  n: {driver: 5}", ("networks", "n", "driver"), "expected a string"),
        bad("networks:\n  n: {external: {foo: 1}}", ("networks", "n", "external", "foo"), 'unknown key "foo"'),
        bad("networks:\n  n: {driver_opts: {a: true}}", ("networks", "n", "driver_opts", "a"),
            "expected a string or a number, found the boolean true"),
        bad("networks:\n  n: {ipam: {config: [{subnet: 1}]}}", ("networks", "n", "ipam", "config", 0, "subnet"),
            "expected a string"),
        bad("networks:\n  n: {ipam: {config: [{subnet: a, foo: 1}]}}",
            ("networks", "n", "ipam", "config", 0, "foo"), 'unknown key "foo"'),
        bad("networks:\n  n: {ipam: {options: {a: 1}}}", ("networks", "n", "ipam", "options", "a"),
            "expected a string, found the number 1"),
    ],
    "volumes": [
        ok("volumes:\n  a:\n  b: {}\n  c: {name: c, driver: local, driver_opts: {type: none, o: bind, device: /x}, "
           "external: false, labels: {a: b}, x-a: 1}"),
        bad("volumes:", ("volumes",), "expected a mapping"),
        bad("volumes:\n  'a b': {}", ("volumes", "a b"), '"a b" is not a valid volume name'),
        bad("volumes:\n  v: {labels: [a=1, a=1]}", ("volumes", "v", "labels", 1), "listed twice"),
        bad("volumes:\n  v: {external: [a]}", ("volumes", "v", "external"),
            "expected a boolean, a string or a mapping, found a list"),
        bad("volumes:\n  v: {driver_opts: {a: }}", ("volumes", "v", "driver_opts", "a"), "found an empty value"),
    ],
    "secrets and configs": [
        ok("secrets:\n  a: {file: ./a}\n  b: {environment: B}\n  c: {external: true}\n  d: {external: {foo: 1}}\n"
           "  e: {name: e, labels: [a=b], driver: d, driver_opts: {a: 1}, template_driver: golang, x-a: 1}"),
        bad("secrets:\n  s:", ("secrets", "s"), "expected a mapping, found an empty value"),
        bad("secrets:\n  s: {file: a, foo: 1}", ("secrets", "s", "foo"), 'unknown key "foo"'),
        bad("secrets:\n  s: {external: {name: 1}}", ("secrets", "s", "external", "name"), "expected a string"),
        bad("secrets:\n  s: {file: x, labels: [a=1, a=1]}", ("secrets", "s", "labels", 1), "listed twice"),
        bad("secrets:\n  'a b': {file: x}", ("secrets", "a b"), "is not a valid secret name"),
        ok("configs:\n  a: {file: ./a}\n  b: {content: hello}\n  c: {environment: C, template_driver: golang}"),
        bad("configs:\n  c: {driver: x}", ("configs", "c", "driver"), 'unknown key "driver"'),
        bad("configs:\n  c:", ("configs", "c"), "expected a mapping"),
    ],
    "models": [
        ok("models:\n  m: {model: ai/smollm2, name: m, context_size: 4096, runtime_flags: [--a], x-a: 1}"),
        ok("models:\n  m: {model: ai/x, context_size: 4096.0}"),
        bad("models:\n  m: {context_size: 5}", ("models", "m"), 'missing required key "model"'),
        bad("models:\n  m: {model: x, context_size: '5'}", ("models", "m", "context_size"),
            'expected an integer, found the string "5"'),
        bad("models:\n  m:", ("models", "m"), "expected a mapping, found an empty value"),
        bad("models:", ("models",), "expected a mapping"),
    ],
}

ALL = [pytest.param(case, id=f"{family}: {case.snippet[:50]}") for family, cases in CASES.items() for case in cases]


@pytest.mark.parametrize("case", ALL)
def test_top_level(case: Case) -> None:
    parsed = parse(file_text(case.snippet), "compose.yaml")
    data: Any = parsed.data
    if case.path is None:
        validate(data)
        return
    with pytest.raises(FileError) as info:
        validate(data)
    assert info.value.path == case.path
    assert info.value.path in parsed.positions, "the loader cannot place this error in the file"
    assert case.words in info.value.problem


def test_services_must_be_a_mapping_of_valid_names() -> None:
    for data, path, words in [
        ({"services": None}, ("services",), "expected a mapping, found an empty value"),
        ({"services": []}, ("services",), "expected a mapping, found a list"),
        ({"services": {"web": None}}, ("services", "web"), "expected a mapping, found an empty value"),
        ({"services": {"a b": {}}}, ("services", "a b"), '"a b" is not a valid service name'),
        ({"services": {1: {}}}, ("services",), "the key 1 is not a string"),
    ]:
        with pytest.raises(FileError) as info:
            validate(data)
        assert (info.value.path, words in info.value.problem) == (path, True)


def test_a_file_with_no_services_is_valid() -> None:
    validate({})
    validate({"services": {}})
    validate({"name": "x", "x-a": 1})

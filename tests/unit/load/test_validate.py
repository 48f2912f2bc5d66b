"""The validate phase as a whole: which error comes first, where it points, how it reads.

Attribute families are in test_validate_service.py and test_validate_top.py.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from compose.errors import FileError
from compose.load.parse import parse
from compose.load.schema import COMPOSE_FILE, Any_, List, Map, Obj, OneOf, Shape
from compose.load.validate import kind, validate


def error_of(text: str) -> FileError:
    with pytest.raises(FileError) as info:
        validate(parse(text, "compose.yaml").data)
    return info.value


def test_the_first_mistake_in_file_order_is_reported() -> None:
    error = error_of("services:\n  b:\n    imag: x\n  a:\n    image: 1\n")
    assert error.path == ("services", "b", "imag")
    error = error_of("services:\n  a:\n    ports: [{target: 80, foo: 1}]\n    imag: x\n")
    assert error.path == ("services", "a", "ports", 0, "foo")


def test_the_error_points_at_the_deepest_key() -> None:
    error = error_of("services:\n  web:\n    deploy:\n      resources:\n        limits:\n          memory: 512\n")
    assert error.path == ("services", "web", "deploy", "resources", "limits", "memory")
    assert str(error) == ("services.web.deploy.resources.limits.memory: "
                          "expected a string, found the number 512 (put it in quotes to make it a string)")


def test_an_unknown_key_suggests_the_nearest_known_one() -> None:
    assert error_of("services:\n  web:\n    imagee: x\n").problem == 'unknown key "imagee" (did you mean "image"?)'
    assert error_of("services:\n  web:\n    enviroment: [A=1]\n").problem.endswith('(did you mean "environment"?)')
    assert error_of("volume:\n  v:\n").problem == 'unknown key "volume" (did you mean "volumes"?)'


def test_an_unknown_key_without_a_near_miss_says_what_is_allowed() -> None:
    assert error_of("services:\n  web:\n    foo: 1\n").problem == (
        'unknown key "foo" (a key of your own must start with "x-")')
    assert error_of("services:\n  web:\n    logging: {foo: 1}\n").problem == (
        'unknown key "foo"; the keys here are driver, options and x-*')
    assert error_of("services:\n  web:\n    extends: {file: a, service: b}\n    blkio_config: {foo: 1}\n").problem == (
        'unknown key "foo"; the keys here are device_read_bps, device_read_iops, device_write_bps, '
        "device_write_iops, weight, weight_device")


def test_a_wrong_kind_says_what_was_expected_and_what_was_found() -> None:
    assert error_of("services:\n  web:\n    command: {a: 1}\n").problem == (
        "expected an empty value, a string or a list of strings, found a mapping")
    assert error_of("services:\n  web:\n    environment: A=1\n").problem == (
        'expected a mapping or a list of strings, found the string "A=1"')
    assert error_of("services:\n  web:\n    healthcheck:\n").problem == "expected a mapping, found an empty value"
    assert error_of("services:\n  web:\n    tty: [true]\n").problem == (
        "expected a boolean or a string, found a list")


def test_choices_ranges_and_patterns_name_the_value() -> None:
    assert error_of("services:\n  web:\n    depends_on: {db: {condition: healthy}}\n").problem == (
        '"healthy" is not one of "service_started", "service_healthy", "service_completed_successfully" '
        '(did you mean "service_healthy"?)')
    assert error_of("services:\n  web:\n    oom_score_adj: -1001\n").problem == (
        "-1001 is out of range: expected an integer from -1000 to 1000")
    assert error_of("services:\n  web:\n    pull_policy: sometimes\n").problem.startswith(
        '"sometimes" is not valid here: use always, never, build')


def test_a_repeated_entry_points_at_the_repeat() -> None:
    error = error_of("services:\n  web:\n    security_opt: [a, b, a]\n")
    assert error.path == ("services", "web", "security_opt", 2)
    assert error.problem == '"a" is listed twice (also at [0]); entries here must be unique'


def test_a_missing_required_key_points_at_its_mapping() -> None:
    error = error_of("services:\n  web:\n    ulimits: {nofile: {soft: 1}}\n")
    assert (error.path, error.problem) == (("services", "web", "ulimits", "nofile"), 'missing required key "hard"')


def test_keys_must_be_strings_everywhere_even_in_extensions() -> None:
    error = error_of("services:\n  web:\n    labels: {1.5: a}\n")
    assert (error.path, error.problem) == (("services", "web", "labels"),
                                           'the key 1.5 is not a string; put it in quotes ("1.5")')
    error = error_of("x-a:\n  - b: {c: [{7: d}]}\n")
    assert error.path == ("x-a", 0, "b", "c", 0)


def test_integral_floats_count_as_integers_and_booleans_never_as_numbers() -> None:
    assert (kind(1.0), kind(1.5), kind(True), kind(1), kind(None)) == ("integer", "number", "boolean", "integer",
                                                                      "null")
    validate({"services": {"web": {"scale": 2.0, "cpus": 1}}})
    with pytest.raises(FileError):
        validate({"services": {"web": {"cpus": True}}})


def test_values_cast_by_interpolation_are_accepted_where_the_schema_takes_them() -> None:
    validate({"services": {"web": {"ports": [{"target": 80, "published": 8080}], "privileged": True,
                                   "cpus": 0.5, "mem_limit": 1024, "deploy": {"replicas": 2}}}})


def test_validate_leaves_its_input_untouched() -> None:
    data: dict[str, Any] = parse("services:\n  web:\n    image: x\n    environment: [A=1, A=1]\n"
                                 "    ports: ['80:80', '80:80']\nx-a: {b: 1}\n", "c").data
    before = copy.deepcopy(data)
    validate(data)
    assert data == before


def _shapes(shape: Shape) -> list[Shape]:
    found, stack = [], [shape]
    while stack:
        item = stack.pop()
        found.append(item)
        if isinstance(item, OneOf):
            stack.extend(item.shapes)
        elif isinstance(item, Obj):
            stack.extend(item.fields.values())
            stack.extend([item.other] if item.other is not None else [])
        elif isinstance(item, Map):
            stack.append(item.values)
            stack.extend([item.other] if item.other is not None else [])
        elif isinstance(item, List):
            stack.append(item.items)
    return found


def test_the_branches_of_every_one_of_take_different_kinds_of_value() -> None:
    for shape in _shapes(COMPOSE_FILE):
        if isinstance(shape, OneOf):
            seen: set[str] = set()
            for branch in shape.shapes:
                assert not isinstance(branch, Any_)
                assert not (seen & branch.kinds), shape
                seen |= branch.kinds


def test_a_large_file_validates() -> None:
    service = {"image": "nginx", "build": {"context": ".", "args": {"A": 1}}, "ports": ["8080:80", {"target": 80}],
               "environment": {"A": "b"}, "volumes": ["./a:/a", {"type": "volume", "source": "v", "target": "/d"}],
               "depends_on": {"db": {"condition": "service_healthy"}}, "healthcheck": {"test": ["CMD", "true"]},
               "networks": {"front": None}, "deploy": {"resources": {"limits": {"cpus": "0.5"}}}}
    validate({"services": {f"web{i}": service for i in range(500)}})


def test_an_unquoted_timestamp_is_refused_wherever_compose_validates() -> None:
    # Compose reads `2024-01-01` unquoted as a time, refused by every attribute; x-* extensions keep it.
    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(FileError) as info:
        validate({"services": {"web": {"environment": {"DATE": when}}}})
    assert info.value.path == ("services", "web", "environment", "DATE")
    assert info.value.problem.startswith("expected a string, a number, a boolean or an empty value, "
                                         "found the timestamp 2024-01-01T00:00:00Z")
    with pytest.raises(FileError):
        validate({"services": {"web": {"command": [datetime.date(2024, 1, 1)]}}})
    validate({"services": {}, "x-a": when, "x-b": [when]})

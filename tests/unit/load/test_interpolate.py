"""Interpolation and casting, each expectation checked against docker compose v2.40.3 `config`."""

from __future__ import annotations

import copy

import pytest

from compose.errors import FileError
from compose.load.interpolate import cast, interpolate

ENV = {"SET": "val", "EMPTY": "", "PORT": "8080", "_": "underscore"}


def run(value, env=ENV):
    """Interpolate one label value; return it and the warnings."""
    warnings: list[str] = []
    data = {"services": {"web": {"labels": {"x": value}}}}
    out = interpolate(data, env.get, warn=warnings.append)
    return out["services"]["web"]["labels"]["x"], warnings


def error(value, env=ENV) -> FileError:
    with pytest.raises(FileError) as caught:
        run(value, env)
    return caught.value


@pytest.mark.parametrize(
    "template, expected",
    [
        ("$SET", "val"),
        ("${SET}", "val"),
        ("${_}", "underscore"),
        ("pre-$SET-post", "pre-val-post"),
        ("${SET}${SET}", "valval"),
        ("$SET-x", "val-x"),
        ("${UNSET:-def}", "def"),
        ("${EMPTY:-def}", "def"),
        ("${SET:-def}", "val"),
        ("${UNSET-def}", "def"),
        ("${EMPTY-def}", ""),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${UNSET:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${SET:?must be set}", "val"),
        ("${EMPTY?must be set}", ""),
        ("${UNSET:-}", ""),
        ("${UNSET:-a b c}", "a b c"),
        ('${UNSET:-"q"}', '"q"'),
        ("${UNSET-?x}", "?x"),
        ("${A-B:-c}", "B:-c"),
        ("${UNSET:-a:-b}", "a:-b"),
    ],
)
def test_each_form(template, expected):
    assert run(template) == (expected, [])


@pytest.mark.parametrize(
    "template, expected",
    [
        ("$$", "$"),
        ("$$SET", "$SET"),
        ("$$$SET", "$val"),
        ("$$${SET}", "$val"),
        ("$${", "${"),
        ("${UNSET:-$$}", "$"),
        ("${UNSET:-a}$${SET", "a${SET"),
        # a `$` that starts nothing is kept as it is
        ("$", "$"),
        ("a$", "a$"),
        ("${SET}$", "val$"),
        ("$1A", "$1A"),
        ("$-", "$-"),
        ("$ x", "$ x"),
        ("$é", "$é"),
    ],
)
def test_dollars(template, expected):
    assert run(template) == (expected, [])


@pytest.mark.parametrize(
    "template, expected",
    [
        ("${UNSET:-${SET}}", "val"),
        ("${UNSET:-${UNSET2:-x}}", "x"),
        ("${EMPTY:-${EMPTY-deep}}", ""),
        ("${UNSET:-$SET}", "val"),
        ("${UNSET:-${SET}x}y", "valxy"),
        ("${UNSET:-a}b}", "ab}"),
        ("${SET}}", "val}"),
        ("${UNSET-x}}}", "x}}"),
        ("${UNSET:-{x}}", "{x}"),
        ("${UNSET:-{a}b}", "{a}b"),
        ("${SET:+{}}", "{}"),
        ("${SET:+{}", "{"),
        ("x${UNSET:-{}", "x{"),
        ("${UNSET:-${UNSET2:-{}}}", "{}"),
    ],
)
def test_nesting_and_braces(template, expected):
    assert run(template) == (expected, [])


def test_names_are_case_sensitive():
    assert run("${set}") == ("", ['The "set" variable is not set. Defaulting to a blank string.'])


def test_unset_variable_warns_once_in_compose_words():
    data = {"services": {"a": {"image": "$NOPE", "labels": ["${NOPE}", "$NOPE2"]}, "b": {"image": "${NOPE}"}}}
    warnings: list[str] = []
    out = interpolate(data, {}.get, warn=warnings.append)
    assert out["services"]["a"] == {"image": "", "labels": ["", ""]}
    assert warnings == [
        'The "NOPE" variable is not set. Defaulting to a blank string.',
        'The "NOPE2" variable is not set. Defaulting to a blank string.',
    ]


def test_defaults_are_interpolated_even_when_unused():
    # compose evaluates the default first: the inner variable warns, and a failing one fails
    assert run("${SET:-${UNSET}}") == ("val", ['The "UNSET" variable is not set. Defaulting to a blank string.'])
    assert run("${UNSET:+${UNSET2}}")[1] == ['The "UNSET2" variable is not set. Defaulting to a blank string.']
    assert "required variable UNSET" in error("${SET:-${UNSET:?boom}}").problem


@pytest.mark.parametrize(
    "template, problem",
    [
        ("${UNSET:?X must be set}", "required variable UNSET is missing a value: X must be set"),
        ("${EMPTY:?must be set}", "required variable EMPTY is missing a value: must be set"),
        ("${UNSET?}", "required variable UNSET is missing a value"),
        ("${UNSET:?}", "required variable UNSET is missing a value"),
        ("${UNSET?:x}", "required variable UNSET is missing a value: :x"),
        ("${UNSET:?x ${SET}}", "required variable UNSET is missing a value: x val"),
        ("${UNSET:-a}${UNSET2:?boom}", "required variable UNSET2 is missing a value: boom"),
    ],
)
def test_required(template, problem):
    err = error(template)
    assert err.problem == problem
    assert err.path == ("services", "web", "labels", "x")


@pytest.mark.parametrize(
    "template, fragment",
    [
        ("${", "${"),
        ("a ${", "${"),
        ("${SET", "${SET"),
        ("${SET:x}", "${SET:x}"),
        ("${SET:}", "${SET:}"),
        ("${1A}", "${1A}"),
        ("${ SET}", "${ SET}"),
        ("${SET }", "${SET }"),
        ("${é}", "${é}"),
        ("${A.B}", "${A.B}"),
        ("${UNSET:-a\nb}", "${UNSET:-a"),
        ("${UNSET:-${SET:x}}", "${SET:x}"),
        ("${UNSET:-a}${SET:x}", "${SET:x}"),
    ],
)
def test_invalid_syntax(template, fragment):
    err = error(template)
    assert err.problem == f'invalid interpolation format "{fragment}": write a literal $ as $$'
    assert err.path == ("services", "web", "labels", "x")


def test_error_path_counts_list_items():
    data = {"services": {"web": {"command": ["sh", "-c", "echo ${oops"]}}}
    with pytest.raises(FileError) as caught:
        interpolate(data, {}.get, warn=lambda m: None)
    assert caught.value.path == ("services", "web", "command", 2)
    assert str(caught.value).startswith("services.web.command[2]: invalid interpolation format")


def test_keys_are_not_interpolated_but_extensions_are():
    data = {
        "name": "n${SET}",
        "services": {"s${SET}": {"labels": {"${SET}": "$SET"}, "x-foo": "${SET}"}},
        "x-top": {"${SET}": ["${SET}", 1, True, None, 2.5]},
    }
    out = interpolate(data, ENV.get, warn=lambda m: None)
    assert out == {
        "name": "nval",
        "services": {"s${SET}": {"labels": {"${SET}": "val"}, "x-foo": "val"}},
        "x-top": {"${SET}": ["val", 1, True, None, 2.5]},
    }


def test_input_is_left_alone():
    data = {"services": {"web": {"image": "${SET}", "ports": ["${PORT}:80"]}}}
    before = copy.deepcopy(data)
    out = interpolate(data, ENV.get, warn=lambda m: None)
    assert data == before
    assert out == {"services": {"web": {"image": "val", "ports": ["8080:80"]}}}


def test_path_prefixes_errors():
    with pytest.raises(FileError) as caught:
        interpolate({"image": "${X:?need X}"}, {}.get, warn=lambda m: None, path=("services", "web"))
    assert caught.value.path == ("services", "web", "image")
    assert "need X" in str(caught.value)


def test_lookup_sees_empty_values_as_set():
    assert run("${EMPTY}") == ("", [])
    assert run("$EMPTY") == ("", [])


# --- cast ---------------------------------------------------------------------------


def svc(**attrs):
    return {"services": {"web": attrs}}


@pytest.mark.parametrize(
    "attr, text, expected",
    [
        ("cpu_count", "2", 2),
        ("cpu_percent", "50", 50.0),
        ("cpu_percent", "5.", 5.0),
        ("cpu_period", "100000", 100000),
        ("cpu_quota", "-1", -1),
        ("cpu_rt_period", "1", 1),
        ("cpu_rt_runtime", "400", 400),
        ("cpus", "1.5", 1.5),
        ("cpu_shares", "512", 512),
        ("oom_score_adj", "-5", -5),
        ("pids_limit", "-1", -1),
        ("scale", "2", 2),
        ("scale", "+2", 2),
        ("scale", "-0", 0),
        ("scale", "007", 7),
        ("init", "true", True),
        ("init", "TRUE", True),
        ("init", "False", False),
        ("oom_kill_disable", "true", True),
        ("privileged", "true", True),
        ("read_only", "false", False),
        ("stdin_open", "true", True),
        ("tty", "true", True),
    ],
)
def test_cast_service_attributes(attr, text, expected):
    out = cast(svc(**{attr: text}))
    value = out["services"]["web"][attr]
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    "nested, path, expected",
    [
        ({"deploy": {"replicas": "2"}}, ("deploy", "replicas"), 2),
        ({"deploy": {"update_config": {"parallelism": "2"}}}, ("deploy", "update_config", "parallelism"), 2),
        (
            {"deploy": {"update_config": {"max_failure_ratio": "0.5"}}},
            ("deploy", "update_config", "max_failure_ratio"),
            0.5,
        ),
        ({"deploy": {"rollback_config": {"parallelism": "3"}}}, ("deploy", "rollback_config", "parallelism"), 3),
        (
            {"deploy": {"rollback_config": {"max_failure_ratio": "1"}}},
            ("deploy", "rollback_config", "max_failure_ratio"),
            1.0,
        ),
        ({"deploy": {"restart_policy": {"max_attempts": "3"}}}, ("deploy", "restart_policy", "max_attempts"), 3),
        (
            {"deploy": {"placement": {"max_replicas_per_node": "1"}}},
            ("deploy", "placement", "max_replicas_per_node"),
            1,
        ),
        ({"healthcheck": {"retries": "3"}}, ("healthcheck", "retries"), 3),
        ({"healthcheck": {"disable": "true"}}, ("healthcheck", "disable"), True),
        ({"ports": [{"target": "80", "published": "8080"}]}, ("ports", 0, "target"), 80),
        ({"ulimits": {"nproc": "65535"}}, ("ulimits", "nproc"), 65535),
        ({"ulimits": {"nofile": {"soft": "20000", "hard": "40000"}}}, ("ulimits", "nofile", "soft"), 20000),
        ({"ulimits": {"nofile": {"soft": "20000", "hard": "40000"}}}, ("ulimits", "nofile", "hard"), 40000),
        ({"volumes": [{"type": "volume", "read_only": "true"}]}, ("volumes", 0, "read_only"), True),
        ({"volumes": ["./a:/a", {"volume": {"nocopy": "true"}}]}, ("volumes", 1, "volume", "nocopy"), True),
    ],
)
def test_cast_nested_service_attributes(nested, path, expected):
    value = cast(svc(**nested))["services"]["web"]
    for key in path:
        value = value[key]
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("section", ["networks", "volumes", "secrets", "configs"])
def test_cast_external(section):
    assert cast({section: {"x": {"external": "true"}}}) == {section: {"x": {"external": True}}}


@pytest.mark.parametrize("attr", ["internal", "attachable", "enable_ipv4", "enable_ipv6"])
def test_cast_network_flags(attr):
    assert cast({"networks": {"n": {attr: "false"}}}) == {"networks": {"n": {attr: False}}}


@pytest.mark.parametrize(
    "nested",
    [
        # compose converts these later, or not at all: the strings stay for other phases
        {"ports": [{"target": 80, "published": "8080"}]},
        {"configs": [{"source": "c", "mode": "0440"}]},
        {"secrets": [{"source": "s", "mode": "0440"}]},
        {"mem_limit": "1000"},
        {"mem_swappiness": "10"},
        {"shm_size": "64"},
        {"stop_grace_period": "10"},
        {"deploy": {"resources": {"limits": {"pids": "10", "cpus": "0.5"}}}},
        {"depends_on": {"db": {"required": "false"}}},
        {"volumes": [{"type": "tmpfs", "tmpfs": {"size": "1000"}}]},
        {"labels": {"scale": "2"}},
        {"ports": ["80:80"]},
        {"x-flag": "yes"},
    ],
)
def test_cast_leaves_other_paths(nested):
    data = svc(**nested)
    assert cast(data) == data


def test_cast_leaves_non_strings():
    data = svc(scale=3, privileged=True, cpus=1.5, tty=None)
    assert cast(data) == data


@pytest.mark.parametrize(
    "text, expected", [("y", True), ("Yes", True), ("oN", True), ("n", False), ("NO", False), ("off", False)]
)
def test_cast_yaml11_booleans_warn(text, expected):
    warnings: list[str] = []
    out = cast(svc(init=text), warn=warnings.append)
    assert out["services"]["web"]["init"] is expected
    assert warnings == [f'"{text}" for boolean is not supported by YAML 1.2, please use `{str(expected).lower()}`']


@pytest.mark.parametrize(
    "attrs, path, problem",
    [
        ({"privileged": "maybe"}, ("privileged",), '"maybe" is not a boolean: use true or false'),
        ({"privileged": ""}, ("privileged",), '"" is not a boolean: use true or false'),
        ({"scale": "zz"}, ("scale",), '"zz" is not an integer'),
        ({"scale": " 2"}, ("scale",), '" 2" is not an integer'),
        ({"scale": ""}, ("scale",), '"" is not an integer'),
        ({"scale": "0x10"}, ("scale",), '"0x10" is not an integer'),
        ({"scale": "1_000"}, ("scale",), '"1_000" is not an integer'),
        ({"scale": "2.0"}, ("scale",), '"2.0" is not an integer'),
        ({"cpu_shares": "9" * 20}, ("cpu_shares",), f'"{"9" * 20}" is out of range for an integer'),
        ({"cpus": "abc"}, ("cpus",), '"abc" is not a number'),
        ({"cpus": " 1"}, ("cpus",), '" 1" is not a number'),
        ({"cpus": "3.5e38"}, ("cpus",), '"3.5e38" is out of range for a number'),
        ({"cpu_percent": "1e400"}, ("cpu_percent",), '"1e400" is out of range for a number'),
        ({"ports": [{"target": "eighty"}]}, ("ports", 0, "target"), '"eighty" is not an integer'),
        ({"ulimits": {"nofile": {"soft": "x"}}}, ("ulimits", "nofile", "soft"), '"x" is not an integer'),
    ],
)
def test_cast_failures_name_the_path(attrs, path, problem):
    with pytest.raises(FileError) as caught:
        cast(svc(**attrs))
    assert caught.value.path == ("services", "web", *path)
    assert caught.value.problem == problem


def test_cast_accepts_what_go_parses_as_floats():
    for text, expected in [("1e2", 100.0), (".5", 0.5), ("1_000", 1000.0), ("+1.5", 1.5), ("0x1p-2", 0.25)]:
        assert cast(svc(cpu_percent=text))["services"]["web"]["cpu_percent"] == expected


def test_cast_is_pure_and_shares_untouched_parts():
    data = {"services": {"a": {"scale": "2", "environment": {"K": "1"}}, "b": {"image": "x"}}, "volumes": {"v": {}}}
    before = copy.deepcopy(data)
    out = cast(data)
    assert data == before
    assert out["services"]["a"] == {"scale": 2, "environment": {"K": "1"}}
    assert out["services"]["b"] is data["services"]["b"]


def test_cast_with_a_path_prefix():
    assert cast({"scale": "2"}, path=("services", "web")) == {"scale": 2}
    assert cast({"scale": "2"}, path=("x-other",)) == {"scale": "2"}


def test_interpolate_then_cast_a_whole_project():
    data = {
        "services": {
            "web": {
                "image": "nginx:${TAG:-latest}",
                "ports": [{"target": "${PORT}", "published": "${PORT}"}],
                "privileged": "${PRIV:-false}",
                "deploy": {"replicas": "${N:-3}"},
            }
        },
        "networks": {"front": {"external": "${EXT:-true}"}},
    }
    out = cast(interpolate(data, ENV.get, warn=lambda m: None))
    assert out == {
        "services": {
            "web": {
                "image": "nginx:latest",
                "ports": [{"target": 8080, "published": "8080"}],
                "privileged": False,
                "deploy": {"replicas": 3},
            }
        },
        "networks": {"front": {"external": True}},
    }


def test_many_expressions_in_one_string():
    assert run("${UNSET:-x}" * 5000) == ("x" * 5000, [])


def test_deep_nesting_is_refused_not_a_crash():
    assert run("${A:-" * 60 + "x" + "}" * 60) == ("x", [])
    assert error("${A:-" * 1000 + "x" + "}" * 1000).problem == "variables are nested more than 64 levels deep"

"""`config`'s model flags against `docker compose config`, byte for byte, on every corpus case.

With these flags Compose still prints the whole project in its fixed key order, so the
text must match exactly, in both formats.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.differential.harness import cases, docker_compose, pycompose

FLAGS = [
    ("--no-path-resolution",),
    ("--no-normalize",),
    ("--no-env-resolution",),
    ("--no-normalize", "--no-path-resolution"),
    ("--no-env-resolution", "--no-path-resolution"),
]

# Without path resolution Compose opens a relative `env_file` from the directory it runs
# in, not from the project directory, and so fails on this case; we read it where it is.
READS_FROM_CWD = {"project-directory"}


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("flags", FLAGS, ids=" ".join)
@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_flag_prints_what_compose_prints(case: Path, flags: tuple[str, ...], fmt: str, reference: str) -> None:
    expected = docker_compose(case, "--format", fmt, *flags)
    if "--no-path-resolution" in flags and case.name in READS_FROM_CWD:  # the one difference we keep, on purpose
        assert expected.code != 0 and "env file" in expected.stderr, expected.stderr
        assert pycompose(case, "--format", fmt, *flags).code == 0
        return
    assert expected.code == 0, f"Compose rejects {case.name} with {' '.join(flags)}: {expected.stderr}"
    actual = pycompose(case, "--format", fmt, *flags)
    assert actual.code == 0, f"pycompose config {' '.join(flags)} failed on {case.name}:\n{actual.stderr}"
    assert actual.stdout == expected.stdout


def _key_orders(value: object, path: str = "") -> list[tuple[str, list[str]]]:
    """The key order of every mapping in a parsed JSON document, by key path."""
    if isinstance(value, dict):
        found = [(path, list(value))]
        for key, item in value.items():
            found += _key_orders(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [pair for i, item in enumerate(value) for pair in _key_orders(item, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_no_interpolate_keeps_env_files_and_sorts_every_mapping(case: Path, reference: str) -> None:
    # Without interpolation Compose prints its model, a plain map: keys sorted, `env_file` unread.
    # Its values are still as written there (sizes, lists...), which we do not match yet: compare the rest.
    import json

    expected = docker_compose(case, "--format", "json", "--no-interpolate")
    assert expected.code == 0, expected.stderr
    actual = pycompose(case, "--format", "json", "--no-interpolate")
    assert actual.code == 0, actual.stderr
    theirs, ours = json.loads(expected.stdout), json.loads(actual.stdout)
    assert [k for k in ours if k in theirs] == [k for k in theirs if k in ours]  # e.g. networks before services
    for path, keys in _key_orders(ours):
        assert keys == sorted(keys), f"{path} is not sorted: {keys}"
    for name, service in (theirs.get("services") or {}).items():
        if name in ours.get("services", {}):
            assert ours["services"][name].get("env_file") == service.get("env_file"), name

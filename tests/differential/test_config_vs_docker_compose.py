"""`pycompose config` against `docker compose config` on every corpus case, compared after parsing.

Both tools run in the case's directory with the same fixed environment and arguments
(see `harness`). A mismatch lists each key path that differs.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from compose.load.parse import parse
from tests.differential.harness import INVALID, Result, cases, diff_paths, docker_compose, pycompose

LIST_FLAG_CASES = ["kitchen-sink", "web-stack", "profiles", "depends-on", "include", "volumes-forms", "networks-ipam",
                   "image-only-build", "service-select"]


@cache
def _reference(case: Path, *extra: str) -> Result:
    return docker_compose(case, *extra)


def _ours(case: Path, *extra: str) -> Result:
    result = pycompose(case, *extra)
    assert result.code == 0, f"pycompose config failed on {case.name} (exit {result.code}):\n{result.stderr}"
    return result


def _compare(case: Path, fmt: str, load) -> None:  # noqa: ANN001
    expected = _reference(case, "--format", fmt)
    assert expected.code == 0, f"Compose rejects corpus case {case.name}: {expected.stderr}"
    actual = _ours(case, "--format", fmt)
    differences = diff_paths(load(expected.stdout), load(actual.stdout))
    assert not differences, f"{len(differences)} difference(s) in {case.name}:\n  " + "\n  ".join(differences[:40])


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_json_matches(case: Path, reference: str) -> None:
    _compare(case, "json", json.loads)


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_yaml_matches(case: Path, reference: str) -> None:
    _compare(case, "yaml", lambda text: parse(text, "config.yaml").data)  # YAML 1.2, as go-yaml reads it


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


@pytest.mark.parametrize("name", LIST_FLAG_CASES)
@pytest.mark.parametrize("flag", ["--volumes", "--networks", "--images", "--profiles"])
def test_list_flags_name_the_same_things(name: str, flag: str, reference: str) -> None:
    # Compose prints these from Go maps: its order changes from run to run, so compare as sets.
    case = Path(__file__).resolve().parents[1] / "corpus" / name
    expected = _reference(case, flag)
    assert expected.code == 0, expected.stderr
    assert sorted(_lines(_ours(case, flag).stdout)) == sorted(_lines(expected.stdout))


@pytest.mark.parametrize("name", LIST_FLAG_CASES)
def test_services_flag_lists_dependencies_first(name: str, reference: str) -> None:
    case = Path(__file__).resolve().parents[1] / "corpus" / name
    expected = _reference(case, "--services")
    ours = _lines(_ours(case, "--services").stdout)
    assert sorted(ours) == sorted(_lines(expected.stdout))
    project = json.loads(_ours(case, "--format", "json").stdout)
    for position, service in enumerate(ours):  # `config SERVICE --services` lists them all, as Compose does
        for dependency in (project["services"].get(service, {}).get("depends_on") or {}):
            assert dependency not in ours[position:], f"{service} is listed before its dependency {dependency}"


@pytest.mark.parametrize("name", ["include", "project-name-variable"])
def test_variables_flag_lists_those_of_every_file_included_too(name: str, reference: str) -> None:
    # Compose lists them from a Go map (any order) and sizes its columns to its cells: compare the cells.
    # Of a variable used in several forms it keeps any one (map order again): these cases use one form each.
    case = Path(__file__).resolve().parents[1] / "corpus" / name
    expected = _reference(case, "--variables")
    assert expected.code == 0, expected.stderr

    def rows(text: str) -> list[list[str]]:
        return sorted(re.split(r" {2,}", line.strip()) for line in _lines(text))

    assert rows(_ours(case, "--variables").stdout) == rows(expected.stdout)


@pytest.mark.parametrize("case", cases(INVALID), ids=lambda p: p.name)
def test_what_compose_rejects_we_reject_with_file_and_line(case: Path, reference: str) -> None:
    assert _reference(case).code != 0, f"Compose accepts {case.name}; it does not belong in the invalid corpus"
    ours = pycompose(case)
    message = ours.stderr.strip()
    assert ours.code != 0, f"pycompose accepts {case.name}:\n{ours.stdout[:500]}"
    assert "Traceback" not in message, message
    lines = [line for line in message.splitlines() if not line.startswith("hint:")]
    assert len(lines) == 1, f"expected a one-line message, got:\n{message}"
    expect = case / "expect"
    file_name = expect.read_text().strip() if expect.exists() else "compose.yaml"
    assert file_name in lines[0], f"the message does not name {file_name}: {lines[0]}"
    assert re.search(rf"{re.escape(file_name)}:\d+", lines[0]), f"the message has no line number: {lines[0]}"

"""The renderer alone, byte for byte: Compose's own output, parsed and printed again, must come out unchanged.

This holds the YAML quoting, key order and JSON quirks of `compose.render` to the
reference, whatever state the loader is in.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compose.load.parse import parse
from compose.render import to_json, to_yaml
from tests.differential.harness import Result, cases, docker_compose


@cache
def _reference(case: Path, fmt: str) -> Result:
    return docker_compose(case, "--format", fmt)


def _text_diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "docker compose", "pycompose", n=2)
    return "".join(list(lines)[:80])


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_yaml_and_json_text_are_compose_s(case: Path, reference: str) -> None:
    yaml_out, json_out = _reference(case, "yaml"), _reference(case, "json")
    assert yaml_out.code == 0 and json_out.code == 0, f"Compose rejects corpus case {case.name}: {yaml_out.stderr}"
    # Compose writes every `$` of an interpolated project as `$$`: undo that to get the project's values back.
    project = _unescape(parse(yaml_out.stdout, "config.yaml").data)

    ours = to_yaml(project, escape_dollars=True)
    assert ours == yaml_out.stdout, _text_diff(yaml_out.stdout, ours)
    ours = to_json(project, escape_dollars=True)
    assert ours == json_out.stdout, _text_diff(json_out.stdout, ours)


def _unescape(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {_unescape(k): _unescape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    return value

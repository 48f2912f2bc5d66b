"""Property tests: whatever document the loader is given, it answers with a project or a PycomposeError.

Random YAML-ish text, random nested data dumped as YAML, and mutations of valid
corpus files go through `compose.load.load` in a temporary directory. Any other
exception is a bug (the user would see a traceback), and each load must be quick.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compose.load import ProjectOptions, load
from pycompose.errors import PycomposeError

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SEEDS = sorted((CORPUS / name / "compose.yaml").read_text(encoding="utf-8")
               for name in ("web-stack", "kitchen-sink", "ports-forms", "volumes-forms", "anchors", "interpolation"))
ATTRIBUTES = ["image", "build", "command", "ports", "volumes", "environment", "depends_on", "networks", "deploy",
              "healthcheck", "extends", "secrets", "configs", "env_file", "profiles", "labels", "ulimits",
              "x-ext", "include", "services", "name", "<<", "!reset", "external", "ipam", "driver"]
FRAGMENTS = ["services:", "\n", "  ", "    ", "- ", ": ", "${", "}", "$$", "${A:-", "${B:?x}", "&a ", "*a", "<<: ",
             "!reset ", "!override ", "[", "]", "{", "}", ",", "'", '"', "#", "|", ">", "\t", "---\n", "...",
             "80:80", "1e3", "yes", "null", "~", "0x1f", "2024-01-01", "!!binary ", "? ", "%YAML 1.2\n"]
SETTINGS = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
                    database=None)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(ATTRIBUTES + FRAGMENTS))
keys = st.one_of(st.sampled_from(ATTRIBUTES), st.text(max_size=8))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(keys, inner, max_size=5)), max_leaves=25)


def _load(text: str) -> None:
    """Load `text` as the only compose file; only a PycomposeError may come out, and soon."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "compose.yaml").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        try:
            load(ProjectOptions(files=("compose.yaml",), working_dir=directory, environ={"A": "1"}))
        except PycomposeError as error:
            assert error.message.strip(), "an error with an empty message"
        # A bound against runaway input (an alias bomb, deep nesting), not a speed figure: generous for a busy CI.
        assert time.perf_counter() - started < 5, f"loading took too long:\n{text[:300]}"


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS + ATTRIBUTES), max_size=40).map("".join))
def test_yaml_ish_text(text: str) -> None:
    _load(text)


@SETTINGS
@given(documents)
def test_random_structures(document: object) -> None:
    _load(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(documents.map(lambda services: {"services": {"app": services}}))
def test_random_service_bodies(document: object) -> None:
    _load(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_valid_files(seed: str, data: st.DataObject) -> None:
    text = seed
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        insert = data.draw(st.sampled_from(FRAGMENTS + ATTRIBUTES + [""]))
        text = text[:at] + insert + text[at + cut:]
    _load(text)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    _load("x-bomb:\n" + "\n".join("  " + line for line in lines) + "\nservices:\n  app:\n    image: a\n")

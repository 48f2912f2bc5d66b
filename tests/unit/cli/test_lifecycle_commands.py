"""The pure parts of the lifecycle commands: kill's signal names, restart's dependents, version's shapes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from compose.cli.kill_cmd import InvalidSignal, check_signal
from compose.cli.restart_cmd import with_dependents

ROOT = Path(__file__).resolve().parents[3]


def test_signals_by_name_short_name_or_number():
    assert [check_signal(s) for s in ("SIGTERM", "term", "HUP", "9")] == ["SIGTERM", "term", "HUP", "9"]
    for bad in ("NOSUCH", "SIGNOPE", "0", "999", ""):
        with pytest.raises(InvalidSignal, match="invalid signal"):
            check_signal(bad)


def test_restart_takes_dependents_with_restart_true_transitively():
    graph = nx.DiGraph()
    graph.add_edge("api", "db", restart=True)
    graph.add_edge("web", "api", restart=True)
    graph.add_edge("worker", "db", restart=False)
    assert with_dependents(graph, ["db"]) == {"db", "api", "web"}
    assert with_dependents(graph, ["api"]) == {"api", "web"}
    assert with_dependents(graph, ["worker"]) == {"worker"}


def version(*args: str) -> str:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "compose.cli.main", "version", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60, check=True)
    return done.stdout


def test_version_shapes_carry_the_label_s_number():
    from compose.plan.labels import _version

    number = _version()
    assert version() == f"pycompose version v{number}\n"
    assert version("--short") == f"{number}\n"
    assert json.loads(version("--format", "json")) == {"version": f"v{number}"}

"""Issue 7's faults, as a user meets them: a CLI killed (SIGKILL) in the middle of `up` leaves a state the next
`up` converges from and `down` removes completely; two projects brought up at once by two processes never
collide on container names, addresses, subnets or published host ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.stack import open_stack
from tests.waiting import eventually

CHAIN = """\
services:
{services}
networks:
  net: {{}}
"""

SERVICE = """\
  s{i}:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
    networks: [net]
    ports: ["8080"]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
{depends}"""


def chain(n: int) -> str:
    """n services, each but the first waiting for the one before to be healthy; each publishes 8080 on an
    ephemeral host port."""
    parts = [SERVICE.format(i=i, depends="" if i == 0 else
                            f"    depends_on:\n      s{i - 1}:\n        condition: service_healthy\n")
             for i in range(n)]
    return CHAIN.format(services="".join(parts))


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_faults.py", chain(6))


def _argv(stack, project: str, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    return ["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p", project, *args]


def _rows(stack, project: str) -> list[dict]:  # type: ignore[no-untyped-def]
    done = subprocess.run(_argv(stack, project, "ps", "-a", "--format", "json"), cwd=stack.project, env=stack.env,
                          capture_output=True, text=True, timeout=60, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_killed_up_is_converged_by_the_next_up_and_removed_by_down(stack):  # type: ignore[no-untyped-def]
    cli = subprocess.Popen(_argv(stack, "demo", "up", "-d"), cwd=stack.project, env=stack.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:  # killed once some containers exist and the chain is still coming up
        eventually(lambda: len(_rows(stack, "demo")) >= 2 or cli.poll() is not None, timeout=60,
                   what="the first containers of the killed up")
        os.killpg(cli.pid, signal.SIGKILL)
    finally:
        cli.wait()
    assert len(_rows(stack, "demo")) < 6, "up finished before it could be killed"
    stack.ok("up", "-d")
    rows = _rows(stack, "demo")
    assert sorted(row["Service"] for row in rows) == [f"s{i}" for i in range(6)]
    assert all(row["State"] == "running" for row in rows), rows
    assert stack.ok("up", "-d").stderr.count("Running") == 6  # converged: nothing left to do
    stack.ok("down")
    assert _rows(stack, "demo") == []
    assert "demo_net" not in stack.ok("network", "ls").stdout
    assert not list((stack.run_root / "netns").glob("pc*")), "a namespace outlived down"
    leftover = [line for line in Path("/proc/self/mountinfo").read_text().splitlines()
                if f"{stack.state}/bundles" in line]
    assert leftover == [], leftover


def test_two_projects_up_at_once_never_collide(stack):  # type: ignore[no-untyped-def]
    other = stack.project.parent / (stack.project.name + "-other")
    other.mkdir()
    (other / "compose.yaml").write_text(chain(3))
    (stack.project / "compose.yaml").write_text(chain(3))
    try:
        runs = [subprocess.Popen(_argv(stack, name, "up", "-d"), cwd=where, env=stack.env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for name, where in (("alpha", stack.project), ("beta", other))]
        outcomes = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outcomes
        alpha, beta = _rows(stack, "alpha"), _rows(stack, "beta")
        assert len(alpha) == len(beta) == 3
        names = [row["Name"] for row in alpha + beta]
        assert len(set(names)) == 6
        ports = [p["PublishedPort"] for row in alpha + beta for p in row["Publishers"] if p["PublishedPort"]]
        assert len(ports) == 6 and len(set(ports)) == 6, ports
        addresses, subnets = [], []
        for project, rows in (("alpha", alpha), ("beta", beta)):
            for row in rows:
                shown = subprocess.run(_argv(stack, project, "exec", "-T", row["Service"], "ip", "-4", "-o", "addr",
                                             "show", "eth0"), cwd=stack.project if project == "alpha" else other,
                                       env=stack.env, capture_output=True, text=True, timeout=60, check=True).stdout
                addresses.append(shown.split(" inet ")[1].split()[0])
        for project in ("alpha", "beta"):
            inspect = json.loads(stack.ok("network", "inspect", f"{project}_net").stdout)[0]
            subnets.append(inspect["IPAM"]["Config"][0]["Subnet"])
        assert len(set(subnets)) == 2, subnets
        assert len(set(addresses)) == 6, addresses  # distinct even across the two subnets' hosts
    finally:
        for name, where in (("alpha", stack.project), ("beta", other)):
            subprocess.run(_argv(stack, name, "down", "-t", "0"), cwd=where, env=stack.env, capture_output=True,
                           timeout=120, check=False)
        (other / "compose.yaml").unlink()
        other.rmdir()

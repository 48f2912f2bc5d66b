"""Throwaway network namespaces for firewall tests: the host's own firewall is never touched.

These tests need root and fail (not skip) without it: a skipped firewall suite looks green.
"""

import os
import secrets
import subprocess

import pytest


@pytest.fixture(autouse=True)
def _needs_root():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/netplan needs root (network namespaces, nftables); run it as root")


def sh(*argv, stdin=None, check=True):
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done


class Netns:
    """A network namespace named `pctest-<random>[-suffix]`, deleted by the fixture."""

    def __init__(self, name):
        self.name = name
        self.prefix = ("ip", "netns", "exec", name)
        sh("ip", "netns", "add", name)
        sh("ip", "-n", name, "link", "set", "lo", "up")

    def run(self, *argv, stdin=None, check=True):
        return sh(*self.prefix, *argv, stdin=stdin, check=check)


@pytest.fixture
def netns():
    """A factory of namespaces; every one is deleted afterwards, even when the test fails."""
    made = []
    base = f"pctest-{secrets.token_hex(3)}"

    def make(suffix=""):
        ns = Netns(base + (f"-{suffix}" if suffix else ""))
        made.append(ns)
        return ns

    yield make
    for ns in reversed(made):
        subprocess.run(["ip", "netns", "del", ns.name], check=False)

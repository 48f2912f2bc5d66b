"""What only the native runtime does: its small init, and its errors in pycompose's words."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from engine.runtime import defaults

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(autouse=True)
def _needs_root():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine/test_runtime_* need root (namespaces, mounts); run them as root")


@pytest.fixture
def bundle():
    """make(args, **annotations) -> (argv prefix, bundle path) in a temporary root, all removed after."""
    busybox = shutil.which("busybox")
    if busybox is None:
        pytest.fail("busybox is missing: apt-get install -y busybox-static")
    where = tempfile.mkdtemp(prefix="pycompose-test-")
    rootfs = os.path.join(where, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    shutil.copy(busybox, os.path.join(rootfs, "bin", "busybox"))
    for name in ("sh", "cat", "tr", "sleep", "ps", "true"):
        os.symlink("busybox", os.path.join(rootfs, "bin", name))

    def make(args, annotations=None):
        config = defaults.config(args)
        config["annotations"] = annotations or {}
        with open(os.path.join(where, "config.json"), "w") as f:
            json.dump(config, f)
        return where

    yield make
    shutil.rmtree(where, ignore_errors=True)


def native(*args, cwd):
    return subprocess.run([sys.executable, "-m", "engine.runtime", "--root", os.path.join(cwd, "state"), *args],
                          cwd=cwd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=REPO),
                          stdin=subprocess.DEVNULL, timeout=20, check=False)


def test_init_is_pid_1_and_passes_the_exit_code_on(bundle):
    where = bundle(["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$; exit 5"])
    done = native("run", "--init", "c1", cwd=where)
    lines = done.stdout.splitlines()
    assert done.returncode == 5, done.stderr
    assert "engine.runtime" in lines[0] and lines[1] == "2", done.stdout


def test_init_reaps_orphans(bundle):
    # sh forks a child that outlives it briefly; the orphan must be reaped by PID 1, not left a zombie.
    where = bundle(["sh", "-c", "(sleep 0.2 &) ; sleep 0.5; ps -o stat | grep -c Z || true"],
                   annotations={"org.pycompose.init": "true"})
    done = native("run", "c2", cwd=where)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "0", done.stdout


def test_bad_bundle_is_reported(bundle):
    where = bundle(["true"])
    with open(os.path.join(where, "config.json"), "w") as f:
        f.write("{not json")
    done = native("run", "c3", cwd=where)
    assert done.returncode == 1 and "config.json" in done.stderr
    assert not os.path.exists(os.path.join(where, "state", "c3"))


def test_state_of_an_unknown_container(bundle):
    where = bundle(["true"])
    done = native("state", "nosuch", cwd=where)
    assert done.returncode == 1 and "container does not exist: nosuch" in done.stderr

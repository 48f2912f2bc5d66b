"""One conformance suite, every runtime: the native one, runc and crun run the same busybox bundles.

Each test gets a fresh state root and bundle under a `pycompose-test-` temporary
directory; every container is deleted (forced) and the directories removed after,
even when the test fails. Configs carry no cgroupsPath and no resources (cgroups are
not the runtime core's). runc or crun missing: those cases are skipped, by name.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from engine.containers import seccomp, seccomp_default
from engine.runtime import capabilities, defaults

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RUNTIMES = ["native", "runc", "crun"]
NOT_FOUND = 'exec: "nosuch": executable file not found in $PATH'


@pytest.fixture(autouse=True)
def _needs_root():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine/test_runtime_* need root (namespaces, mounts); run them as root")


@pytest.fixture(scope="module")
def rootfs():
    """A busybox root filesystem (busybox-static's binary and its applet links), shared read-mostly."""
    busybox = shutil.which("busybox")
    if busybox is None:
        pytest.fail("busybox is missing: apt-get install -y busybox-static")
    where = tempfile.mkdtemp(prefix="pycompose-test-")
    root = os.path.join(where, "rootfs")
    os.makedirs(os.path.join(root, "bin"))
    os.makedirs(os.path.join(root, "tmp"), mode=0o1777)
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for name in applets:
        if name != "busybox":
            os.symlink("busybox", os.path.join(root, "bin", name))
    yield root
    shutil.rmtree(where, ignore_errors=True)


class Runtime:
    """Drives one runtime's runc-style command line in its own state root, and cleans up after it."""

    def __init__(self, name: str, where: str):
        self.name, self.where = name, where
        self.root = os.path.join(where, "state")
        self.ids: list[str] = []
        if name == "native":
            self.argv = [sys.executable, "-m", "engine.runtime", "--root", self.root]
        elif name == "runc":
            self.argv = ["runc", "--root", self.root]
        else:  # crun 1.8 refuses the hybrid layout's cgroup2 mount: hide it in a private mount namespace
            script = 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"'
            self.argv = ["unshare", "-m", "sh", "-c", script, "crun", "--root", self.root]
        self.env = dict(os.environ, PYTHONPATH=REPO)

    def __call__(self, *args: str, timeout: float = 20, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE) -> subprocess.CompletedProcess:
        return subprocess.run([*self.argv, *args], stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                              text=True, env=self.env, timeout=timeout, check=False)

    def bundle(self, args: list[str], rootfs: str, **changes) -> str:
        config = defaults.config(args, hostname="pct-box")
        config["root"]["path"] = rootfs
        for key, value in changes.items():
            _set(config, key, value)
        path = tempfile.mkdtemp(prefix="bundle-", dir=self.where)
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(config, f)
        return path

    def new_id(self) -> str:
        cid = f"pct-{secrets.token_hex(4)}"
        self.ids.append(cid)
        return cid

    def run(self, args: list[str], rootfs: str, **changes) -> subprocess.CompletedProcess:
        return self("run", "--bundle", self.bundle(args, rootfs, **changes), self.new_id())

    def create(self, args: list[str], rootfs: str, **changes) -> str:
        cid = self.new_id()
        bundle = self.bundle(args, rootfs, **changes)
        output = os.path.join(bundle, "output")  # the container keeps create's stdio: not a pipe we wait on
        with open(output, "w") as out:
            done = self("create", "--bundle", bundle, cid, stdout=out, stderr=out)
        with open(output) as out:
            assert done.returncode == 0, f"{self.name} create: {out.read()}"
        return cid

    def state(self, cid: str) -> dict:
        done = self("state", cid)
        assert done.returncode == 0, f"{self.name} state: {done.stderr}"
        return json.loads(done.stdout)

    def cleanup(self) -> None:
        for cid in self.ids:
            self("delete", "--force", cid)
        shutil.rmtree(self.where, ignore_errors=True)


def _set(config: dict, dotted: str, value) -> None:
    *path, last = dotted.split("__")
    node = config
    for key in path:
        node = node.setdefault(key, {})
    node[last] = copy.deepcopy(value)


@pytest.fixture(params=RUNTIMES)
def rt(request):
    name = request.param
    if name != "native" and shutil.which(name) is None:
        pytest.skip(f"SKIPPED {name}: not installed (apt-get install -y {name})")
    runtime = Runtime(name, tempfile.mkdtemp(prefix="pycompose-test-"))
    yield runtime
    runtime.cleanup()


def wait_exit(pid: int, timeout: float = 10) -> None:
    """Block until `pid` (not our child) has exited, or fail at the deadline."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        assert select.select([fd], [], [], timeout)[0], f"process {pid} still alive after {timeout}s"
    finally:
        os.close(fd)


def sh(script: str) -> list[str]:
    return ["sh", "-c", script]


def test_exit_codes(rt, rootfs):
    assert rt.run(["true"], rootfs).returncode == 0
    assert rt.run(["false"], rootfs).returncode == 1
    assert rt.run(sh("exit 7"), rootfs).returncode == 7


def test_sees_only_its_own_processes(rt, rootfs):
    done = rt.run(sh("ls /proc | grep -E '^[0-9]+$'"), rootfs)
    pids = set(done.stdout.split())
    assert "1" in pids and all(int(p) < 10 for p in pids), done.stdout


def test_own_hostname(rt, rootfs):
    assert rt.run(["hostname"], rootfs).stdout.strip() == "pct-box"


def test_cannot_mount(rt, rootfs):
    done = rt.run(sh("mount -t tmpfs none /tmp"), rootfs)
    assert done.returncode != 0


def test_masked_and_read_only_paths(rt, rootfs):
    done = rt.run(sh("wc -c < /proc/keys; ls /sys/firmware | wc -l; touch /sys/x || echo sys-ro; "
                     "echo 1 > /proc/sys/kernel/domainname || echo procsys-ro"), rootfs)
    assert done.stdout.split() == ["0", "0", "sys-ro", "procsys-ro"], done.stdout + done.stderr


def test_dev_nodes_and_links(rt, rootfs):
    done = rt.run(sh("cd /dev && ls; for l in stdin fd ptmx; do readlink $l; done; "
                     "echo x > null && head -c 4 zero | wc -c"), rootfs)
    names = set(done.stdout.split())
    assert {"null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue"} <= names, done.stdout
    assert {"/proc/self/fd/0", "/proc/self/fd", "pts/ptmx", "4"} <= names, done.stdout


def test_user_switching(rt, rootfs):
    done = rt.run(["id"], rootfs, process__user={"uid": 1000, "gid": 1001, "additionalGids": [1002, 1003]})
    assert done.stdout.split()[:2] == ["uid=1000", "gid=1001"], done.stdout
    assert "1002" in done.stdout and "1003" in done.stdout, done.stdout


def test_docker_default_capabilities(rt, rootfs):
    done = rt.run(sh("grep -E '^Cap(Eff|Bnd|Prm)' /proc/self/status"), rootfs)
    assert done.stdout.split() == ["CapPrm:", "00000000a80425fb", "CapEff:", "00000000a80425fb",
                                   "CapBnd:", "00000000a80425fb"], done.stdout


def test_configured_capabilities(rt, rootfs):
    caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
    done = rt.run(sh("grep -E '^Cap(Eff|Bnd)' /proc/self/status"), rootfs,
                  process__capabilities={"bounding": caps, "effective": caps, "permitted": caps})
    assert done.stdout.split() == ["CapEff:", "0000000000000420", "CapBnd:", "0000000000000420"], done.stdout


def test_rlimits(rt, rootfs):
    done = rt.run(sh("grep 'open files' /proc/self/limits"), rootfs,
                  process__rlimits=[{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 800}])
    assert done.stdout.split()[3:5] == ["512", "800"], done.stdout


def test_env_and_cwd(rt, rootfs):
    done = rt.run(sh('echo "$GREETING"; pwd'), rootfs, process__env=["PATH=/bin", "GREETING=hello there"],
                  process__cwd="/tmp")
    assert done.stdout.splitlines() == ["hello there", "/tmp"], done.stdout + done.stderr


def test_program_not_found(rt, rootfs):
    done = rt.run(["nosuch"], rootfs)
    message = done.stderr.replace('\\"', '"')
    assert "nosuch" in message and "not found in $PATH" in message, message
    if rt.name != "crun":  # crun words it its own way
        assert NOT_FOUND in message
    assert done.returncode == (127 if rt.name == "native" else 1)


def test_bind_mount_read_only(rt, rootfs):
    data = tempfile.mkdtemp(dir=rt.where)
    with open(os.path.join(data, "file"), "w") as f:
        f.write("from the host\n")
    mounts = defaults.config(["true"])["mounts"] + [
        {"destination": "/data", "type": "bind", "source": data, "options": ["rbind", "ro", "nosuid", "nodev"]}]
    done = rt.run(sh("cat /data/file; touch /data/new || echo refused"), rootfs, mounts=mounts)
    assert done.stdout.splitlines() == ["from the host", "refused"], done.stdout + done.stderr
    assert os.listdir(data) == ["file"]


def test_lifecycle(rt, rootfs):
    cid = rt.create(["sleep", "30"], rootfs)
    state = rt.state(cid)
    assert (state["id"], state["status"]) == (cid, "created") and state["pid"] > 0, state
    assert state["ociVersion"] and os.path.isabs(state["bundle"])
    assert rt("start", cid).returncode == 0
    assert rt.state(cid)["status"] == "running"
    refused = rt("start", cid)
    assert refused.returncode == 1
    assert rt.name == "crun" or "running" in refused.stderr  # crun only says the fifo is gone
    assert rt("delete", cid).returncode == 1
    assert rt("kill", cid, "KILL").returncode == 0
    wait_exit(state["pid"])
    assert rt.state(cid)["status"] == "stopped"
    assert rt("delete", cid).returncode == 0
    assert rt("state", cid).returncode == 1


def test_kill_with_a_signal(rt, rootfs):
    cid = rt.create(sh("trap 'exit 0' USR1; while :; do sleep 1; done"), rootfs)
    pid = rt.state(cid)["pid"]
    assert rt("start", cid).returncode == 0
    assert rt("kill", cid, "SIGUSR1").returncode == 0
    wait_exit(pid)
    assert rt.state(cid)["status"] == "stopped"


def test_delete_a_created_container(rt, rootfs):
    cid = rt.create(["sleep", "30"], rootfs)
    pid = rt.state(cid)["pid"]
    assert rt("delete", cid).returncode == 0
    wait_exit(pid)
    assert cid not in rt("list", "-q").stdout.split()


def test_exec_into_a_running_container(rt, rootfs):
    cid = rt.create(["sleep", "30"], rootfs)
    assert rt("start", cid).returncode == 0
    done = rt("exec", cid, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname; exit 3")
    assert done.returncode == 3, done.stderr
    assert done.stdout.splitlines() == ["sleep 30 ", "pct-box"], done.stdout
    if rt.name == "crun":
        return  # crun 1.8.1 runs the command but without the -e variable
    assert rt("exec", "-e", "X=y", cid, "sh", "-c", 'echo "$X"').stdout.strip() == "y"


def test_list(rt, rootfs):
    cid = rt.create(["sleep", "30"], rootfs)
    listed = json.loads(rt("list", "--format", "json").stdout)
    assert [(c["id"], c["status"]) for c in listed] == [(cid, "created")]


# -- seccomp ---------------------------------------------------------------------------------------

def default_seccomp(bounding=capabilities.DOCKER_DEFAULT) -> dict:
    """Docker's default profile as dockerd renders it into config.json for this bounding set."""
    return seccomp.render(seccomp_default.PROFILE, bounding)


DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
                           {"names": ["symlink", "symlinkat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}


def test_seccomp_default_profile_refuses_what_docker_refuses(rt, rootfs):
    # unshare(CLONE_NEWUSER) needs no capability, so only the filter stops it; chroot stays allowed.
    done = rt.run(sh("grep '^Seccomp:' /proc/self/status; unshare -U true || echo refused; "
                     "chroot / true && echo chroot-ok; linux32 true && echo linux32-ok"), rootfs,
                  linux__seccomp=default_seccomp())
    assert done.stdout.split() == ["Seccomp:", "2", "refused", "chroot-ok", "linux32-ok"], done.stdout + done.stderr
    assert "Operation not permitted" in done.stderr, done.stderr


def test_without_seccomp_the_same_syscalls_go_through(rt, rootfs):
    done = rt.run(sh("grep '^Seccomp:' /proc/self/status; unshare -U true && echo allowed"), rootfs)
    assert done.stdout.split() == ["Seccomp:", "0", "allowed"], done.stdout + done.stderr


def test_seccomp_follows_the_capabilities(rt, rootfs):
    # Without CAP_SYS_CHROOT the default profile does not allow chroot(2) either.
    caps = [c for c in capabilities.DOCKER_DEFAULT if c != "CAP_SYS_CHROOT"]
    done = rt.run(sh("chroot / true 2>/dev/null || echo refused"), rootfs,
                  process__capabilities={"bounding": caps, "effective": caps, "permitted": caps},
                  linux__seccomp=default_seccomp(caps))
    assert done.stdout.split() == ["refused"], done.stdout + done.stderr


def test_a_custom_profile_with_errno_values(rt, rootfs):
    done = rt.run(sh("mkdir /tmp/d || echo no-mkdir; ln -s x /tmp/l || echo no-symlink; touch /tmp/f && echo touched"),
                  rootfs, linux__seccomp=DENY_MKDIR)
    assert done.stdout.split() == ["no-mkdir", "no-symlink", "touched"], done.stdout + done.stderr
    assert "Operation not permitted" in done.stderr and "Permission denied" in done.stderr, done.stderr


def test_seccomp_without_no_new_privileges(rt, rootfs):
    # Docker's containers keep setuid programs working: the filter is loaded while the runtime may still do so.
    done = rt.run(sh("grep '^NoNewPrivs:' /proc/self/status; mkdir /tmp/d || echo no-mkdir"), rootfs,
                  process__noNewPrivileges=False, linux__seccomp=DENY_MKDIR)
    assert done.stdout.split() == ["NoNewPrivs:", "0", "no-mkdir"], done.stdout + done.stderr


def test_exec_is_filtered_too(rt, rootfs):
    cid = rt.create(["sleep", "30"], rootfs, linux__seccomp=DENY_MKDIR)
    assert rt("start", cid).returncode == 0
    done = rt("exec", cid, "sh", "-c", "mkdir /tmp/e || echo no-mkdir; grep '^Seccomp:' /proc/self/status")
    assert done.stdout.split() == ["no-mkdir", "Seccomp:", "2"], done.stdout + done.stderr


# -- user namespaces -------------------------------------------------------------------------------

HOST_ID = 100000
USERNS = {"linux__uidMappings": [{"containerID": 0, "hostID": HOST_ID, "size": 65536}],
          "linux__gidMappings": [{"containerID": 0, "hostID": HOST_ID, "size": 65536}]}


def owned_copy(rootfs: str, where: str, owner: int) -> str:
    """A copy of the rootfs owned by `owner` (the container's root, mapped): ownership is the caller's business."""
    copy_ = os.path.join(where, "rootfs-userns")
    shutil.copytree(rootfs, copy_, symlinks=True)
    for directory, dirs, files in os.walk(copy_):
        for name in [directory, *(os.path.join(directory, n) for n in dirs + files)]:
            os.lchown(name, owner, owner)
    return copy_


def userns_config(data: str) -> dict:
    mounts = defaults.config(["true"])["mounts"] + [
        {"destination": "/data", "type": "bind", "source": data, "options": ["rbind"]}]
    spaces = [*defaults.config(["true"])["linux"]["namespaces"], {"type": "user"}]
    return dict(USERNS, mounts=mounts, linux__namespaces=spaces)


@pytest.fixture
def userns_rootfs(rt, rootfs):
    os.chmod(rt.where, 0o711)  # the mapped root must get through to the rootfs and the bind sources
    return owned_copy(rootfs, rt.where, HOST_ID)


def test_user_namespace_maps_root_to_a_host_range(rt, userns_rootfs):
    data = tempfile.mkdtemp(dir=rt.where)
    os.chown(data, HOST_ID, HOST_ID)
    done = rt.run(sh("id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /data/made; "
                     "ls /proc | grep -cE '^[0-9]+$'; hostname"), userns_rootfs, **userns_config(data))
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    assert lines[:4] == ["0", "0", f"0 {HOST_ID} 65536", f"0 {HOST_ID} 65536"], done.stdout
    assert int(lines[4]) < 5 and lines[5] == "pct-box", done.stdout  # its own PID and UTS namespaces
    made = os.stat(os.path.join(data, "made"))
    assert (made.st_uid, made.st_gid) == (HOST_ID, HOST_ID)


def test_user_namespace_root_is_not_host_root(rt, userns_rootfs):
    data = tempfile.mkdtemp(dir=rt.where)  # owned by host root: the container's root may not write there
    done = rt.run(sh("touch /data/x || echo refused; cat /dev/null && echo devnull-ok"), userns_rootfs,
                  **userns_config(data))
    assert done.stdout.split() == ["refused", "devnull-ok"], done.stdout + done.stderr
    assert os.listdir(data) == []


def test_exec_joins_the_user_namespace(rt, userns_rootfs):
    data = tempfile.mkdtemp(dir=rt.where)
    cid = rt.create(["sleep", "30"], userns_rootfs, **userns_config(data))
    assert rt("start", cid).returncode == 0
    done = rt("exec", cid, "sh", "-c", "id -u; cat /proc/self/uid_map")
    assert done.returncode == 0, done.stderr
    assert [" ".join(line.split()) for line in done.stdout.splitlines()] == ["0", f"0 {HOST_ID} 65536"]


def _master(listener: socket.socket) -> int:
    """The pty master a runtime sent to our console socket."""
    listener.settimeout(10)
    conn, _ = listener.accept()
    with conn:
        _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
    assert fds, "the runtime sent no pty master"
    return fds[0]


def _read_pty(master: int, timeout: float = 20) -> str:
    """Everything the pty's processes write, until the last of them has gone (EIO)."""
    seen, deadline = b"", time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if select.select([master], [], [], left)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            seen += data
    os.close(master)
    return seen.decode()


def test_terminal_from_the_console_socket(rt, rootfs):
    """process.terminal: a pty of the container's own devpts, sized by consoleSize, as stdio and /dev/console."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = os.path.join(rt.where, "console.sock")
    listener.bind(path)
    listener.listen(1)
    with listener:
        cid = rt.new_id()
        bundle = rt.bundle(sh("tty; stty size; [ /dev/console -ef /dev/pts/0 ] && echo console"), rootfs,
                           process__terminal=True, process__consoleSize={"height": 33, "width": 101})
        done = rt("create", "--console-socket", path, "--bundle", bundle, cid)
        assert done.returncode == 0, done.stderr
        master = _master(listener)
        assert rt("start", cid).returncode == 0
        assert _read_pty(master).split("\r\n")[:3] == ["/dev/pts/0", "33 101", "console"]


def test_exec_with_a_terminal(rt, rootfs):
    """exec --tty --console-socket --detach: the exec'd process on a pty of its own, sent to the caller."""
    cid = rt.create(["sleep", "30"], rootfs)
    assert rt("start", cid).returncode == 0
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = os.path.join(rt.where, "exec.sock")
    listener.bind(path)
    listener.listen(1)
    with listener:
        process = os.path.join(rt.where, "process.json")
        with open(process, "w") as f:
            json.dump(dict(defaults.config(sh("tty; echo $((6*7))"))["process"], terminal=True), f)
        done = rt("exec", "--detach", "--tty", "--console-socket", path, "--process", process, cid)
        assert done.returncode == 0, done.stderr
        lines = _read_pty(_master(listener)).split("\r\n")
    assert lines[0].startswith("/dev/pts/") and lines[1] == "42", lines


def test_sysctls_land_before_proc_sys_turns_read_only(rt, rootfs):
    done = rt.run(sh("cat /proc/sys/kernel/shmmax /proc/sys/kernel/domainname; "
                     "echo 1 > /proc/sys/kernel/shmmax || echo procsys-ro"), rootfs,
                  linux__sysctl={"kernel.shmmax": "7654321", "kernel.domainname": "pct.example"})
    assert done.stdout.split() == ["7654321", "pct.example", "procsys-ro"], done.stdout + done.stderr


def test_read_only_root_keeps_dev_shm_writable(rt, rootfs):
    done = rt.run(sh("touch /x || echo root-ro; echo ok > /dev/shm/x && cat /dev/shm/x"), rootfs,
                  root__readonly=True)
    assert done.stdout.split() == ["root-ro", "ok"], done.stdout + done.stderr

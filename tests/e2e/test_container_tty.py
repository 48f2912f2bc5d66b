"""`container run -it`, `attach`, `start -ai`, `exec -it` and `run -i` as a user at a terminal types them.

The CLI runs on a pseudo-terminal of the test's (tests/e2e/ptys.py): keys go in, the screen
comes out, the window has a size the test sets. Root and busybox-static, like
test_container_cmd.py (whose Env it uses); each test removes what it made.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.e2e.engine_env import REPO, Env
from tests.e2e.ptys import Terminal
from tests.waiting import eventually

PROMPT = rb"/ # "  # busybox ash's, for root


@pytest.fixture(params=["native", "runc", "crun"])
def runtime(request) -> str:  # type: ignore[no-untyped-def]
    if request.param != "native" and shutil.which(request.param) is None:
        pytest.skip(f"{request.param} is not installed: its terminals are untested")
    return request.param


def terminal(env: Env, *args: str, rows: int = 24, cols: int = 80) -> Terminal:
    """`pycompose container ARGS` on a terminal of `rows` x `cols`."""
    return Terminal([sys.executable, "-m", "compose.cli.main", "container", *args], env=env.environ, cwd=REPO,
                    rows=rows, cols=cols)


def test_run_it_gives_a_shell_a_terminal_of_our_size_and_exits_with_its_code(cli, runtime):
    with terminal(cli, "run", "-it", "--rm", "--runtime", runtime, "busybox", "sh", rows=33, cols=101) as term:
        term.expect(PROMPT)
        term.send(b"echo $((40+2)); stty size; tty; echo $TERM\r")
        term.expect(rb"\n42\r\n33 101\r\n/dev/pts/\d+\r\nxterm\r\n")
        term.resize(40, 120)  # SIGWINCH to the CLI, which resizes the container's pty
        eventually(lambda: term.send(b"stty size\r") or b"40 120" in term.expect(rb"\n\d+ \d+\r\n").group(),
                   what="the new window size inside the container")
        assert not term.cooked()  # raw while the container has our keys
        term.send(b"exit 3\r")
        assert term.wait() == 3
        assert term.cooked()  # and given back as it was
    assert cli.cli("ls", "-a", "-q").stdout == ""  # --rm


def test_ctrl_c_reaches_the_containers_foreground_process_as_sigint(cli):
    with terminal(cli, "run", "-it", "--rm", "busybox", "sh") as term:
        term.expect(PROMPT)
        term.send(b"sh -c 'echo started; exec sleep 100'\r")
        term.expect(rb"\nstarted\r\n")  # sleep is the pty's foreground process now
        term.send(b"\x03")
        term.expect(PROMPT)
        term.send(b"exit $?\r")
        assert term.wait() == 130  # 128 + SIGINT, as the shell saw it end


def test_run_dit_keeps_its_shell_for_attach_and_ctrl_p_ctrl_q_leaves_it_running(cli):
    done = cli.cli("run", "-dit", "--name", "shell", "busybox", "sh")
    assert done.returncode == 0, done.stderr
    with terminal(cli, "attach", "shell", rows=20, cols=70) as term:
        term.send(b"echo $((6*7)); stty size\r")
        term.expect(rb"\n42\r\n20 70\r\n")
        term.send(b"\x10\x11")  # Docker's default detach keys
        assert term.wait() == 1  # `attach` reports it as Docker does
        assert b"read escape sequence" in term.seen and term.cooked()
    assert "Up " in cli.cli("ls").stdout
    with terminal(cli, "attach", "--detach-keys", "ctrl-x,x", "shell") as term:
        term.send(b"echo back\r")
        term.expect(rb"\nback\r\n")  # the same shell, still there
        term.send(b"exit 5\r")
        assert term.wait() == 5
    assert cli.cli("wait", "shell").stdout == "5\n"
    from engine import logs

    lines = [e["log"] for e in logs.read(cli.service().log_path(cli.service().get("shell")))]
    assert "back\r\n" in lines  # a pty's output, logged with its \r\n


def test_create_it_then_start_ai(cli):
    assert cli.cli("create", "-it", "--name", "later", "busybox", "sh").returncode == 0
    config = json.loads(cli.cli("inspect", "later").stdout)[0]["Config"]
    assert (config["Tty"], config["OpenStdin"], config["StdinOnce"]) == (True, True, True)  # as Docker's create -it
    with terminal(cli, "start", "-ai", "later") as term:
        term.expect(PROMPT)
        term.send(b"exit 7\r")
        assert term.wait() == 7


def test_exec_it_runs_a_shell_on_a_pty_of_its_own(cli, runtime):
    assert cli.cli("run", "-d", "--runtime", runtime, "--name", "web", "busybox", "sleep", "300").returncode == 0
    with terminal(cli, "exec", "-it", "-u", "nobody", "web", "sh", rows=30, cols=90) as term:
        term.expect(rb"\$ ")  # a non-root prompt
        term.send(b"tty; stty size; id -u; exit 4\r")
        term.expect(rb"\n/dev/pts/\d+\r\n30 90\r\n65534\r\n")
        assert term.wait() == 4


def test_exec_it_of_a_missing_program_is_127(cli):
    assert cli.cli("run", "-d", "--name", "web", "busybox", "sleep", "300").returncode == 0
    with terminal(cli, "exec", "-it", "web", "nosuch") as term:
        assert term.wait() == 127
        assert b'exec: "nosuch": executable file not found in $PATH' in term.seen


def test_run_it_of_a_missing_program_is_127(cli):
    with terminal(cli, "run", "-it", "--rm", "busybox", "nosuch") as term:
        assert term.wait() == 127
        assert b'exec: "nosuch": executable file not found in $PATH' in term.seen


def test_run_i_streams_stdin_and_its_end_ends_the_containers(cli):
    done = subprocess.run([sys.executable, "-m", "compose.cli.main", "container", "run", "-i", "--rm", "busybox",
                           "sh", "-c", "cat; echo done >&2"], input="hello\n", capture_output=True, text=True,
                          env=cli.environ, cwd=REPO, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "hello\n", "done\n")


def test_exec_i_streams_stdin(cli):
    assert cli.cli("run", "-d", "--name", "web", "busybox", "sleep", "300").returncode == 0
    done = subprocess.run([sys.executable, "-m", "compose.cli.main", "container", "exec", "-i", "web", "wc", "-l"],
                          input="a\nb\nc\n", capture_output=True, text=True, env=cli.environ, cwd=REPO, timeout=60,
                          check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr


def test_it_without_a_terminal_on_stdin_is_refused_as_docker_does(cli):
    done = cli.cli("run", "-it", "--rm", "busybox", "true")
    assert done.returncode != 0 and done.stderr == "the input device is not a TTY\n"
    assert cli.cli("ls", "-a", "-q").stdout == ""  # refused before anything was made


def test_start_ai_gives_each_run_a_stdin_of_its_own(cli):
    assert cli.cli("create", "-i", "--name", "echoer", "busybox", "cat").returncode == 0
    for line in ("one\n", "two\n"):
        done = subprocess.run([sys.executable, "-m", "compose.cli.main", "container", "start", "-ai", "echoer"],
                              input=line, capture_output=True, text=True, env=cli.environ, cwd=REPO, timeout=60,
                              check=False)
        assert (done.returncode, done.stdout) == (0, line), done.stderr

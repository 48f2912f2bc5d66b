"""`python -S -m engine.containers.shim ROOT BUNDLE ID [CGROUP_PROCS...]`: the native runtime's `run`,
with the container's process placed in its cgroup before it sets itself up.

Exits as the container does. When the program cannot be started, the runtime's
message goes to `<bundle>/start.error` (not to the container's log: the container
never ran) and the exit code is 127 (not found), 126 (not runnable) or 1.
"""

from __future__ import annotations

import os
import sys


def _join(procs: list[str]):  # type: ignore[no-untyped-def]
    def join(pid: int) -> None:
        for path in procs:
            with open(path, "w") as f:
                f.write(str(pid))
    return join


def main(argv: list[str]) -> int:
    root, bundle, cid, *procs = argv
    from engine.runtime import launch
    from engine.runtime.process import ExecFailed
    from engine.runtime.state import Store
    from pycompose.errors import PycomposeError

    try:
        return launch.run(Store(root), cid, bundle, pid_file=os.path.join(bundle, "init.pid"),
                          on_fork=_join(procs) if procs else None)
    except (PycomposeError, OSError) as e:
        message = e.message if isinstance(e, PycomposeError) else f"start container: {e}"
        with open(os.path.join(bundle, "start.error"), "w") as f:
            f.write(message)
        return e.exit_code if isinstance(e, ExecFailed) else 1


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

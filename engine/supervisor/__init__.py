"""engine.supervisor: one shared daemon that supervises every running container of a host.

The daemon (`python -m engine.supervisor pycompose-supervisor --state-root S --run-root R`)
owns each container's output, writes its json-file log, records its exit, applies
its restart policy and runs its healthcheck. The CLI talks to it through
`engine.supervisor.client.Supervisor` over a unix socket under the run root, and
starts it on first use. This package's __init__ imports nothing: the daemon's
memory is the figure that matters.

The daemon is a child subreaper (prctl PR_SET_CHILD_SUBREAPER): a container started
through an OCI runtime is created by a short-lived child of the daemon (the runtime's
`create`, then `start`, as containerd's shim and conmon drive runc), and once that
child exits, the container's process is reparented to the daemon. No process of
pycompose stays resident per container: the memory per container is the daemon's
divided by the containers (see bench/supervisor_memory.py).

Lifecycle of a container under supervision:

    start   the launcher starts the process in its own session, stdout and stderr
            opened on two FIFOs under <run root>/containers/<id>/ (read-write, so a
            write never meets "no reader" and the process survives the supervisor),
            or with a tty on a new pty whose master the daemon receives; with an open
            stdin and no tty, stdin is a third FIFO whose writing end the daemon holds
            (stdio.py); `start` answers once the program runs, or with why it could not
    run     the daemon reads the FIFOs (or the pty) into the log and to attached clients,
            and passes their input on (attach.py); probes run every interval
    exit    the daemon reaps its child; status recorded; the policy decides
            between `exited` and `restarting`
    stop    the stop signal, then SIGKILL after the grace period

If the daemon dies, containers keep running (their output waits in the FIFOs, up to
1 MiB each, then their writes block); their parent becomes the host's init. The
next daemon adopts every record whose process is still the same one (pid, start
time, boot id) by reopening its FIFOs and watching it through a pidfd; since it is
not the process's parent, an adopted container's exit code is not known and is
recorded as 255 with an explanation. Its next start makes it the daemon's child again.
A container's pty master or stdin writer is held by a keeper too (keeper.py: the
host's `sleep` holding one descriptor), so that it survives the daemon and the next
one takes it back.
"""

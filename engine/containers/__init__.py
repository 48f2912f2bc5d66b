"""engine.containers: an image becoming a running, logged, stoppable container.

    options   RunOptions: what `container run`/`create` asks for, as frozen data
    bundle    image config + options -> an OCI config.json (pure: tests read its output)
    files     /etc/hostname, /etc/hosts, /etc/resolv.conf for the container, and users from its /etc/passwd
    service   ContainerService: create, start, stop, kill, remove, list, wait (the one entry point)
    launcher  the supervisor's launcher for these containers (runs a runtime in the foreground)
    exec      another process in a running container; with a tty, its pty for the caller to relay
    attach    the client's side of attaching to a container's stdio through its supervisor
    shim      the supervised child of the native runtime: `run` with the container in its cgroup
    inspect   Docker-shaped views of a record (inspect, ls rows)

Lifecycle (`ContainerService`):

    create   name reserved (the record), snapshot prepared and mounted at <bundle>/rootfs,
             config.json written; a failure unwinds all three
    start    the cgroup made, the supervisor starts the launcher's child:
             `<runtime> run --bundle B ID` in the foreground, whose exit code is the container's
    stop     through the supervisor: the stop signal, SIGKILL after the grace period
    remove   (a forced one kills first) the mount, the cgroup, the snapshot, the bundle, the record

Nothing is imported here: the supervisor imports `launcher` alone.
"""

"""The native OCI runtime: runs an OCI bundle (config.json + rootfs) in new namespaces.

Laid out by kernel feature, each module small:

    spec          config.json as frozen dataclasses
    syscalls      the one seam to the kernel (tests record calls through it)
    namespaces    new and joined namespaces; PID ones entered before fork
    mounts        mount options as flags, bind/remount, masks, read-only binds
    devices       /dev nodes and links
    rootfs        propagation, spec mounts, pivot_root, masked/read-only paths
    capabilities  the five sets, Docker's default set
    rlimits       setrlimit from the spec
    user          uid, gid, additional gids
    seccomp       linux.seccomp compiled once (libseccomp), cached, loaded as runc loads it
    console       process.terminal through --console-socket
    process       the container's process from fork to execve; the small init
    state         state directory, observed status, the lifecycle table
    launch        create/start/run/kill/delete; execin: exec
    cli           runc's command line (`python -m engine.runtime`)

Cgroups are not here: the launcher's `on_fork(pid)` hook is where they go.
"""

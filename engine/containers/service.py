"""ContainerService: the one entry point for single containers (the CLI and, later, compose use it).

    svc = ContainerService(roots())
    record = svc.create(RunOptions(image="busybox", command=("sleep", "300"), name="web"))
    svc.start(record.id)
    svc.stop("web", timeout=1)
    svc.remove("web")

Layout under the state root: `containers/<id>/` the record and log (engine.state),
`bundles/<id>/` config.json, rootfs (the snapshot's mount point), the /etc files,
init.pid, start.error and runtime.log (runc's and crun's), and `shm/` (the /dev/shm tmpfs of an
`--ipc shareable` container, which joiners bind too); `snapshots/<id>/` the writable layer. Under the run root:
the supervisor, `runtime/` (the native runtime's state), `runc/`, `crun/`.
Each container's cgroup is `pycompose/<id>` (`pycompose/<parent>/<id>` with `--cgroup-parent`), made on start
and removed with it. A container that joins another's IPC or PID namespace (`container:x`) finds its
namespaces again each time it starts: they are those of that one's process, whose pid may have changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import engine
from engine import events
from engine.containers.errors import ContainerBusy, ContainerInvalid, ContainerStartFailed
from engine.containers.options import RUNTIMES, Mount, RunOptions
from engine.images.images import Image, ImageService
from engine.roots import Roots
from engine.state import ContainerConfig, ContainerRecord, Healthcheck, NoSuchContainer, Store, new_id, observe
from engine.state.lifecycle import ACTIVE, next_state
from engine.supervisor.client import Supervisor, SupervisorUnavailable
from engine.volumes import ANONYMOUS, NoSuchVolume

if TYPE_CHECKING:
    from collections.abc import Callable

    from engine.containers.attach import Connection
    from engine.containers.commit import CommitOptions
    from engine.containers.exec import ExecOptions, Execution
    from engine.images.archives.diff import Change
    from engine.images.snapshots import OverlaySnapshotter
    from engine.volumes import VolumeService

LAUNCHER = "engine.containers.launcher:RuntimeLauncher"
SHM_DIR = "shm"  # <bundle>/shm: the tmpfs of a shareable container's /dev/shm
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")


class ContainerService:
    def __init__(self, roots: Roots):
        self.roots = roots
        self.store = Store(roots.state)
        self.bundles = roots.state / "bundles"
        self.supervisor = Supervisor(roots.state, roots.run)
        self._images: ImageService | None = None

    @property
    def images(self) -> ImageService:
        if self._images is None:
            self._images = ImageService(self.roots.state)
        return self._images

    def snapshots(self) -> OverlaySnapshotter:
        from engine.images.snapshots import OverlaySnapshotter

        return OverlaySnapshotter(self.roots.state / "snapshots", self.images.layers)

    def bundle(self, container_id: str) -> Path:
        return self.bundles / container_id

    # -- create ---------------------------------------------------------------------
    def create(self, options: RunOptions, *, whole: bool = True, image: Image | None = None) -> ContainerRecord:
        """A new container of `options`, `created`; with `whole=False` it stays `dead` until the caller, once it
        has plumbed it (networks, ports), calls `made`: a caller killed halfway leaves a container that `up`
        recreates and `rm` removes, never one that starts without its networks. `image`: the image itself,
        when the caller has one that is in no store (a build's step, whose layers are unpacked); else
        `options.image` is looked up."""
        if options.runtime not in RUNTIMES:
            raise ContainerInvalid(f"runtime `{options.runtime}`: choose one of {', '.join(RUNTIMES)}")
        if options.name is not None and not _NAME.fullmatch(options.name):
            raise ContainerInvalid(f"invalid container name `{options.name}`: only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed")
        from engine.containers import flags, limits, names, resolve

        log = flags.log_config(options.log_driver, options.log_opts)
        options = dataclasses.replace(options, **flags.modes(options.ipc, options.pid, options.uts, options.cgroupns,
                                                             options.userns))
        image = image or self.images.get(options.image)
        image_config = image.config.container_config
        options = resolve.volumes_from(self, _with_exposed(options, image_config))
        options, made = self._resolve_mounts(_with_image_volumes(options, image_config))
        cid = new_id()
        cgroup = limits.cgroup_path(options, cid)
        launch = {"runtime": options.runtime, "bundle": str(self.bundle(cid)), "id": cid,
                  "root": str(self.roots.run / ("runtime" if options.runtime == "native" else options.runtime)),
                  "cgroup": cgroup, "cgroup_procs": _cgroup_procs(cgroup),
                  "pythonpath": str(Path(engine.__file__).resolve().parent.parent),
                  "image": options.image, "image_id": image.id, "auto_remove": options.auto_remove,
                  "remove_on_exit": options.remove_on_exit,
                  "shm": resolve.shm_source(self, options, self.bundle(cid)), "options": _options_json(options)}
        record = ContainerRecord(id=cid, name=options.name or names.generate(self._taken()), labels=options.labels,
                                 config=ContainerConfig(launch=launch, launcher=LAUNCHER, restart=options.restart,
                                                        stop_signal=options.stop_signal or image_config.get(
                                                            "StopSignal") or "SIGTERM",
                                                        stop_timeout=10.0 if options.stop_timeout is None
                                                        else options.stop_timeout,
                                                        healthcheck=options.healthcheck or _image_healthcheck(
                                                            image_config),
                                                        tty=options.tty, open_stdin=options.open_stdin,
                                                        stdin_once=options.stdin_once, log=log))
        try:  # `dead` until its bundle is whole: a create killed halfway leaves what `up` recreates and `rm` removes
            record = self.store.create(record.replace(state="dead"))
        except BaseException:
            self._forget_volumes(made)
            raise
        from engine.cgroups.manager import Cgroup, prime_moves

        try:
            # Its cgroups now, and the moves primed only after (see prime_moves: a first move holds the kernel's
            # cgroup_mutex, which a mkdir waits for, for a grace period), so that when it starts, in some
            # milliseconds, neither its cgroups' making (done) nor its process's moves (primed) wait.
            Cgroup.create(cgroup)
            prime_moves()
            self._make_bundle(record, image, image_config, options)
            if whole:
                record = self.made(record.id)
        except BaseException:
            self._unwind(record.id)
            self._forget_volumes(made)
            raise
        events.container(self.roots.state, record, "create")
        return record

    def made(self, ref: str) -> ContainerRecord:
        """The container whole (see `create`): `created`."""
        return self.store.update(ref, lambda r: r.replace(state="created") if r.state == "dead" else r,
                                 durable=False)

    @property
    def volumes(self) -> VolumeService:
        from engine.volumes import VolumeService

        return VolumeService(self.roots)

    def _resolve_mounts(self, options: RunOptions) -> tuple[RunOptions, list[str]]:
        """Bind sources checked (or made), volumes made when missing and anonymous ones named; what was made."""
        resolved, made = [], []
        for mount in options.mounts:
            if not mount.target.startswith("/"):
                raise ContainerInvalid(f"invalid mount target `{mount.target}`: it must be an absolute path")
            if mount.type == "bind":
                source = mount.source or ""
                if not source.startswith("/"):
                    raise ContainerInvalid(f"invalid mount source `{source}`: a bind source is an absolute path")
                if not os.path.exists(source):
                    if not mount.create_host_path:
                        raise ContainerInvalid(f"invalid mount config for type \"bind\": bind source path does "
                                               f"not exist: {source}")
                    os.makedirs(source, mode=0o755, exist_ok=True)
            elif mount.type == "volume":
                labels = {} if mount.source else {ANONYMOUS: ""}
                try:
                    self.volumes.get(mount.source or "")
                except NoSuchVolume:
                    volume = self.volumes.create(mount.source, labels=labels)
                    made.append(volume.name)
                    mount = dataclasses.replace(mount, source=volume.name)
            resolved.append(mount)
        return dataclasses.replace(options, mounts=tuple(resolved)), made

    def _forget_volumes(self, names: list[str]) -> None:
        for name in names:
            with contextlib.suppress(Exception):
                self.volumes.remove(name, force=True)

    def _taken(self) -> set[str]:
        return {r.name for r in self.store.list()}

    def _make_bundle(self, record: ContainerRecord, image, image_config: dict, options: RunOptions) -> None:  # type: ignore[no-untyped-def]
        from engine.containers import bundle, files, limits, resolve
        from engine.containers.bundle import Identity
        from engine.images.snapshots import mount_all

        directory = self.bundle(record.id)
        directory.mkdir(parents=True, mode=0o700)
        rootfs = directory / "rootfs"
        rootfs.mkdir()
        self.store.log_path(record.id).touch(mode=0o600)  # so that a follower can open it at once
        # An ephemeral container (--rm) keeps nothing either: its unmount need not sync the filesystem
        volatile = options.volatile_rootfs or record.ephemeral
        mount_all(self.snapshots().prepare(record.id, image.diff_ids, rootfs, volatile=volatile))
        host_network = options.network == "host"
        hostname = os.uname().nodename if host_network or options.uts == "host" else (
            options.hostname or record.id[:12])
        user = options.user or image_config.get("User") or ""
        uid, gid, home = files.resolve_user(rootfs, user) if user else (0, 0, "/root")
        who = Identity(hostname=hostname, uid=uid, gid=gid, home=home, cgroup=record.config.launch["cgroup"],
                       additional_gids=resolve.groups(rootfs, user or "0", gid, options.group_add))
        host, device_rules = resolve.host(self, options, directory, strict=False)
        resources = limits.resources(options, device_rules)
        volumes = self._volume_paths(rootfs, options)
        doc = bundle.config(image_config, options, who, files.write_files(directory, hostname, host_network,
                                                                           options.extra_hosts),
                            resources.to_oci(), volumes, host)
        self._mount_shm(record, options.shm_size)
        (directory / "config.json").write_text(json.dumps(doc))  # compact: json encodes it in C (2 ms less)

    def _mount_shm(self, record: ContainerRecord, size: int | None) -> None:
        """A shareable container's /dev/shm: a tmpfs of its own on the host (under its bundle), which the
        containers that join its IPC namespace bind too; mounted until the container is removed."""
        from engine.containers import isolation
        from engine.images.snapshots.mounts import Mount as HostMount
        from engine.images.snapshots.mounts import mount_one

        shm = self.bundle(record.id) / SHM_DIR
        if record.config.launch.get("shm") != str(shm) or os.path.ismount(shm):
            return
        shm.mkdir(mode=0o1777, exist_ok=True)
        size = isolation.DEFAULT_SHM_SIZE if size is None else size
        mount_one(HostMount("tmpfs", "shm", str(shm), (f"size={size}", "mode=1777")))

    def _volume_paths(self, rootfs: Path, options: RunOptions) -> dict[str, str]:
        """Each mounted volume's mountpoint, an empty one first filled from the image (unless `nocopy`)."""
        from engine.runtime.mounts import secure_join

        paths = {}
        for mount in options.mounts:
            if mount.type == "volume" and mount.source:
                volume = self.volumes.get(mount.source)
                if mount.subpath:
                    _check_subpath(volume.name, volume.mountpoint, mount.subpath)
                elif not mount.nocopy:
                    self.volumes.copy_up(volume, secure_join(str(rootfs), mount.target))
                paths[volume.name] = volume.mountpoint
        return paths

    def _unwind(self, container_id: str) -> None:
        """Undo whatever part of a container exists: mount, cgroup, snapshot, bundle, runtime state, record."""
        from engine.cgroups.manager import Cgroup
        from engine.images.errors import ImageNotFound
        from engine.images.snapshots import unmount_all
        from engine.images.snapshots.mounts import unmount

        directory = self.bundle(container_id)
        try:
            mounted = self.snapshots().mounts(container_id, directory / "rootfs") \
                if (self.roots.state / "snapshots" / container_id).exists() else []
        except ImageNotFound:  # a snapshot half made (its create was killed): nothing of it was mounted
            mounted = []
        unmount_all(mounted)
        if os.path.ismount(directory / SHM_DIR):
            unmount(directory / SHM_DIR)
        try:
            cgroup = self.store.get(container_id).config.launch.get("cgroup") or f"pycompose/{container_id}"
        except NoSuchContainer:
            cgroup = f"pycompose/{container_id}"
        Cgroup(cgroup).remove(parents=True)
        self.snapshots().remove(container_id)
        shutil.rmtree(directory, ignore_errors=True)
        for sub in ("runtime", "runc", "crun", "containers"):  # runtime state left by a killed runtime; FIFOs
            shutil.rmtree(self.roots.run / sub / container_id, ignore_errors=True)
        with contextlib.suppress(NoSuchContainer):
            self.store.remove(container_id)

    # -- start, stop, kill, wait ------------------------------------------------------
    def get(self, ref: str) -> ContainerRecord:
        return observe(self.store.get(ref))

    def _prepare(self, record: ContainerRecord) -> None:
        """What a start needs before the runtime runs: the root filesystem mounted, /dev/shm, the namespaces of the
        containers it joins as they are now, the cgroup with its limits."""
        from engine.cgroups.manager import Cgroup, prime_moves
        from engine.cgroups.resources import Resources
        from engine.images.snapshots import mount_all

        next_state("start", record.name, record.state)
        directory = self.bundle(record.id)
        rootfs = directory / "rootfs"
        if not os.path.ismount(rootfs):
            mount_all(self.snapshots().mounts(record.id, rootfs))
        doc = json.loads((directory / "config.json").read_text())
        self._mount_shm(record, record.config.launch.get("options", {}).get("shm_size"))
        if _joins_others(record):
            doc = self._rejoin(record, doc)
        prime_moves()  # its process's moves into its cgroups are then quick (made by `create`, or made here first)
        Cgroup.create(record.config.launch["cgroup"], Resources.from_oci(doc["linux"].get("resources") or {}))

    def run_here(self, ref: str, on_output: Callable[[bytes], None],
                 cancelled: Callable[[], bool] = lambda: False) -> int:
        """Run the created container to its end in the foreground, without the supervisor (a build's step); its
        exit code. Its record stays `created`: the caller removes it after."""
        from engine.containers import foreground

        record = self.get(ref)
        self._prepare(record)
        return foreground.run(record, on_output, cancelled)

    def start(self, ref: str) -> ContainerRecord:
        """Start the container; returns once its program runs (or raise why it could not)."""
        from engine.containers import launcher

        record = self.get(ref)
        if record.state == "running":
            return record
        self._prepare(record)
        try:
            self.supervisor.start(record.id)  # answers once the program runs
        except SupervisorUnavailable:
            error = self.bundle(record.id) / launcher.ERROR_FILE
            current = self.get(record.id)
            if current.state in ACTIVE or not error.exists():
                raise
            raise ContainerStartFailed("failed to create task for container: unable to start container process: "
                                       f"{error.read_text().strip()}", exit_code=current.exit_code or 1) from None
        return self.get(record.id)

    def _rejoin(self, record: ContainerRecord, doc: dict) -> dict:
        """config.json with the namespaces (and /dev/shm) of the containers this one joins, as they are now."""
        from engine.containers import resolve

        paths, shm = resolve.joins(self, _stored_options(record), strict=True)
        for space in doc["linux"]["namespaces"]:
            if space["type"] in paths:
                space["path"] = paths[space["type"]]
        for mount in doc["mounts"]:
            if mount["destination"] == "/dev/shm" and shm:
                mount["source"] = shm
        (self.bundle(record.id) / "config.json").write_text(json.dumps(doc))
        return doc

    def stop(self, ref: str, timeout: float | None = None) -> ContainerRecord:
        record = self._thawed(self.get(ref))
        if record.state in ACTIVE:
            self.supervisor.stop(record.id, timeout)
            events.container(self.roots.state, record, "stop")
        return self.get(record.id)

    def kill(self, ref: str, signal: str = "SIGKILL") -> None:
        record = self._thawed(self.get(ref))
        if record.state not in ("running", "paused"):
            raise ContainerBusy(f"cannot kill container `{record.name}`: container {record.id[:12]} is not running")
        self.supervisor.kill(record.id, signal)

    def wait(self, ref: str) -> int:
        # The stored record, not the observed one: a process that has just ended looks lost
        # (exit 255) until its supervisor records the real exit code, which only it knows.
        stored = self.store.get(ref)
        if stored.state in ACTIVE:
            code = self.supervisor.wait(stored.id)
            if code is not None:
                return code
        record = self.get(stored.id)
        return record.exit_code if record.exit_code is not None else 0

    # -- pause, exec, diff, commit: on a container's processes and files ---------------
    def pause(self, ref: str) -> ContainerRecord:
        from engine.containers import pause

        record = pause.pause(self.store, self.get(ref))
        events.container(self.roots.state, record, "pause")
        return record

    def unpause(self, ref: str) -> ContainerRecord:
        from engine.containers import pause

        record = pause.unpause(self.store, self.get(ref))
        events.container(self.roots.state, record, "unpause")
        return record

    def _thawed(self, record: ContainerRecord) -> ContainerRecord:
        """A paused container unpaused, so that a signal reaches it (Docker unpauses on stop and kill)."""
        return self.unpause(record.id) if record.state == "paused" else record

    def exec(self, ref: str, options: ExecOptions) -> int:
        from engine.containers import exec as execs

        record = self.get(ref)
        return execs.run(record, self.bundle(record.id) / "rootfs", options)

    def exec_tty(self, ref: str, options: ExecOptions) -> Execution:
        """`exec` with a pty whose master the caller relays; `Execution.wait()` for the exit code."""
        from engine.containers import exec as execs

        record = self.get(ref)
        return execs.start_tty(record, self.bundle(record.id) / "rootfs", options)

    def attach(self, ref: str, stdin: bool = False) -> Connection:
        """The container's output (and our input, with `stdin`) through its supervisor, until it exits."""
        from engine.containers import attach

        return attach.open(self, ref, stdin)

    def resize(self, ref: str, rows: int, cols: int) -> None:
        """The size of the container's pty (nothing without one)."""
        self.supervisor.resize(self.store.get(ref).id, rows, cols)

    def diff(self, ref: str) -> list[Change]:
        from engine.containers import commit

        return commit.diff(self.snapshots(), self.images, self.get(ref))

    def commit(self, ref: str, options: CommitOptions) -> Image:
        from engine.containers import commit

        return commit.commit(self.snapshots(), self.images, self.get(ref), options)

    def stop_supervisor_if_idle(self) -> None:
        """End the shared supervisor once no container is left; the next start brings it back.

        Under the store's lock, so a container created at the same time is either seen (and the
        supervisor kept) or created after the supervisor has gone (and it starts a new one).
        """
        with self.store.locked():
            if not self.store.list():
                self.supervisor.shutdown()

    # -- remove, list -----------------------------------------------------------------
    def unmount(self, ref: str) -> None:
        """Unmount the root filesystem of a container that does not run (a start mounts it again); nothing for one
        that runs. `remove` does it first: offered alone for a caller that removes many containers at once and
        lets their unmounts overlap (the kernel syncs the filesystem under the upper layer before an overlay goes,
        and unmounts made together share that sync), outside whatever else it limits."""
        from engine.images.snapshots.mounts import unmount

        record = self.get(ref)
        if record.state not in ACTIVE:
            unmount(self.bundle(record.id) / "rootfs")

    def remove(self, ref: str, force: bool = False, volumes: bool = False) -> str:
        """Remove the container; `volumes`: its anonymous volumes too (Docker's `rm -v`)."""
        record = self.get(ref)
        if record.state in ACTIVE:
            if not force:
                raise ContainerBusy(f"cannot remove container `{record.name}`: container is {record.state}",
                                    hint="stop the container before removing or force remove (-f)")
            record = self._thawed(record)
            self.supervisor.kill(record.id, "SIGKILL")
            self.wait(record.id)
        self.supervisor.forget(record.id)
        # `removing` lasts as long as the unwinding: no fsync for it (after a crash the record says what it said)
        self.store.update(record.id, lambda r: r.replace(state=next_state("remove", r.name, observe(r).state)),
                          durable=False)
        self._unwind(record.id)
        events.container(self.roots.state, record, "destroy")
        if volumes:
            self._remove_anonymous(record)
        return record.id

    def _remove_anonymous(self, record: ContainerRecord) -> None:
        from engine.volumes import VolumeInUse, volume_mounts

        for name in volume_mounts(record):
            with contextlib.suppress(NoSuchVolume, VolumeInUse):
                if self.volumes.get(name).anonymous:
                    self.volumes.remove(name)

    def list(self, all: bool = False) -> list[ContainerRecord]:  # noqa: A002 - Docker's flag
        records = [observe(r) for r in self.store.list()]
        return records if all else [r for r in records if r.state in ACTIVE]

    def log_path(self, record: ContainerRecord, reading: bool = False) -> str:
        """The container's json-file log; `reading` (for `logs`) refuses, as Docker does, a container whose
        log driver keeps nothing."""
        if reading and record.config.log.driver == "none":
            raise ContainerInvalid("configured logging driver does not support reading",
                                   hint=f"container `{record.name}` runs with --log-driver none")
        return str(self.store.log_path(record.id))

    def container_pid(self, record: ContainerRecord) -> int:
        if record.state not in ACTIVE:
            return 0
        from engine.containers import launcher

        return launcher.container_pid(record.config.launch) or record.pid


def _with_image_volumes(options: RunOptions, image_config: dict) -> RunOptions:
    """The image's VOLUMEs that no mount covers become anonymous volumes (filled from the image), as Docker's."""
    covered = {os.path.normpath(m.target) for m in options.mounts}
    extra = tuple(Mount("volume", target) for target in sorted(image_config.get("Volumes") or {})
                  if os.path.normpath(target) not in covered)
    return dataclasses.replace(options, mounts=options.mounts + extra) if extra else options


def _with_exposed(options: RunOptions, image_config: dict) -> RunOptions:
    """`expose` as Docker's Config.ExposedPorts: the image's EXPOSEd ports and the options', once each."""
    merged = tuple(dict.fromkeys([*sorted(image_config.get("ExposedPorts") or {}), *options.expose]))
    return dataclasses.replace(options, expose=merged) if merged != options.expose else options


def _stored_options(record: ContainerRecord) -> RunOptions:
    """The RunOptions a container was created with, read back from its record (mounts and devices as dicts
    there: only the scalar fields are needed again)."""
    fields = {f.name for f in dataclasses.fields(RunOptions)}
    stored = {k: v for k, v in record.config.launch.get("options", {}).items() if k in fields}
    return RunOptions(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()
                         if k not in ("mounts", "devices", "ulimits", "healthcheck")})


def _check_subpath(volume: str, mountpoint: str, subpath: str) -> None:
    """A volume's subpath is a path inside it that exists (Docker's rules), symbolic links included."""
    root = os.path.realpath(mountpoint)
    found = os.path.realpath(os.path.join(root, subpath))
    if os.path.isabs(subpath) or not (found + "/").startswith(root + "/"):
        raise ContainerInvalid(f"volume `{volume}`: subpath `{subpath}` must be a relative path within the volume")
    if not os.path.exists(found):
        raise ContainerInvalid(f"volume `{volume}`: cannot access subpath `{subpath}`: no such file or directory",
                               hint="make it in the volume first")


def _joins_others(record: ContainerRecord) -> bool:
    from engine.containers.isolation import joined

    options = record.config.launch.get("options", {})
    return any(joined(options.get(kind) or "") for kind in ("ipc", "pid"))


def _cgroup_procs(path: str) -> list[str]:
    from engine.cgroups.manager import Cgroup

    return [str(d / "cgroup.procs") for d in Cgroup(path).dirs().values()]


def _image_healthcheck(image_config: dict) -> Healthcheck | None:
    """The image's HEALTHCHECK (durations in nanoseconds there), with Docker's defaults for what it leaves out."""
    given = image_config.get("Healthcheck") or {}
    if not given.get("Test"):
        return None

    def seconds(key: str, default: float) -> float:
        return given[key] / 1e9 if given.get(key) else default

    return Healthcheck(test=tuple(given["Test"]), interval=seconds("Interval", 30.0),
                       timeout=seconds("Timeout", 30.0), retries=int(given.get("Retries") or 3),
                       start_period=seconds("StartPeriod", 0.0), start_interval=seconds("StartInterval", 5.0))


def _options_json(options: RunOptions) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(options).items()}

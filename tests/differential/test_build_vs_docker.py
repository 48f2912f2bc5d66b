"""The same Dockerfile and context built by `docker build` (Debian's docker.io 20.10, its legacy builder) and
by `pycompose image build`: the same file tree and the same config.

Both build on one busybox base: pycompose imports it, `pycompose image save` writes it and
`docker load` reads it into a private dockerd (tests/reference/dockerd.py: no bridge, its
RUN containers without a network). The trees are compared as `docker save` archives of the
two results, every layer applied in order (whiteouts too): paths, types, modes, owners,
link targets and the sha256 of each file's content; modification times are not compared.
The config compares Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes and Labels.
Needs root, busybox-static and docker.io; everything made here is removed at the end.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.images.testing import busybox_rootfs, tar_dir
from tests.e2e.engine_env import Env
from tests.reference.dockerd import PrivateDockerd

BASE = "diff/busybox:1"

DOCKERFILE = f"""\
FROM {BASE} AS tools
RUN mkdir -p /opt/tools/share && echo v1 > /opt/tools/version && ln -s version /opt/tools/current \\
    && chmod 0640 /opt/tools/version && chown -R 1000:1000 /opt/tools/share && echo shared > /opt/tools/share/x

FROM {BASE}
ARG FLAVOUR=plain
ENV APP_HOME=/srv/app GREETING="hello world"
ENV PATH=$APP_HOME/bin:/usr/bin:/bin
LABEL org.example.name="diff test" org.example.flavour=$FLAVOUR
WORKDIR $APP_HOME
COPY app/ ./
COPY --chown=1234:2345 data/config.ini conf/
COPY data/*.txt notes/
ADD bundle.tar.gz /opt/bundle/
COPY --from=tools /opt/tools /opt/tools
RUN echo "app:x:1000:1000::/srv/app:/bin/sh" >> /etc/passwd && echo "app:x:1000:" >> /etc/group \\
    && mkdir -p /var/lib/app && chown 1000:1000 /var/lib/app && chmod 2770 /var/lib/app
RUN rm /bin/vi && rm -rf /tmp && mkdir -m 1777 /tmp && touch /tmp/.keep
USER app
RUN echo "$GREETING from $(id -un) as $FLAVOUR" > /var/lib/app/greeting && ln /var/lib/app/greeting /var/lib/app/hard
USER 1000:1000
EXPOSE 8080 53/udp
VOLUME ["/var/lib/app"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /var/lib/app/greeting"]
"""

CONFIG_KEYS = ("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels")


@pytest.fixture(scope="module")
def ours() -> Iterator[Env]:
    made = Env()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def base(dockerd: PrivateDockerd, ours: Env, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The busybox base in both: imported by pycompose, saved, loaded by docker."""
    work = tmp_path_factory.mktemp("base")
    rootfs = tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")
    ok(ours.pycompose("image", "import", str(rootfs), BASE))
    ok(ours.pycompose("image", "save", "-o", str(work / "base.tar"), BASE))
    dockerd.docker("load", "-i", str(work / "base.tar"))
    return BASE


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("context")
    files = {"app/run.sh": "#!/bin/sh\necho run\n", "app/lib/util.sh": "util\n", "app/debug.log": "noise\n",
             "app/cache/x.tmp": "tmp\n", "data/config.ini": "[app]\nx=1\n", "data/a.txt": "a\n", "data/b.txt": "b\n",
             ".dockerignore": "app/*.log\n**/*.tmp\n", "Dockerfile": DOCKERFILE}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "app" / "run.sh").chmod(0o755)
    (root / "data" / "b.txt").chmod(0o600)
    (root / "app" / "empty").mkdir()
    (root / "app" / "link").symlink_to("run.sh")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, mode, uid in (("bin/tool", 0o755, 0), ("etc/tool.conf", 0o644, 42)):
            data = f"{name}\n".encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, uid
            tar.addfile(info, io.BytesIO(data))
    (root / "bundle.tar.gz").write_bytes(buf.getvalue())
    return root


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def built(dockerd: PrivateDockerd, ours: Env, base: str, context: Path) -> dict[str, str]:
    """Both builds of the context: {"docker": image, "pycompose": image}."""
    environ = {**dockerd.environ, "DOCKER_BUILDKIT": "0"}  # the legacy builder
    done = subprocess.run([dockerd.docker_binary, "build", "--build-arg", "FLAVOUR=special", "-t", "dk/built:1",
                           str(context)], capture_output=True, text=True, env=environ, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    ok(ours.pycompose("image", "build", "--build-arg", "FLAVOUR=special", "-t", "pc/built:1", str(context),
                      timeout=600))
    return {"docker": "dk/built:1", "pycompose": "pc/built:1"}


Entry = tuple[str, int, int, int, str]  # type, mode, uid, gid, sha256 of the content or the link target


def tree_of(archive: Path) -> dict[str, Entry]:
    """The file tree of the one image in a `docker save` archive, its layers applied in order."""
    tree: dict[str, Entry] = {}
    with tarfile.open(archive) as outer:
        [manifest] = json.load(outer.extractfile("manifest.json"))  # type: ignore[arg-type]
        for layer in manifest["Layers"]:
            with tarfile.open(fileobj=outer.extractfile(layer)) as tar:  # type: ignore[arg-type]
                _apply(tree, tar)
    return tree


def _apply(tree: dict[str, Entry], tar: tarfile.TarFile) -> None:
    for member in tar:
        member.mode &= 0o7777  # some writers put the file type's bits in the mode field too
        path = "/" + member.name.strip("./").lstrip("/")
        parent, _, name = path.rpartition("/")
        if name == ".wh..wh..opq":
            for key in [k for k in tree if k.startswith(parent + "/")]:
                del tree[key]
            continue
        if name.startswith(".wh."):
            gone = f"{parent}/{name[4:]}"
            for key in [k for k in tree if k == gone or k.startswith(gone + "/")]:
                del tree[key]
            continue
        if member.isdir():
            tree[path] = ("dir", member.mode, member.uid, member.gid, "")
        elif member.issym():
            tree[path] = ("symlink", 0, member.uid, member.gid, member.linkname)
        elif member.islnk():
            target = "/" + member.linkname.strip("./").lstrip("/")
            tree[path] = ("file", *tree[target][1:])  # a hard link: the same file, as a user sees it
        elif member.isfile():
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            tree[path] = ("file", member.mode, member.uid, member.gid, hashlib.sha256(data).hexdigest())
        else:
            tree[path] = (f"type {member.type!r}", member.mode, member.uid, member.gid, "")


def test_the_same_dockerfile_gives_the_same_file_tree(dockerd, ours, built, tmp_path):  # type: ignore[no-untyped-def]
    dockerd.docker("save", "-o", str(tmp_path / "docker.tar"), built["docker"])
    ok(ours.pycompose("image", "save", "-o", str(tmp_path / "ours.tar"), built["pycompose"]))
    theirs, mine = tree_of(tmp_path / "docker.tar"), tree_of(tmp_path / "ours.tar")
    differ = {p: (theirs.get(p), mine.get(p)) for p in sorted(set(theirs) | set(mine)) if theirs.get(p) != mine.get(p)}
    assert differ == {}
    assert mine["/srv/app/conf/config.ini"][2:4] == (1234, 2345)  # the comparison saw what the build did
    assert mine["/opt/tools/share"][2:4] == (1000, 1000) and "/srv/app/debug.log" not in mine  # --from keeps owners
    assert "/bin/vi" not in mine and mine["/tmp"][1] & 0o7777 == 0o1777


def test_the_same_dockerfile_gives_the_same_config(dockerd, ours, built):  # type: ignore[no-untyped-def]
    [theirs] = json.loads(dockerd.docker("image", "inspect", built["docker"]).stdout)
    [mine] = json.loads(ok(ours.pycompose("image", "inspect", built["pycompose"])).stdout)
    for key in CONFIG_KEYS:
        assert (key, mine["Config"].get(key) or None) == (key, theirs["Config"].get(key) or None)
    assert mine["Config"]["Labels"]["org.example.flavour"] == "special"

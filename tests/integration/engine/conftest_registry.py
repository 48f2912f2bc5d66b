"""A real registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1, started and stopped by the tests.

Import the fixtures into a test module:

    from tests.integration.engine.conftest_registry import registry, busybox_image  # noqa: F401

`registry` is module-scoped: a fresh storage directory, a config file, a free
port on 127.0.0.1; `Registry.start(htpasswd=...)` starts more (an authenticated
one). Every process started here is stopped at the end of the module, even when
a test fails. `busybox_image` is a one-layer OCI image of busybox-static made with
umoci and pushed with skopeo.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REGISTRY_BINARY = "docker-registry"
START_DEADLINE = 15.0


def require(*commands: str) -> None:
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine needs root (umoci unpacks as root); run it as root")
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: apt-get install -y docker-registry skopeo umoci "
                    "busybox-static apache2-utils")


def sh(*argv: str, cwd: Path | None = None) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Registry:
    """One docker-registry process; `host` is `127.0.0.1:<port>`."""

    root: Path
    host: str = ""
    process: subprocess.Popen | None = None
    users: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, root: Path, htpasswd: dict[str, str] | None = None) -> Registry:
        root.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # the free port may be taken between our probe and the registry's bind
            registry = cls(root, users=dict(htpasswd or {}))
            if registry._launch():
                return registry
        raise AssertionError(f"docker-registry did not start; see {root / 'registry.log'}")

    def _launch(self) -> bool:
        port = free_port()
        self.host = f"127.0.0.1:{port}"
        config = {
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(self.root / "storage")}, "delete": {"enabled": True}},
            "http": {"addr": self.host, "secret": "pycompose-tests"},
        }
        if self.users:
            htpasswd = self.root / "htpasswd"
            htpasswd.unlink(missing_ok=True)
            for user, password in self.users.items():
                flags = "-Bbc" if not htpasswd.exists() else "-Bb"
                sh("htpasswd", flags, str(htpasswd), user, password)
            config["auth"] = {"htpasswd": {"realm": "pycompose-tests", "path": str(htpasswd)}}
        path = self.root / "config.yml"
        path.write_text(json.dumps(config))  # JSON is YAML
        with open(self.root / "registry.log", "ab") as log:
            self.process = subprocess.Popen([REGISTRY_BINARY, "serve", str(path)], stdout=log, stderr=log,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://{self.host}/v2/", timeout=1.0).status_code in (200, 401):
                    return True
            time.sleep(0.02)
        self.stop()
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def blob_bytes(self, repository: str, digest: str) -> bytes:
        auth = next(iter(self.users.items()), None)
        response = httpx.get(f"http://{self.host}/v2/{repository}/blobs/{digest}", auth=auth,
                             follow_redirects=True)
        response.raise_for_status()
        return response.content


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    require(REGISTRY_BINARY)
    started = Registry.start(tmp_path_factory.mktemp("registry"))
    yield started
    started.stop()


@dataclass(frozen=True)
class OciImage:
    """An image in an OCI layout directory, pushed to the registry as `reference`."""

    layout: Path
    reference: str
    manifest_digest: str

    def blob(self, digest: str) -> bytes:
        return (self.layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_bytes()

    def manifest(self) -> dict:
        return json.loads(self.blob(self.manifest_digest))


def make_busybox_layout(workdir: Path, tag: str = "base") -> Path:
    """An OCI layout at `workdir/oci` holding one image, `tag`: busybox-static as /bin/sh and friends."""
    layout, bundle = workdir / "oci", workdir / "bundle"
    sh("umoci", "init", "--layout", str(layout))
    sh("umoci", "new", "--image", f"{layout}:{tag}")
    sh("umoci", "unpack", "--image", f"{layout}:{tag}", str(bundle))
    rootfs = bundle / "rootfs"
    (rootfs / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2("/bin/busybox", rootfs / "bin" / "busybox")
    for applet in ("sh", "ls", "cat", "echo"):
        (rootfs / "bin" / applet).symlink_to("busybox")
    sh("umoci", "repack", "--image", f"{layout}:{tag}", str(bundle))
    sh("umoci", "config", "--image", f"{layout}:{tag}", "--config.cmd", "/bin/sh", "--os", "linux",
       "--architecture", "amd64")
    shutil.rmtree(bundle)
    return layout


def skopeo_push(layout: Path, tag: str, destination: str) -> None:
    sh("skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:{tag}", f"docker://{destination}")


def layout_manifest_digest(layout: Path, tag: str) -> str:
    index = json.loads((layout / "index.json").read_text())
    for entry in index["manifests"]:
        if entry.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return entry["digest"]
    raise AssertionError(f"no {tag} in {layout}")


@pytest.fixture(scope="module")
def busybox_image(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> OciImage:
    require("umoci", "skopeo", "busybox")
    layout = make_busybox_layout(tmp_path_factory.mktemp("busybox"))
    reference = f"{registry.host}/library/busybox:1"
    skopeo_push(layout, "base", reference)
    return OciImage(layout, reference, layout_manifest_digest(layout, "base"))


def tar_gz_layer(files: dict[str, bytes], level: int = 6) -> bytes:
    """A gzip-compressed tar holding `files` (path -> content), as an image layer."""
    import gzip
    import io
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), compresslevel=level, mtime=0)


def add_image(sink, layers: list[bytes], architecture: str = "amd64", variant: str = "") -> tuple[str, int]:
    """Write config, layers and an OCI manifest into `sink`; (manifest digest, size)."""
    import gzip
    import hashlib

    def put(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if not sink.has(digest):
            sink.ingest(digest, len(data), [data])
        return digest

    diff_ids = ["sha256:" + hashlib.sha256(gzip.decompress(layer)).hexdigest() for layer in layers]
    config = {"architecture": architecture, "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "config": {"Cmd": ["/bin/sh"]}}
    if variant:
        config["variant"] = variant
    config_bytes = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config_bytes),
                   "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(layer),
                    "size": len(layer)} for layer in layers],
    }
    body = json.dumps(manifest, indent=2).encode()
    return put(body), len(body)


def add_index(sink, entries: list[tuple[str, int, str, str]]) -> str:
    """An OCI index of (manifest digest, size, architecture, variant) entries, written into `sink`."""
    import hashlib

    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size,
         "platform": {"os": "linux", "architecture": arch, **({"variant": variant} if variant else {})}}
        for digest, size, arch, variant in entries]}
    body = json.dumps(index, indent=2).encode()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    sink.ingest(digest, len(body), [body])
    return digest

"""Archives: docker-save round trips, umoci's OCI layouts, import with --change, diff and commit.

Root: unpacking keeps ownership and device nodes; commit reads a mounted overlay. Fails (not skips) without it.
"""

import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

from engine.images import digests, mediatypes
from engine.images.archives import docker, oci
from engine.images.archives.commit import commit, layer_bytes
from engine.images.archives.diff import changes
from engine.images.archives.importer import import_rootfs
from engine.images.errors import DigestMismatch, ImageNotFound
from engine.images.images import ImageService
from engine.images.manifests import Descriptor, ImageConfig, base_config
from engine.images.snapshots import OverlaySnapshotter, mount_all, unmount_all
from engine.images.testing import busybox_rootfs, entry, layer_tar, state_root, tar_dir


@pytest.fixture(autouse=True)
def _needs_root():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine/test_images_* need root (ownership, device nodes, overlayfs)")


@pytest.fixture
def service():
    with state_root() as root:
        yield ImageService(root)


@pytest.fixture(scope="module")
def busybox_tar(tmp_path_factory):
    if shutil.which("busybox") is None:
        pytest.fail("busybox is not installed: apt-get install -y busybox-static")
    src = busybox_rootfs(tmp_path_factory.mktemp("busybox") / "rootfs")
    return tar_dir(src, src.parent / "layer.tar")


def two_layer_image(service, name="app:1"):
    layers = [layer_tar("etc/", "etc/os=base", "etc/gone=x", "srv/", "srv/a=1", compress="gz"),
              layer_tar("srv/", "srv/b=2")]
    descs, diff_ids = [], []
    for data in layers:
        digest = service.store.add_bytes(data)
        kind = mediatypes.OCI_LAYER_GZIP if data[:2] == b"\x1f\x8b" else mediatypes.OCI_LAYER
        descs.append(Descriptor(kind, digest, len(data)))
        import gzip
        diff_ids.append(digests.of_bytes(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data))
    config = base_config()
    config["rootfs"]["diff_ids"] = diff_ids
    config["config"] = {"Cmd": ["/bin/sh"]}
    manifest = service.add_manifest(ImageConfig.build(config), descs)
    return service.register(manifest.digest, name)


def test_save_then_load_into_another_store(service, tmp_path):
    image = two_layer_image(service)
    out = tmp_path / "app.tar"
    docker.save(service, ["app:1"], out)
    with tarfile.open(out) as tar:
        listing = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "repositories", "index.json", "oci-layout"} <= listing
    assert manifest[0]["RepoTags"] == ["app:1"] and len(manifest[0]["Layers"]) == 2
    with state_root() as other_root:
        other = ImageService(other_root)
        (loaded,) = docker.load(other, out)
        assert loaded.id == image.id and loaded.names == ("docker.io/library/app:1",)
        assert other.get("app:1").config.container_config == {"Cmd": ["/bin/sh"]}
        assert (other.layers.path(image.diff_ids[1]) / "srv/b").read_text() == "2"
        with state_root() as third_root, _strip_manifest(out, tmp_path) as tar:  # read as an OCI archive
            (again,) = oci.load_from(ImageService(third_root), oci.tar_opener(tar))
            assert again.id == image.id


def _strip_manifest(path, tmp_path):
    stripped = tmp_path / "oci.tar"
    with tarfile.open(path) as src, tarfile.open(stripped, "w") as dst:
        for m in src.getmembers():
            if m.name not in ("manifest.json", "repositories"):
                dst.addfile(m, src.extractfile(m))
    return tarfile.open(stripped)


def test_load_a_classic_docker_save_archive(service, busybox_tar, tmp_path):
    layer = busybox_tar.read_bytes()
    diff_id = digests.of_bytes(layer)
    config = base_config()
    config["rootfs"]["diff_ids"] = [diff_id]
    cfg = json.dumps(config).encode()
    cfg_name = digests.hex_of(digests.of_bytes(cfg)) + ".json"
    archive = tmp_path / "classic.tar"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for name, data in [(cfg_name, cfg), ("abc/layer.tar", layer), ("abc/VERSION", b"1.0"),
                           ("manifest.json", json.dumps([{"Config": cfg_name, "RepoTags": ["busybox:classic",
                            "bb:2"], "Layers": ["abc/layer.tar"]}]).encode()),
                           ("repositories", b'{"busybox":{"classic":"abc"}}')]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (image,) = docker.load(service, archive)
    assert image.diff_ids == (diff_id,)
    assert set(service.store.names()) == {"docker.io/library/busybox:classic", "docker.io/library/bb:2"}
    assert os.path.islink(service.layers.path(diff_id) / "bin/sh")


def test_an_umoci_layout_loads(service, busybox_tar, tmp_path):
    if shutil.which("umoci") is None:
        pytest.fail("umoci is not installed: apt-get install -y umoci")
    layout = tmp_path / "layout"
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir()
    subprocess.run(["tar", "-C", str(rootfs), "-xf", str(busybox_tar)], check=True)
    for argv in (["init", "--layout", str(layout)], ["new", "--image", f"{layout}:v1"],
                 ["insert", "--image", f"{layout}:v1", str(rootfs), "/"],
                 ["config", "--image", f"{layout}:v1", "--config.cmd", "/bin/sh", "--config.env", "A=1"]):
        subprocess.run(["umoci", *argv], check=True, capture_output=True)
    (image,) = oci.load_layout(service, layout, repo="umoci/busybox")
    assert image.names == ("docker.io/umoci/busybox:v1",)
    assert image.config.container_config["Cmd"] == ["/bin/sh"]
    top = service.layers.path(image.diff_ids[-1])
    assert os.readlink(top / "bin/ls") in ("/bin/busybox", "busybox")


def test_a_layout_with_a_corrupt_blob_loads_nothing(service, tmp_path):
    image = two_layer_image(service)
    out = tmp_path / "app.tar"
    docker.save(service, [image.id], out)
    layout = tmp_path / "layout"
    with tarfile.open(out) as tar:
        tar.extractall(layout, filter="data")
    victim = layout / "blobs/sha256" / digests.hex_of(image.manifest.layers[1].digest)
    victim.write_bytes(victim.read_bytes()[:-1] + b"!")
    with state_root() as other_root:
        other = ImageService(other_root)
        with pytest.raises(DigestMismatch):
            oci.load_layout(other, layout, repo="app")
        assert other.store.names() == {}
        assert not other.store.has(image.manifest.layers[1].digest)


def test_import_with_changes(service, busybox_tar):
    with open(busybox_tar, "rb") as f:
        image = import_rootfs(service, f, "imported:1", message="from a tarball", change_list=[
            'CMD ["/bin/sh", "-c", "echo hi"]', "ENTRYPOINT /init", "ENV A=1", "WORKDIR /srv", "USER nobody",
            "EXPOSE 8080", "LABEL team=infra", "VOLUME /data"])
    c = image.config.container_config
    assert c["Cmd"] == ["/bin/sh", "-c", "echo hi"] and c["Entrypoint"] == ["/bin/sh", "-c", "/init"]
    assert (c["Env"], c["WorkingDir"], c["User"]) == (["A=1"], "/srv", "nobody")
    assert (c["ExposedPorts"], c["Labels"], c["Volumes"]) == ({"8080/tcp": {}}, {"team": "infra"}, {"/data": {}})
    assert image.config.obj["history"][-1]["comment"] == "from a tarball"
    assert len(image.diff_ids) == 1 and (service.layers.path(image.diff_ids[0]) / "bin/busybox").is_file()


def test_commit_round_trip(service, tmp_path):
    base = two_layer_image(service)
    snaps = OverlaySnapshotter(service.root / "snapshots", service.layers)
    target = tmp_path / "rootfs"
    target.mkdir()
    mounts = snaps.prepare("c1", base.diff_ids, target)
    mount_all(mounts)
    try:
        (target / "srv/new").write_text("added")
        (target / "etc/os").write_text("changed")
        (target / "etc/gone").unlink()
        (target / "srv/link").symlink_to("/etc/os")
        os.link(target / "srv/new", target / "srv/new-hard")
        (target / "etc/hostname").write_text("runtime writes here")  # the init layer: never committed
    finally:
        unmount_all(mounts)
    upper = snaps.upper("c1")
    lowers = [service.layers.path(d) for d in reversed(base.diff_ids)]
    assert [str(c) for c in changes(upper, lowers)] == [
        "C /etc", "D /etc/gone", "A /etc/hostname", "C /etc/os", "C /srv", "A /srv/link", "A /srv/new",
        "A /srv/new-hard"]
    os.unlink(upper / "etc/hostname")  # as the runtime's bind mount would leave it: untouched
    new = commit(service, base, upper, "app:2", message="tweak", author="tester", change_list=["ENV X=1"])
    assert new.diff_ids[:2] == base.diff_ids and len(new.diff_ids) == 3
    assert new.config.container_config == {"Cmd": ["/bin/sh"], "Env": ["X=1"]}
    assert new.config.obj["history"][-1]["comment"] == "tweak"
    with tarfile.open(fileobj=io.BytesIO(layer_bytes(upper))) as tar:
        assert {m.name for m in tar} == {"etc", "etc/.wh.gone", "etc/os", "srv", "srv/link", "srv/new",
                                         "srv/new-hard"}
    snaps.remove("c1")

    target2 = tmp_path / "rootfs2"
    target2.mkdir()
    mounts = snaps.prepare("c2", new.diff_ids, target2)
    mount_all(mounts)
    try:
        assert sorted(os.listdir(target2 / "etc")) == ["hostname", "hosts", "os", "resolv.conf"]
        assert (target2 / "etc/os").read_text() == "changed"
        assert (target2 / "srv/new").read_text() == "added" and (target2 / "srv/a").read_text() == "1"
        assert os.readlink(target2 / "srv/link") == "/etc/os"
        assert os.stat(target2 / "srv/new").st_ino == os.stat(target2 / "srv/new-hard").st_ino
        assert (target2 / "etc/hostname").read_text() == ""
    finally:
        unmount_all(mounts)
    snaps.remove("c2")


def test_remove_releases_shared_layers_only_at_the_last_image(service):
    base = two_layer_image(service, "a:1")
    service.store.tag("b:1", base.manifest.descriptor())
    assert service.remove("a:1") == []
    assert service.layers.exists(base.diff_ids[0])
    assert sorted(service.remove("b:1")) == sorted(base.diff_ids)
    assert not service.layers.exists(base.diff_ids[0]) and not service.store.has(base.manifest.digest)
    with pytest.raises(ImageNotFound):
        service.get("b:1")
    _ = entry

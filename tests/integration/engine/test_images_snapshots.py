"""Overlay snapshots of real images: the right files show, whiteouts hide, 120 layers mount, busybox runs.

Root: overlayfs mounts. These tests fail (not skip) without it.
"""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.images import mediatypes
from engine.images.images import ImageService
from engine.images.manifests import Descriptor, ImageConfig, base_config
from engine.images.snapshots import CopySnapshotter, OverlaySnapshotter, mount_all, overlay_supported, unmount_all
from engine.images.snapshots.mounts import PAGE
from engine.images.testing import busybox_rootfs, layer_tar, mounts_under, state_root, tar_dir


@pytest.fixture(autouse=True)
def _needs_root():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine/test_images_* need root (ownership, device nodes, overlayfs)")
    if not overlay_supported():
        pytest.fail("overlayfs is not available on this host (modprobe overlay)")


@pytest.fixture
def service():
    with state_root() as root:
        yield ImageService(root)


def make_image(service, layers, name):
    descs, diff_ids = [], []
    for data in layers:
        digest = service.store.add_bytes(data)
        descs.append(Descriptor(mediatypes.OCI_LAYER, digest, len(data)))
        diff_ids.append(digest)
    config = base_config()
    config["rootfs"]["diff_ids"] = diff_ids
    manifest = service.add_manifest(ImageConfig.build(config), descs)
    return service.register(manifest.digest, name)


THREE_LAYERS = [
    layer_tar("etc/", "etc/os=base", "etc/motd=hello", "data/", "data/a=1", "data/b=2", "keep=k"),
    layer_tar("etc/", "etc/.wh.motd", "data/", "data/.wh..wh..opq", "data/c=3", "etc/os=middle"),
    layer_tar("etc/", "etc/new=top", ".wh.keep"),
]


def _tree(root):
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            out[rel] = "?" if os.path.islink(full) or not os.path.isfile(full) else Path(full).read_text()
    return out


@pytest.mark.parametrize("kind", [OverlaySnapshotter, CopySnapshotter])
def test_three_layers_show_the_right_files(service, kind):
    image = make_image(service, THREE_LAYERS, "three:1")
    snaps = kind(service.root / "snapshots", service.layers)
    target = service.root / "rootfs"
    target.mkdir()
    mounts = snaps.prepare("c1", image.diff_ids, target)
    assert all(m.target == str(target) for m in mounts)
    assert mounts_under(target) == []  # prepare describes, it does not mount
    mount_all(mounts)
    try:
        assert _tree(target) == {"etc/os": "middle", "etc/new": "top", "data/c": "3", "etc/hostname": "",
                                 "etc/hosts": "", "etc/resolv.conf": ""}
        (target / "etc/os").write_text("changed")
    finally:
        unmount_all(mounts)
    assert mounts_under(target) == []
    assert (service.layers.path(image.diff_ids[1]) / "etc/os").read_text() == "middle"  # layers untouched
    assert service.layers.owners(image.diff_ids[0]) >= {"snapshot-c1"}
    snaps.remove("c1")
    assert "snapshot-c1" not in service.layers.owners(image.diff_ids[0])
    assert not (service.root / "snapshots" / "c1").exists()


def test_120_layers_mount_past_the_option_page(service):
    layers = [layer_tar("n/", f"n/f{i:03}={i}") for i in range(120)]
    image = make_image(service, layers, "tall:1")
    snaps = OverlaySnapshotter(service.root / "snapshots", service.layers)
    target = service.root / "rootfs"
    target.mkdir()
    mounts = snaps.prepare("tall", image.diff_ids, target)
    assert len(",".join(mounts[0].options)) > PAGE  # absolute paths would not fit
    mount_all(mounts)
    try:
        assert sorted(os.listdir(target / "n")) == [f"f{i:03}" for i in range(120)]
        assert (target / "n/f119").read_text() == "119"
    finally:
        unmount_all(mounts)
    snaps.remove("tall")


def test_busybox_runs_in_an_overlay_root(service, tmp_path_factory):
    if shutil.which("busybox") is None:
        pytest.fail("busybox is not installed: apt-get install -y busybox-static")
    src = busybox_rootfs(tmp_path_factory.mktemp("busybox") / "rootfs")
    layer = tar_dir(src, src.parent / "layer.tar").read_bytes()
    image = make_image(service, [layer, layer_tar("etc/", "etc/motd=from layer two")], "busybox:test")
    snaps = OverlaySnapshotter(service.root / "snapshots", service.layers)
    target = service.root / "rootfs"
    target.mkdir()
    mounts = snaps.prepare("bb", image.diff_ids, target)
    mount_all(mounts)
    try:
        done = subprocess.run(["chroot", str(target), "/bin/sh", "-c", "cat /etc/motd; echo made > /tmp/x; ls /bin"],
                              capture_output=True, text=True, check=True)
        assert done.stdout.startswith("from layer two") and "\nbusybox\n" in done.stdout
    finally:
        unmount_all(mounts)
    assert (snaps.upper("bb") / "tmp/x").read_text() == "made\n"
    snaps.remove("bb")


def test_a_failed_mount_leaves_nothing_mounted(service):
    image = make_image(service, THREE_LAYERS[:1], "one:1")
    snaps = OverlaySnapshotter(service.root / "snapshots", service.layers)
    target = service.root / "rootfs"
    target.mkdir()
    mounts = snaps.prepare("c", image.diff_ids, target)
    from engine.images.errors import StorageUnavailable
    from engine.images.snapshots import Mount
    with pytest.raises(StorageUnavailable, match="mount"):
        mount_all([*mounts, Mount("bind", "/nonexistent-pycompose", str(target / "etc"), ("rbind",))])
    assert mounts_under(target) == []
    snaps.remove("c")


def test_snapshot_of_missing_layers_is_refused_before_anything_is_made(service):
    snaps = OverlaySnapshotter(service.root / "snapshots", service.layers)
    from engine.images.errors import ImageNotFound
    with pytest.raises(ImageNotFound):
        snaps.prepare("x", ["sha256:" + "0" * 64], service.root)
    assert os.listdir(service.root / "snapshots") == []
    _ = io


def _volatile_snapshot(service, key):  # type: ignore[no-untyped-def]
    """(image, snapshotter, target, mounts) of a volatile snapshot `key` of a three-layer image, not mounted yet."""
    image = make_image(service, THREE_LAYERS, "three:1")
    snaps = OverlaySnapshotter(service.root / "snapshots", service.layers)
    target = service.root / "rootfs"
    target.mkdir()
    return image, snaps, target, snaps.prepare(key, image.diff_ids, target, volatile=True)


def test_a_volatile_snapshot_mounts_volatile_and_lets_go_of_its_layers_when_its_list_was_lost(service):
    image, snaps, target, mounts = _volatile_snapshot(service, "v")
    assert "volatile" in mounts[0].options and snaps.mounts("v", target) == mounts  # asked again: the same
    mount_all(mounts)
    try:
        assert "fsync=volatile" in next(line for line in Path("/proc/mounts").read_text().splitlines()
                                        if f" {target} " in line)
        assert (target / "etc/os").read_text() == "middle"
    finally:
        unmount_all(mounts)
    (service.root / "snapshots" / "v" / "layers").write_text("")  # its list, not synced, as a crash leaves it
    snaps.remove("v")
    assert not any("snapshot-v" in service.layers.owners(d) for d in image.diff_ids)
    assert "volatile" not in snaps.prepare("d", image.diff_ids, target)[0].options  # by default: durable
    snaps.remove("d")


def test_an_adopted_upper_is_the_tree_its_layer_tar_unpacks_to(service):
    from engine.images.archives.commit import layer_bytes

    _, snaps, target, mounts = _volatile_snapshot(service, "a")
    mount_all(mounts)
    try:
        (target / "etc/os").write_text("top")  # a copy up (overlay may mark it with its own xattrs)
        os.unlink(target / "etc/new")  # a whiteout
        shutil.rmtree(target / "data")
        (target / "data").mkdir()  # an opaque directory
        (target / "data/d").write_text("4")
        os.symlink("os", target / "etc/link")
    finally:
        unmount_all(mounts)
    data = layer_bytes(snaps.upper("a"))
    diff_id = service.layers.add(io.BytesIO(data), "reference")
    reference = _listing(service.layers.path(diff_id))
    service.layers.release(diff_id, "reference")
    assert service.layers.adopt(snaps.upper("a"), diff_id)
    assert not snaps.upper("a").exists()
    adopted = service.layers.path(diff_id)
    assert _listing(adopted) == reference
    assert service.layers.content_size(diff_id) == len("top") + len("4") + len("os")
    assert not service.layers.adopt(adopted.parent, diff_id)  # present already: left to the caller
    service.layers.ensure(diff_id, lambda: io.BytesIO(data), "image")
    snaps.remove("a")
    service.layers.release(diff_id, "image")


def _listing(root):
    import stat

    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            xattrs = {k: os.getxattr(full, k, follow_symlinks=False) for k in os.listxattr(full, follow_symlinks=False)}
            kind = "whiteout" if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0 else stat.S_IFMT(st.st_mode)
            body = Path(full).read_bytes() if stat.S_ISREG(st.st_mode) else os.readlink(full) if os.path.islink(
                full) else b""
            out[os.path.relpath(full, root)] = (kind, st.st_uid, st.st_gid, xattrs, body)
    return out

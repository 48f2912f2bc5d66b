"""Layers unpack with everything a tar holds, and a tar that points outside its root is refused.

Root: ownership, device nodes and trusted xattrs need it. These tests fail (not skip) without it.
"""

import gzip
import io
import os
import stat
import tarfile

import pytest

from engine.images import digests
from engine.images.errors import BadImage, DigestMismatch, UnsafeArchive
from engine.images.layers import LayerStore
from engine.images.testing import entry, layer_tar, state_root

SYM, LNK, DIR = tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.DIRTYPE
# VFS_CAP_REVISION_2 | effective, permitted = cap_net_raw (13)
CAP_NET_RAW = bytes.fromhex("01000002" "00200000" "00000000" "00000000" "00000000")


@pytest.fixture(autouse=True)
def _needs_root():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine/test_images_* need root (ownership, device nodes, overlayfs)")


@pytest.fixture
def layers():
    with state_root() as root:
        yield LayerStore(root / "layers")


def _unpack(layers, data):
    return layers.add(io.BytesIO(data), "test")


def test_everything_a_tar_holds_is_kept(layers):
    data = layer_tar(
        entry("etc/", kind=DIR, mode=0o750, uid=5, gid=6, mtime=1_600_000_000),
        entry("etc/conf", b"x=1\n", mode=0o640, uid=1000, gid=1001, mtime=1_500_000_000),
        entry("bin/su", b"\x7fELF", mode=0o4755),
        entry("tmp/", kind=DIR, mode=0o1777),
        entry("etc/link", kind=SYM, linkname="/etc/conf", uid=7),
        entry("etc/hard", kind=LNK, linkname="etc/conf"),
        entry("dev/null", kind=tarfile.CHRTYPE, dev=(1, 3), mode=0o666),
        entry("dev/loop9", kind=tarfile.BLKTYPE, dev=(7, 9)),
        entry("run/fifo", kind=tarfile.FIFOTYPE),
        entry("bin/ping", b"p", mode=0o755, xattrs={"security.capability": CAP_NET_RAW,
                                                     "user.note": b"\xff\x00raw"}),
        entry("x", b"", xattrs={"trusted.overlay.opaque": b"y"}),
        compress="gz")
    diff_id = _unpack(layers, data)
    assert diff_id == digests.of_bytes(gzip.decompress(data))
    root = layers.path(diff_id)
    st = os.lstat(root / "etc")
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_mtime) == (0o750, 5, 6, 1_600_000_000)
    conf = os.lstat(root / "etc/conf")
    assert (stat.S_IMODE(conf.st_mode), conf.st_uid, conf.st_gid) == (0o640, 1000, 1001)
    assert conf.st_mtime == 1_500_000_000 and (root / "etc/conf").read_bytes() == b"x=1\n"
    assert stat.S_IMODE(os.lstat(root / "bin/su").st_mode) == 0o4755
    assert stat.S_IMODE(os.lstat(root / "tmp").st_mode) == 0o1777
    assert os.readlink(root / "etc/link") == "/etc/conf" and os.lstat(root / "etc/link").st_uid == 7
    assert os.lstat(root / "etc/hard").st_ino == conf.st_ino
    null = os.lstat(root / "dev/null")
    assert stat.S_ISCHR(null.st_mode) and (os.major(null.st_rdev), os.minor(null.st_rdev)) == (1, 3)
    assert stat.S_ISBLK(os.lstat(root / "dev/loop9").st_mode)
    assert stat.S_ISFIFO(os.lstat(root / "run/fifo").st_mode)
    assert os.getxattr(root / "bin/ping", "security.capability") == CAP_NET_RAW
    assert os.getxattr(root / "bin/ping", "user.note") == b"\xff\x00raw"
    assert "trusted.overlay.opaque" not in os.listxattr(root / "x")


def test_whiteouts_become_overlayfs_whiteouts(layers):
    diff_id = _unpack(layers, layer_tar("a/", "a/.wh.gone", "b/", "b/.wh..wh..opq", "b/new=1", ".wh.top"))
    root = layers.path(diff_id)
    for path in ("a/gone", "top"):
        st = os.lstat(root / path)
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0
    assert os.getxattr(root / "b", "trusted.overlay.opaque") == b"y"
    assert not os.path.lexists(root / "a/.wh.gone")


def test_later_entries_replace_earlier_ones_and_never_write_through_links(layers):
    diff_id = _unpack(layers, layer_tar(entry("f", kind=SYM, linkname="/etc/passwd"), "f=mine", "d/", "d/x=1",
                                        entry("d", kind=SYM, linkname="elsewhere")))
    root = layers.path(diff_id)
    assert (root / "f").read_text() == "mine" and not os.path.islink(root / "f")
    assert os.readlink(root / "d") == "elsewhere"


def test_layers_are_kept_once_and_counted(layers):
    data = layer_tar("a=1")
    one = layers.add(io.BytesIO(data), "img1")
    two = layers.add(io.BytesIO(data), "img2")
    assert one == two and layers.owners(one) == {"img1", "img2"}
    assert layers.release(one, "img1") is False and layers.exists(one)
    assert layers.release(one, "img2") is True and not layers.exists(one)
    assert os.listdir(layers.root / "l") == [] and os.listdir(layers.root / "tmp") == []


def test_a_wrong_diff_id_leaves_nothing(layers):
    wrong = digests.of_bytes(b"not this")
    with pytest.raises(DigestMismatch):
        layers.ensure(wrong, lambda: io.BytesIO(layer_tar("a=1")), "img")
    assert not layers.exists(wrong) and os.listdir(layers.root / "tmp") == []


MALICIOUS = {
    "dot-dot": [entry("../escape", b"x")],
    "dot-dot deep": [entry("a/b/../../../escape", b"x")],
    "absolute": [entry("/etc/escape", b"x")],
    "symlinked parent": [entry("lnk", kind=SYM, linkname="/tmp"), entry("lnk/escape", b"x")],
    "relative symlinked parent": [entry("d/", kind=DIR), entry("d/up", kind=SYM, linkname="../.."),
                                  entry("d/up/escape", b"x")],
    "hard link out": [entry("h", kind=LNK, linkname="../../etc/passwd")],
    "hard link absolute": [entry("h", kind=LNK, linkname="/etc/passwd")],
    "hard link through symlink": [entry("s", kind=SYM, linkname="/etc"), entry("h", kind=LNK, linkname="s/passwd")],
    "hard link to nothing": [entry("h", kind=LNK, linkname="missing")],
    "whiteout climbing": [entry("a/", kind=DIR), entry("a/.wh...", b"")],
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_malicious_tars_are_refused_and_leave_nothing(layers, tmp_path, case):
    data = layer_tar("ok=1", *MALICIOUS[case])
    with pytest.raises(UnsafeArchive):
        _unpack(layers, data)
    assert os.listdir(layers.root / "sha256") == [] and os.listdir(layers.root / "tmp") == []
    assert not os.path.exists("/escape") and not os.path.exists("/tmp/escape")


def test_garbage_is_a_bad_image(layers):
    with pytest.raises(BadImage):
        _unpack(layers, b"\x1f\x8b" + b"not gzip at all" * 100)
    with pytest.raises(BadImage):
        _unpack(layers, layer_tar("ok=1")[:700])
    assert os.listdir(layers.root / "tmp") == []

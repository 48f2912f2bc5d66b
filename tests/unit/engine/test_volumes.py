"""engine.volumes on a temporary state root, and the OCI mounts bundle.py writes for -v/--mount/--tmpfs."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.containers.bundle import mount_entry
from engine.containers.options import Mount
from engine.roots import Roots
from engine.volumes import NoSuchVolume, VolumeInvalid, VolumeService


@pytest.fixture
def volumes(tmp_path: Path) -> VolumeService:
    return VolumeService(Roots(tmp_path / "state", tmp_path / "run"))


def test_create_inspect_list_remove(volumes: VolumeService, tmp_path: Path) -> None:
    made = volumes.create("data", labels={"a": "1"})
    assert made.mountpoint == str(tmp_path / "state" / "volumes" / "data" / "_data")
    assert Path(made.mountpoint).is_dir()
    assert volumes.create("data") == made  # an existing one is returned as it is
    shown = volumes.get("data").to_json()
    assert shown["Driver"] == "local" and shown["Labels"] == {"a": "1"} and shown["Scope"] == "local"
    assert [v.name for v in volumes.list()] == ["data"]
    assert volumes.remove("data") == "data"
    with pytest.raises(NoSuchVolume):
        volumes.get("data")
    assert volumes.remove("data", force=True) == "data"


def test_anonymous_and_prune(volumes: VolumeService) -> None:
    anon = volumes.create(labels={"com.docker.volume.anonymous": ""})
    named = volumes.create("keep")
    assert len(anon.name) == 64 and anon.anonymous and not named.anonymous
    assert volumes.prune() == [anon.name]
    assert volumes.prune(all=True, labels=["nope"]) == []
    assert volumes.prune(all=True) == ["keep"]


def test_driver_options(volumes: VolumeService, tmp_path: Path) -> None:
    bound = volumes.create("bound", options={"type": "none", "o": "bind", "device": str(tmp_path)})
    assert bound.mountpoint == str(tmp_path)
    with pytest.raises(VolumeInvalid, match="not supported"):
        volumes.create("ram", options={"type": "tmpfs", "device": "tmpfs"})
    with pytest.raises(VolumeInvalid, match="driver `nfs`"):
        volumes.create("far", driver="nfs")
    with pytest.raises(VolumeInvalid, match="allowed"):
        volumes.create("../x")


def test_copy_up_only_into_an_empty_volume(volumes: VolumeService, tmp_path: Path) -> None:
    image = tmp_path / "image"
    image.mkdir()
    (image / "seed").write_text("from the image")
    volume = volumes.create("vol")
    volumes.copy_up(volume, str(image))
    assert (Path(volume.mountpoint) / "seed").read_text() == "from the image"
    (image / "later").write_text("x")
    volumes.copy_up(volume, str(image))
    assert not (Path(volume.mountpoint) / "later").exists()


def test_oci_mount_entries() -> None:
    assert mount_entry(Mount("bind", "/data", "/srv", read_only=True), {}) == {
        "destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind", "rprivate", "ro"]}
    assert mount_entry(Mount("volume", "/v", "db"), {"db": "/root/db/_data"})["source"] == "/root/db/_data"
    tmpfs = mount_entry(Mount("tmpfs", "/run", size=1 << 20, mode=0o1777), {})
    assert tmpfs["type"] == "tmpfs" and "size=1048576" in tmpfs["options"] and "mode=1777" in tmpfs["options"]
    shared = mount_entry(Mount("bind", "/x", "/srv", propagation="rshared"), {})
    assert shared["options"] == ["rbind", "rshared"]
    assert mount_entry(Mount("volume", "/v", "db", subpath="a/b"), {"db": "/root/db/_data"})["source"] == \
        "/root/db/_data/a/b"


def test_the_rootfs_propagation_follows_the_binds_as_docker() -> None:
    from engine.containers.bundle import rootfs_propagation

    assert rootfs_propagation((Mount("bind", "/a", "/a"), Mount("bind", "/b", "/b", propagation="rprivate"))) is None
    assert rootfs_propagation((Mount("bind", "/a", "/a", propagation="slave"),)) == "rslave"
    assert rootfs_propagation((Mount("bind", "/a", "/a", propagation="rslave"),
                               Mount("bind", "/b", "/b", propagation="rshared"))) == "shared"


def test_a_bind_source_propagation_is_read_from_its_mount() -> None:
    from engine.containers.resolve import source_propagation

    mountinfo = ("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
                 "46 27 0:40 / /mnt/shared\\040dir rw,relatime shared:2 - tmpfs x rw\n"
                 "47 27 0:41 / /mnt/slave rw,relatime master:2 - tmpfs y rw\n")
    assert source_propagation("/srv/data", mountinfo) == ("/", "private")
    assert source_propagation("/mnt/shared dir/a", mountinfo) == ("/mnt/shared dir", "shared")
    assert source_propagation("/mnt/slave", mountinfo) == ("/mnt/slave", "slave")
    assert source_propagation("/mnt/slaves", mountinfo) == ("/", "private")


def test_cli_words() -> None:
    from engine.volumes import parse_mount, parse_tmpfs, parse_volume

    assert parse_volume("/srv:/data:ro") == Mount("bind", "/data", "/srv", read_only=True, create_host_path=True)
    assert parse_volume("db:/var/lib/db") == Mount("volume", "/var/lib/db", "db")
    assert parse_volume("/cache") == Mount("volume", "/cache")
    with pytest.raises(VolumeInvalid):
        parse_volume("a:b:c:d")
    assert parse_volume("/srv:/data:ro,rshared,z") == Mount("bind", "/data", "/srv", read_only=True,
                                                           create_host_path=True, propagation="rshared")
    assert parse_volume("db:/d:nocopy") == Mount("volume", "/d", "db", nocopy=True)
    for bad in ("/srv:/data:bogus", "db:/d:rshared", "/srv:/d:nocopy"):
        with pytest.raises(VolumeInvalid):
            parse_volume(bad)
    assert parse_mount("type=bind,src=/x,dst=/y,bind-propagation=rslave") == Mount("bind", "/y", "/x",
                                                                                   propagation="rslave")
    assert parse_mount("type=volume,src=db,dst=/d,volume-subpath=logs") == Mount("volume", "/d", "db",
                                                                                 subpath="logs")
    for bad in ("type=bind,src=/x,dst=/y,bind-propagation=sideways",
                "type=volume,src=db,dst=/d,bind-propagation=rshared", "type=bind,src=/x,dst=/y,volume-subpath=a"):
        with pytest.raises(VolumeInvalid):
            parse_mount(bad)
    assert parse_mount("type=volume,src=db,dst=/d,volume-nocopy") == Mount("volume", "/d", "db", nocopy=True)
    assert parse_mount("type=bind,source=/x,target=/y,readonly") == Mount("bind", "/y", "/x", read_only=True)
    assert parse_tmpfs("/run:size=64m,mode=1777") == Mount("tmpfs", "/run", size=64 << 20, mode=0o1777)

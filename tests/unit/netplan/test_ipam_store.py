"""The IPAM state on disk: atomic, locked, and safe when processes allocate at once."""

import json
import multiprocessing
from ipaddress import ip_address

import pytest

from netplan.errors import StateFailed
from netplan.ipam_store import IpamStore

WORKERS = 6
EACH = 8


def test_changes_persist_across_store_objects(tmp_path):
    IpamStore(tmp_path).add_network("a", (), ())
    assert IpamStore(tmp_path).allocate("a", "web-1") == ip_address("172.17.0.2")
    assert IpamStore(tmp_path).load().networks["a"].owners() == {ip_address("172.17.0.2"): "web-1"}


def test_no_temporary_files_are_left(tmp_path):
    store = IpamStore(tmp_path)
    store.add_network("a", (), ())
    store.release("a", "nobody")
    assert sorted(p.name for p in (tmp_path / "netplan").iterdir()) == ["ipam.json", "ipam.lock"]


def test_a_failed_transition_leaves_the_file_untouched(tmp_path):
    store = IpamStore(tmp_path)
    store.add_network("a", (), ())
    before = store.path.read_bytes()
    with pytest.raises(Exception, match="exists already"):
        store.add_network("a", (), ())
    assert store.path.read_bytes() == before


def test_a_corrupt_file_is_reported_not_overwritten(tmp_path):
    store = IpamStore(tmp_path)
    store.dir.mkdir()
    store.path.write_text("{not json")
    with pytest.raises(StateFailed, match="read IPAM state .*ipam.json`: the file is corrupt"):
        store.allocate("a", "web-1")
    assert store.path.read_text() == "{not json"


def _allocate_many(root, worker):
    store = IpamStore(root)
    got = [str(store.allocate("shared", f"w{worker}-{i}")) for i in range(EACH)]
    got.append(str(store.add_network(f"net-{worker}", (), ()).subnets[0].subnet))
    return got


def test_concurrent_processes_never_get_the_same_address_or_subnet(tmp_path):
    IpamStore(tmp_path).add_network("shared", (), ())
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        results = pool.starmap(_allocate_many, [(str(tmp_path), w) for w in range(WORKERS)])
    handed = [item for result in results for item in result]
    assert len(handed) == len(set(handed)) == WORKERS * (EACH + 1)
    doc = json.loads((tmp_path / "netplan" / "ipam.json").read_text())
    assert len(doc["networks"]["shared"]["allocations"]) == WORKERS * EACH
    assert len(doc["networks"]) == WORKERS + 1

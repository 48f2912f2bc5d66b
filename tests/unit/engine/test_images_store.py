"""The content store: verified ingest, atomic visibility, concurrent writers, the names index."""

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from engine.images import digests, mediatypes
from engine.images.errors import DigestMismatch, ImageNotFound
from engine.images.manifests import Descriptor
from engine.images.store import BlobSink, ContentStore


@pytest.fixture
def store():
    root = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
    yield ContentStore(root / "images")
    shutil.rmtree(root)


def test_ingest_verifies_and_is_a_blob_sink(store):
    assert isinstance(store, BlobSink)
    data = b"hello" * 1000
    d = digests.of_bytes(data)
    assert not store.has(d)
    store.ingest(d, len(data), [data[:7], data[7:]])
    assert store.has(d)
    with store.open(d) as f:
        assert f.read() == data
    store.ingest(d, len(data), iter(()))  # present: nothing consumed, nothing checked


def test_a_mismatching_blob_never_becomes_visible(store):
    d = digests.of_bytes(b"right")
    with pytest.raises(DigestMismatch, match="hashes to"):
        store.ingest(d, 5, [b"wrong"])
    with pytest.raises(DigestMismatch, match="announced"):
        store.ingest(d, 5, [b"right", b"and more"])
    with pytest.raises(DigestMismatch, match="announced"):
        store.ingest(d, 9, [b"right"])
    assert not store.has(d)
    assert os.listdir(store.root / "ingest") == []
    with pytest.raises(ImageNotFound):
        store.open(d)


def test_a_failing_source_leaves_nothing(store):
    def chunks():
        yield b"part"
        raise ConnectionError("reset")

    with pytest.raises(ConnectionError):
        store.ingest(digests.of_bytes(b"partial"), None, chunks())
    assert os.listdir(store.root / "ingest") == []


def test_concurrent_writers_of_one_blob_share_it(store):
    data = os.urandom(1 << 20)
    d = digests.of_bytes(data)
    consumed = []
    gate = threading.Barrier(4)

    def writer(n):
        def chunks():
            consumed.append(n)
            yield from (data[i:i + 65536] for i in range(0, len(data), 65536))

        gate.wait()
        store.ingest(d, len(data), chunks())

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.read(d, limit=2 << 20) == data
    assert len(consumed) == 1  # the others waited on the blob's lock and found it written
    assert os.listdir(store.root / "ingest") == []
    assert os.listdir(store.root / "locks") == ["blobs.lock"]  # a file per blob would pile up: one, a byte each


def test_add_of_unknown_digest(store):
    d, n = store.add([b"a", b"bc"])
    assert d == digests.of_bytes(b"abc") and n == 3 and store.has(d)


def test_names_index_is_an_oci_layout(store):
    m = Descriptor(mediatypes.OCI_MANIFEST, digests.of_bytes(b"m"), 1)
    assert store.tag("busybox", m) == "docker.io/library/busybox:latest"
    store.tag("busybox:1", m)
    store.tag("busybox", Descriptor(mediatypes.OCI_MANIFEST, digests.of_bytes(b"n"), 1))
    assert store.resolve("docker.io/library/busybox").digest == digests.of_bytes(b"n")
    assert sorted(store.names()) == ["docker.io/library/busybox:1", "docker.io/library/busybox:latest"]
    assert (store.root / "oci-layout").is_file()
    import json
    index = json.loads((store.root / "index.json").read_text())
    refs = sorted(e["annotations"]["org.opencontainers.image.ref.name"] for e in index["manifests"])
    assert refs == ["1", "latest"]
    store.untag("busybox:1")
    with pytest.raises(ImageNotFound):
        store.resolve("busybox:1")
    with pytest.raises(ImageNotFound):
        store.untag("busybox:1")


def test_a_tag_moved_away_leaves_its_image_dangling(store):
    a = Descriptor(mediatypes.OCI_MANIFEST, digests.of_bytes(b"a"), 1)
    b = Descriptor(mediatypes.OCI_MANIFEST, digests.of_bytes(b"b"), 1)
    store.tag("app", a)
    store.tag("app", b)
    assert [d.digest for d in store.entries() if not d.annotations] == [a.digest]
    store.tag("app:old", a)  # named again: no longer dangling
    assert all(d.annotations for d in store.entries())
    store.untag("app:old")
    store.add_unnamed(a)
    store.add_unnamed(a)
    assert [d.digest for d in store.entries() if not d.annotations] == [a.digest]
    store.drop(a.digest)
    assert [d.digest for d in store.entries()] == [b.digest]

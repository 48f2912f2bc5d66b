"""Pull from a real registry: an image skopeo pushed comes back blob for blob, and errors name the image."""

from __future__ import annotations

import hashlib

import pytest

from engine.registry import DirectorySink, ImageNotFound, RegistryClient, RegistryUnavailable, RetryPolicy
from engine.registry.progress import DONE, EXISTS
from tests.integration.engine.conftest_registry import busybox_image, registry  # noqa: F401


def read(sink, digest):
    with sink.open(digest) as f:
        return f.read()


FAST = RetryPolicy(attempts=3, initial=0.0, maximum=0.0)


@pytest.fixture
def client(tmp_path):
    with RegistryClient(config_dir=tmp_path / "config", retry=FAST) as c:
        yield c


def test_pull_matches_what_skopeo_pushed(client, busybox_image, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    events = []
    result = client.pull(busybox_image.reference, sink, progress=events.append)
    assert result.manifest_digest == busybox_image.manifest_digest
    manifest = busybox_image.manifest()
    for descriptor in [manifest["config"], *manifest["layers"]]:
        data = read(sink, descriptor["digest"])
        assert data == busybox_image.blob(descriptor["digest"])
        assert "sha256:" + hashlib.sha256(data).hexdigest() == descriptor["digest"]
    assert read(sink, result.manifest_digest) == busybox_image.blob(busybox_image.manifest_digest)
    done = {e.digest for e in events if e.status == DONE}
    assert done == {manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])}
    assert all(e.done <= e.total for e in events)


def test_second_pull_fetches_nothing(client, busybox_image, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    client.pull(busybox_image.reference, sink)
    events = []
    client.pull(busybox_image.reference, sink, progress=events.append)
    assert events and {e.status for e in events} == {EXISTS}


def test_pull_by_digest(client, busybox_image, registry, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    result = client.pull(f"{registry.host}/library/busybox@{busybox_image.manifest_digest}", sink)
    assert result.manifest_digest == busybox_image.manifest_digest


def test_unknown_tag_names_the_image(client, busybox_image, registry, tmp_path):  # noqa: F811
    with pytest.raises(ImageNotFound) as caught:
        client.pull(f"{registry.host}/library/busybox:nope", DirectorySink(tmp_path / "blobs"))
    message = str(caught.value)
    assert message.startswith(f"pull `{registry.host}/library/busybox:nope`: manifest `nope`")
    assert registry.host in message
    assert not list((tmp_path / "blobs").rglob("*"))


def test_unreachable_registry_is_unavailable(client, tmp_path):
    from tests.integration.engine.conftest_registry import free_port

    with pytest.raises(RegistryUnavailable) as caught:
        client.pull(f"127.0.0.1:{free_port()}/x:y", DirectorySink(tmp_path / "blobs"))
    assert "pull `127.0.0.1:" in str(caught.value) and "refused" in str(caught.value)
    assert "attempts" not in str(caught.value)  # nothing listens: said at once, not after back-offs

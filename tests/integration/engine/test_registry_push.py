"""Push to a real registry, and read it back with skopeo: what we push is what a reference client pulls."""

from __future__ import annotations

import json
import os

import pytest

from engine.registry import DirectorySink, NoMatchingPlatform, RegistryClient, RetryPolicy
from engine.registry.progress import DONE, EXISTS, MOUNTED, UPLOADING
from tests.integration.engine.conftest_registry import (  # noqa: F401
    add_image,
    add_index,
    busybox_image,
    layout_manifest_digest,
    registry,
    sh,
    tar_gz_layer,
)

FAST = RetryPolicy(attempts=3, initial=0.0, maximum=0.0)


@pytest.fixture
def client(tmp_path):
    with RegistryClient(config_dir=tmp_path / "config", retry=FAST) as c:
        yield c


def read(sink, digest):
    with sink.open(digest) as f:
        return f.read()


def skopeo_pull(reference, layout, tag, *extra):
    sh("skopeo", "copy", "--quiet", "--src-tls-verify=false", *extra, f"docker://{reference}", f"oci:{layout}:{tag}")
    return layout_manifest_digest(layout, tag)


def layout_blob(layout, digest):
    return (layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_bytes()


def test_pushed_image_reads_back_with_skopeo(client, busybox_image, registry, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    pulled = client.pull(busybox_image.reference, sink)
    digest = client.push(f"{registry.host}/mine/app:v1", sink, pulled.manifest_digest)
    assert digest == pulled.manifest_digest
    back = skopeo_pull(f"{registry.host}/mine/app:v1", tmp_path / "back", "v1")
    assert back == digest
    manifest = json.loads(read(sink, digest))
    for descriptor in [manifest["config"], *manifest["layers"]]:
        assert layout_blob(tmp_path / "back", descriptor["digest"]) == read(sink, descriptor["digest"])


def test_blobs_the_registry_has_are_not_sent(client, busybox_image, registry, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    pulled = client.pull(busybox_image.reference, sink)
    events = []
    client.push(f"{registry.host}/library/busybox:again", sink, pulled.manifest_digest, progress=events.append)
    assert events and {e.status for e in events} == {EXISTS}


def test_blobs_are_mounted_from_another_repository(client, busybox_image, registry, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    pulled = client.pull(busybox_image.reference, sink)
    events = []
    client.push(f"{registry.host}/mounted/app:v1", sink, pulled.manifest_digest, mount_from=["library/busybox"],
                progress=events.append)
    assert {e.status for e in events} == {MOUNTED}
    assert len(events) == 1 + len(pulled.manifest.layers)
    assert skopeo_pull(f"{registry.host}/mounted/app:v1", tmp_path / "back", "v1") == pulled.manifest_digest


def test_chunked_upload(client, registry, tmp_path):  # noqa: F811
    sink = DirectorySink(tmp_path / "blobs")
    layers = [tar_gz_layer({"data": os.urandom(300_000)}, level=0), tar_gz_layer({"more": os.urandom(1000)})]
    digest, _ = add_image(sink, layers)
    events = []
    client.push(f"{registry.host}/chunked/app:v1", sink, digest, chunk_size=64 * 1024, progress=events.append)
    big = [e for e in events if e.total > 300_000]
    assert len([e for e in big if e.status == UPLOADING]) >= 5 and big[-1].status == DONE
    assert skopeo_pull(f"{registry.host}/chunked/app:v1", tmp_path / "back", "v1") == digest
    manifest = json.loads(read(sink, digest))
    for layer in manifest["layers"]:
        assert layout_blob(tmp_path / "back", layer["digest"]) == read(sink, layer["digest"])


@pytest.fixture
def two_platforms(client, registry, tmp_path):  # noqa: F811
    """An index of linux/amd64 and linux/arm64/v8, pushed by us: (reference, index, {arch: manifest})."""
    source = DirectorySink(tmp_path / "source")
    manifests = {arch: add_image(source, [tar_gz_layer({"arch": arch.encode() + os.urandom(64)})], arch, variant)
                 for arch, variant in (("amd64", ""), ("arm64", "v8"))}
    index = add_index(source, [(d, size, arch, "v8" if arch == "arm64" else "")
                               for arch, (d, size) in manifests.items()])
    reference = f"{registry.host}/multi/app:v1"
    assert client.push(reference, source, index) == index
    return reference, index, {arch: digest for arch, (digest, _) in manifests.items()}


def test_index_is_stored_as_pushed(two_platforms, tmp_path):
    reference, index, _ = two_platforms
    raw = sh("skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}")
    assert raw.encode() == read(DirectorySink(tmp_path / "source"), index)


@pytest.mark.parametrize("platform,arch", [("linux/arm64", "arm64"), ("linux/arm64/v8", "arm64"),
                                           ("linux/amd64", "amd64")])
def test_platform_is_selected_like_skopeo(client, two_platforms, tmp_path, platform, arch):
    reference, index, manifests = two_platforms
    result = client.pull(reference, DirectorySink(tmp_path / f"pulled-{arch}"), platform=platform)
    assert result.index_digest == index
    assert result.manifest_digest == manifests[arch]
    back = skopeo_pull(reference, tmp_path / f"back-{arch}", "v1", "--override-arch", arch)
    assert back == result.manifest_digest


def test_missing_platform_lists_the_available_ones(client, two_platforms, tmp_path):
    reference, _, _ = two_platforms
    with pytest.raises(NoMatchingPlatform) as caught:
        client.pull(reference, DirectorySink(tmp_path / "none"), platform="linux/s390x")
    assert str(caught.value) == (f"pull `{reference}`: no image for platform linux/s390x; "
                                 "the index has: linux/amd64, linux/arm64/v8")
    assert not (tmp_path / "none").exists() or not list((tmp_path / "none").rglob("*"))

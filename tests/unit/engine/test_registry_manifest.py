"""Manifests of both families, and platform selection from an index."""

import json

import pytest

from engine.registry import NoMatchingPlatform, Platform, parse_platform
from engine.registry import manifest as mf
from engine.registry.errors import BadContent, InvalidReference


def d(n):
    return "sha256:" + f"{n:064x}"


def index(*platforms):
    return mf.Index(mf.OCI_INDEX, tuple(
        mf.Descriptor(mf.OCI_MANIFEST, d(i), 10, Platform(*p)) for i, p in enumerate(platforms)))


def test_parse_docker_and_oci():
    doc = {"schemaVersion": 2, "mediaType": mf.DOCKER_MANIFEST,
           "config": {"mediaType": "c", "digest": d(1), "size": 5},
           "layers": [{"mediaType": "l", "digest": d(2), "size": 7}]}
    body = json.dumps(doc).encode()
    assert mf.media_type_of(body, "application/json", "x") == mf.DOCKER_MANIFEST
    parsed = mf.parse_manifest(body, mf.DOCKER_MANIFEST, "x")
    assert parsed.config.digest == d(1) and [layer.size for layer in parsed.layers] == [7]
    del doc["mediaType"]
    assert mf.media_type_of(json.dumps(doc).encode(), f"{mf.OCI_MANIFEST}; charset=x", "x") == mf.OCI_MANIFEST


@pytest.mark.parametrize("body,reason", [
    (b"{", "not JSON"), (b"[]", "not a JSON object"),
    (json.dumps({"mediaType": mf.OCI_MANIFEST, "layers": []}).encode(), "malformed"),
    (json.dumps({"mediaType": mf.OCI_MANIFEST, "config": {"digest": "md5:x", "size": 1}, "layers": []}).encode(),
     "not a sha256 digest"),
    (json.dumps({"mediaType": "application/vnd.docker.distribution.manifest.v1+json"}).encode(), "unsupported"),
])
def test_bad_manifests(body, reason):
    with pytest.raises(BadContent, match=reason):
        mf.parse_manifest(body, mf.media_type_of(body, "", "pull `x`") if body.startswith(b"{") else mf.OCI_MANIFEST,
                          "pull `x`")


def test_select_exact_and_variants():
    idx = index(("linux", "amd64", ""), ("linux", "arm", "v6"), ("linux", "arm", "v7"), ("linux", "arm64", "v8"))
    assert mf.select(idx, Platform("linux", "amd64"), "x").digest == d(0)
    assert mf.select(idx, Platform("linux", "arm"), "x").digest == d(2)
    assert mf.select(idx, Platform("linux", "arm", "v6"), "x").digest == d(1)
    assert mf.select(idx, Platform("linux", "arm64"), "x").digest == d(3)
    assert mf.select(idx, Platform("linux", "arm64", "v8"), "x").digest == d(3)


def test_no_match_lists_platforms_but_not_attestations():
    idx = index(("linux", "amd64", ""), ("unknown", "unknown", ""), ("linux", "arm64", "v8"))
    with pytest.raises(NoMatchingPlatform) as caught:
        mf.select(idx, Platform("windows", "amd64"), "pull `x:y`")
    assert str(caught.value) == "pull `x:y`: no image for platform windows/amd64; the index has: " \
                                "linux/amd64, linux/arm64/v8"


def test_parse_platform():
    assert parse_platform("linux/arm64/v8") == Platform("linux", "arm64", "v8")
    assert str(parse_platform("Linux/AMD64")) == "linux/amd64"
    with pytest.raises(InvalidReference):
        parse_platform("amd64")


def test_host_platform_is_linux():
    assert mf.host_platform().os == "linux" and mf.host_platform().architecture

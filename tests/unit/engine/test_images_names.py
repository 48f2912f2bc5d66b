"""Image names normalise as Docker's do; digests and manifests parse strictly."""

import pytest

from engine.images import digests, mediatypes, names
from engine.images.errors import BadImage
from engine.images.manifests import Descriptor, ImageConfig, Index, Manifest, base_config


@pytest.mark.parametrize(("ref", "full"), [
    ("busybox", "docker.io/library/busybox:latest"),
    ("busybox:1.36", "docker.io/library/busybox:1.36"),
    ("user/app:v1", "docker.io/user/app:v1"),
    ("localhost:5000/x/y:2", "localhost:5000/x/y:2"),
    ("ghcr.io/a/b", "ghcr.io/a/b:latest"),
    ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
])
def test_normalize(ref, full):
    assert names.normalize(ref) == full
    assert names.normalize(names.short(full)) == full


@pytest.mark.parametrize("ref", ["Upper", "a b", "busybox@sha256:" + "0" * 64, "x:", ""])
def test_bad_names_are_refused(ref):
    with pytest.raises(BadImage):
        names.normalize(ref)


def test_digest_check():
    d = digests.of_bytes(b"x")
    assert digests.check(d) == d
    for bad in ["sha256:abc", "md5:" + "0" * 64, "sha256:" + "G" * 64, None]:
        with pytest.raises(BadImage):
            digests.check(bad)


def test_manifest_round_trip_and_digest_of_exact_bytes():
    config = ImageConfig.build(base_config())
    layer = Descriptor(mediatypes.OCI_LAYER, digests.of_bytes(b"l"), 1)
    m = Manifest.build(config.descriptor(), [layer])
    again = Manifest.parse(m.raw)
    assert again.layers == (layer,) and again.config.digest == config.digest
    assert again.digest == digests.of_bytes(m.raw)


def test_manifest_refuses_wrong_kinds_and_huge_json():
    with pytest.raises(BadImage, match="media type"):
        Manifest.parse(b'{"mediaType": "text/plain", "config": {}}')
    with pytest.raises(BadImage, match="refused"):
        Manifest.parse(b" " * (5 << 20))
    with pytest.raises(BadImage, match="rootfs"):
        ImageConfig.parse(b"{}")


def test_index_picks_the_platform():
    amd = {"mediaType": mediatypes.OCI_MANIFEST, "digest": digests.of_bytes(b"a"), "size": 1,
           "platform": {"os": "linux", "architecture": "amd64"}}
    arm = dict(amd, digest=digests.of_bytes(b"b"), platform={"os": "linux", "architecture": "arm64"})
    import json
    index = Index.parse(json.dumps({"manifests": [arm, amd]}).encode())
    assert index.for_platform("linux", "amd64").digest == amd["digest"]
    with pytest.raises(BadImage, match="s390x"):
        index.for_platform("linux", "s390x")

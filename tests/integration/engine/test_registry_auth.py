"""Basic authentication against a registry with an htpasswd file (bcrypt hashes written by apache2-utils' htpasswd)."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from engine.registry import DirectorySink, RegistryClient, RetryPolicy, Unauthorized, login, logout
from tests.integration.engine.conftest_registry import REGISTRY_BINARY, Registry, add_image, require, sh, tar_gz_layer

FAST = RetryPolicy(attempts=2, initial=0.0, maximum=0.0)
USER, PASSWORD = "alice", "s3cret:with colon"


@pytest.fixture(scope="module")
def locked_registry(tmp_path_factory):
    require(REGISTRY_BINARY, "htpasswd")
    started = Registry.start(tmp_path_factory.mktemp("locked"), htpasswd={USER: PASSWORD})
    yield started
    started.stop()


def test_anonymous_pull_is_refused_with_a_hint(locked_registry, tmp_path):
    with RegistryClient(config_dir=tmp_path, retry=FAST) as client, pytest.raises(Unauthorized) as caught:
        client.pull(f"{locked_registry.host}/app:v1", DirectorySink(tmp_path / "blobs"))
    assert str(caught.value).startswith(f"pull `{locked_registry.host}/app:v1`: manifest `v1` of app on "
                                        f"{locked_registry.host}: ")
    assert caught.value.hint == f"log in with `pycompose login {locked_registry.host}`"


def test_wrong_password_is_refused_and_not_stored(locked_registry, tmp_path):
    with pytest.raises(Unauthorized) as caught:
        login(locked_registry.host, USER, "wrong", config_dir=tmp_path, retry=FAST)
    assert str(caught.value).startswith(f"login to {locked_registry.host}: ")
    assert not (tmp_path / "config.json").exists()


def test_login_push_pull_logout(locked_registry, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"auths": {"other:5000": {"auth": "eDp5"}}, "psFormat": "x"}))
    login(locked_registry.host, USER, PASSWORD, config_dir=config, retry=FAST)
    stored = json.loads((config / "config.json").read_text())
    assert stored["psFormat"] == "x" and "other:5000" in stored["auths"]
    assert base64.b64decode(stored["auths"][locked_registry.host]["auth"]).decode() == f"{USER}:{PASSWORD}"
    assert stat.S_IMODE(os.stat(config / "config.json").st_mode) == 0o600

    source = DirectorySink(tmp_path / "source")
    digest, _ = add_image(source, [tar_gz_layer({"secret": os.urandom(256)})])
    with RegistryClient(config_dir=config, retry=FAST) as client:
        client.push(f"{locked_registry.host}/private/app:v1", source, digest)
        result = client.pull(f"{locked_registry.host}/private/app:v1", DirectorySink(tmp_path / "pulled"))
    assert result.manifest_digest == digest
    raw = sh("skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", f"{USER}:{PASSWORD}",
             f"docker://{locked_registry.host}/private/app:v1")
    with source.open(digest) as f:
        assert json.loads(raw)["layers"] == json.loads(f.read())["layers"]

    assert logout(locked_registry.host, config_dir=config) is True
    assert logout(locked_registry.host, config_dir=config) is False
    assert locked_registry.host not in json.loads((config / "config.json").read_text())["auths"]
    with RegistryClient(config_dir=config, retry=FAST) as client, pytest.raises(Unauthorized):
        client.pull(f"{locked_registry.host}/private/app:v1", DirectorySink(tmp_path / "again"))

"""config.json credentials: Docker's layout, atomic writes, other keys left alone."""

import base64
import json
import os
import stat

import pytest

from engine.registry import RegistryError
from engine.registry.credentials import (
    DOCKER_HUB_KEY,
    Credentials,
    read_credentials,
    remove_credentials,
    write_credentials,
)


def test_round_trip_and_mode(tmp_path):
    write_credentials(tmp_path, "127.0.0.1:5000", Credentials("u", "p:w"))
    config = json.loads((tmp_path / "config.json").read_text())
    assert config == {"auths": {"127.0.0.1:5000": {"auth": base64.b64encode(b"u:p:w").decode()}}}
    assert stat.S_IMODE(os.stat(tmp_path / "config.json").st_mode) == 0o600
    assert read_credentials(tmp_path, "127.0.0.1:5000") == Credentials("u", "p:w")
    assert read_credentials(tmp_path, "127.0.0.1:5001") is None


def test_docker_hub_key(tmp_path):
    write_credentials(tmp_path, "docker.io", Credentials("u", "p"))
    assert list(json.loads((tmp_path / "config.json").read_text())["auths"]) == [DOCKER_HUB_KEY]
    assert read_credentials(tmp_path, "docker.io") == Credentials("u", "p")
    assert read_credentials(tmp_path, "registry-1.docker.io") == Credentials("u", "p")


def test_keys_with_scheme_and_path_are_found_and_replaced(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({
        "auths": {"https://r.io/v2/": {"auth": base64.b64encode(b"a:b").decode()}}, "credsStore": "x"}))
    assert read_credentials(tmp_path, "r.io") == Credentials("a", "b")
    write_credentials(tmp_path, "r.io", Credentials("c", "d"))
    config = json.loads((tmp_path / "config.json").read_text())
    assert list(config["auths"]) == ["r.io"] and config["credsStore"] == "x"
    assert remove_credentials(tmp_path, "r.io") is True
    assert remove_credentials(tmp_path, "r.io") is False


def test_missing_file_and_bad_entries(tmp_path):
    assert read_credentials(tmp_path / "absent", "r.io") is None
    (tmp_path / "config.json").write_text(json.dumps({"auths": {"r.io": {"auth": "!!"}}}))
    with pytest.raises(RegistryError, match="not base64"):
        read_credentials(tmp_path, "r.io")
    (tmp_path / "config.json").write_text("[")
    with pytest.raises(RegistryError, match="config.json"):
        read_credentials(tmp_path, "r.io")


def test_repr_hides_the_password():
    assert "secret" not in repr(Credentials("u", "secret"))

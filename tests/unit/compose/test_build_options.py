"""A service's `build:` attributes as the engine build it asks for (compose.reconcile.builds.options_for)."""

import pytest

from compose.reconcile.builds import options_for
from compose.reconcile.errors import NotSupportedYet
from tests.unit.compose.test_graph import load_project

FULL = """
services:
  web:
    build:
      context: ./web
      dockerfile: Containerfile
      args: {VERSION: "1.2", UNSET: null}
      target: runtime
      labels: {org.example.team: web}
      tags: ["web:dev", "demo-web"]
      no_cache: true
      pull: true
      shm_size: 256m
      extra_hosts: ["mirror.local:10.0.0.5", "db=10.0.0.6"]
      network: host
      additional_contexts:
        assets: ./assets
        base: docker-image://busybox:stable
"""


def test_every_build_attribute_reaches_the_build(tmp_path):
    (tmp_path / "assets").mkdir()
    options = options_for(load_project(tmp_path, FULL), "web")
    assert options.context == str(tmp_path / "web") and options.dockerfile == "Containerfile"
    assert options.tags == ("demo-web", "web:dev")  # <project>-<service> first, as Docker Compose names it
    assert dict(options.build_args) == {"VERSION": "1.2"} and options.target == "runtime"
    assert dict(options.labels) == {"org.example.team": "web"}
    assert options.no_cache and options.pull and options.network == "host"
    assert options.shm_size == 256 * 1024 * 1024
    assert set(options.extra_hosts) == {("mirror.local", "10.0.0.5"), ("db", "10.0.0.6")}
    assert dict(options.contexts) == {"assets": str(tmp_path / "assets"), "base": "docker-image://busybox:stable"}


def test_an_image_name_and_inline_dockerfile_and_the_cli_flags(tmp_path):
    project = load_project(tmp_path, """
services:
  api:
    image: registry.local/api:1
    build:
      context: .
      dockerfile_inline: "FROM busybox\\n"
      network: default
""")
    options = options_for(project, "api", no_cache=True, build_args={"X": "1"})
    assert options.tags == ("registry.local/api:1",) and options.dockerfile_text == "FROM busybox\n"
    assert options.dockerfile is None and options.network == "none" and options.no_cache
    assert dict(options.build_args) == {"X": "1"}


@pytest.mark.parametrize("build, message", [
    ("{context: ., ssh: [default]}", "build.ssh is not supported"),
    ("{context: ., secrets: [token]}", "build.secrets is not supported"),
    ("{context: ., additional_contexts: {base: 'service:base'}}", "build.additional_contexts.base: a context "
                                                                  "built from another service"),
])
def test_what_the_builder_cannot_take_is_refused_by_name(tmp_path, build, message):
    text = f"services:\n  web:\n    build: {build}\nsecrets:\n  token: {{file: ./t}}\n"
    with pytest.raises(NotSupportedYet, match=f"service web: {message}"):
        options_for(load_project(tmp_path, text), "web")

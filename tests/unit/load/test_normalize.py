"""`normalize=False` (`config --no-normalize`): none of the defaults compose-go's Normalize step adds."""

from pathlib import Path

from compose.load import ProjectOptions, load

COMPOSE = """\
services:
  api:
    image: api
    links: [cache]
    pull_policy: if_not_present
    build:
      context: .
      args: [HOME, FIXED=1]
  cache:
    image: cache
    network_mode: "service:store"
  store:
    image: store
    networks: [back]
networks:
  back: {}
"""


def _load(tmp_path, **kw):
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    return load(ProjectOptions(working_dir=tmp_path, environ={"HOME": "/home/me"}, **kw)).data


def test_normalized_by_default(tmp_path):
    data = _load(tmp_path)
    api = data["services"]["api"]
    assert api["networks"] == {"default": None}
    assert set(api["depends_on"]) == {"cache"}
    assert api["pull_policy"] == "missing"
    assert api["build"]["dockerfile"] == "Dockerfile"
    assert api["build"]["args"] == {"FIXED": "1", "HOME": "/home/me"}
    assert data["networks"] == {"back": {"name": f"{tmp_path.name}_back"},
                                "default": {"name": f"{tmp_path.name}_default"}}


def test_no_implicit_network_nor_dependencies(tmp_path):
    data = _load(tmp_path, normalize=False)
    assert "networks" not in data["services"]["api"]
    assert "depends_on" not in data["services"]["api"]
    assert "depends_on" not in data["services"]["cache"]
    assert data["networks"] == {"back": {}}


def test_build_and_pull_policy_as_written(tmp_path):
    api = _load(tmp_path, normalize=False)["services"]["api"]
    assert api["pull_policy"] == "if_not_present"
    assert "dockerfile" not in api["build"]
    assert api["build"]["args"] == {"FIXED": "1", "HOME": None}


def test_paths_are_still_resolved(tmp_path):
    api = _load(tmp_path, normalize=False)["services"]["api"]
    assert api["build"]["context"] == str(Path(tmp_path))

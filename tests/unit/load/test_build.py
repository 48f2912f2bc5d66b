"""`build`: short form to long form, local contexts absolute, args resolved, sizes in bytes."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_short_form():
    assert canon({"build": "./dir"})["build"] == {"context": "/project/dir", "dockerfile": "Dockerfile"}
    assert canon({"build": "https://github.com/x/y.git#main"})["build"] == {
        "context": "https://github.com/x/y.git#main", "dockerfile": "Dockerfile"}


def test_long_form():
    given = {"context": "../other", "dockerfile": "sub/Dockerfile", "args": ["A=1", "B", "HOME"],
             "labels": ["l=1"], "cache_from": ["x"], "extra_hosts": ["h:1.2.3.4"], "secrets": ["s"], "tags": [],
             "additional_contexts": ["c=./ctx", "d=docker-image://x"], "shm_size": "1g",
             "ulimits": {"nproc": 3}, "no_cache": False, "pull": False, "network": "host"}
    assert canon({"build": given})["build"] == {
        "context": "/other", "dockerfile": "sub/Dockerfile", "args": {"A": "1", "HOME": "/root"},
        "labels": {"l": "1"}, "cache_from": ["x"], "extra_hosts": ["h=1.2.3.4"], "secrets": [{"source": "s"}],
        "additional_contexts": {"c": "/project/ctx", "d": "docker-image://x"}, "shm_size": "1073741824",
        "ulimits": {"nproc": 3}, "network": "host"}


def test_inline_dockerfile_and_mapping_args():
    given = {"dockerfile_inline": "FROM x", "args": {"A": 1, "B": None, "C": True, "E": ""}}
    assert canon({"build": given}, environ={})["build"] == {
        "context": "/project", "dockerfile_inline": "FROM x", "args": {"A": "1", "C": "true", "E": ""}}


def test_ssh():
    given = {"context": ".", "ssh": ["default", "a=./rel", "b=/abs"]}
    assert canon({"build": given})["build"]["ssh"] == ["default", "a: /project/rel", "b: /abs"]
    assert canon({"build": {"ssh": {"default": None, "x": "/y"}}})["build"]["ssh"] == ["default", "x: /y"]
    with pytest.raises(FileError, match="not an SSH key"):
        canon({"build": {"ssh": ["x"]}})

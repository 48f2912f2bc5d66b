"""`environment` and `env_file`: a mapping of strings, files folded in under the service's own."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_list_becomes_mapping_and_bare_names_resolve():
    env = canon({"environment": ["A=1", "B", "HOME", "C=", "D=x=y"]})["environment"]
    assert env == {"A": "1", "B": None, "C": "", "D": "x=y", "HOME": "/root"}


def test_mapping_values_become_strings():
    env = canon({"environment": {"A": 1, "B": None, "C": True, "D": 1.5, "F": ""}}, environ={})["environment"]
    assert env == {"A": "1", "B": None, "C": "true", "D": "1.5", "F": ""}


def test_empty_dropped():
    assert canon({"environment": []}) == {}
    assert canon({"environment": {}, "env_file": []}) == {}


def test_env_files_fold_in_later_file_and_environment_win(tmp_path):
    (tmp_path / "one.env").write_text("A=one\nX=1\nM=2\n")
    (tmp_path / "two.env").write_text("A=two\nY=$A\nZ=$E\nR\n")
    service = {"env_file": ["one.env", {"path": "two.env", "required": True}],
               "environment": ["E=svc", "M", "X=mine"]}
    assert canon(service, environ={}, working_dir=tmp_path) == {"environment": {
        "A": "two", "E": "svc", "M": None, "X": "mine", "Y": "two", "Z": "svc"}}
    shell = canon(service, environ={"A": "shell", "R": "r"}, working_dir=tmp_path)["environment"]
    assert (shell["A"], shell["Y"], shell["R"]) == ("two", "shell", "r")


def test_optional_missing_file_and_raw_format(tmp_path):
    (tmp_path / "raw.env").write_text("RAW=$A\n")
    service = {"env_file": [{"path": "missing.env", "required": False}, {"path": "raw.env", "format": "raw"}]}
    assert canon(service, working_dir=tmp_path) == {"environment": {"RAW": "$A"}}


def test_missing_required_file(tmp_path):
    with pytest.raises(FileError, match="not found"):
        canon({"env_file": "nope.env"}, working_dir=tmp_path)


def test_unknown_format(tmp_path):
    (tmp_path / "a.env").write_text("A=1\n")
    with pytest.raises(FileError, match='unsupported env_file format "weird"'):
        canon({"env_file": [{"path": "a.env", "format": "weird"}]}, working_dir=tmp_path)


def test_without_interpolation_env_files_are_kept_unread_in_long_form(tmp_path):
    from compose.load import ProjectOptions, load

    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: x\n    env_file: [web.env, {path: missing.env, required: false}]\n"
        "    environment: {B: '2'}\n")
    (tmp_path / "web.env").write_text("FOO=bar\n")
    web = load(ProjectOptions(working_dir=tmp_path, environ={}, interpolate=False)).data["services"]["web"]
    assert web["env_file"] == [{"path": str(tmp_path / "web.env"), "required": True},
                               {"path": str(tmp_path / "missing.env"), "required": False}]
    assert web["environment"] == {"B": "2"}

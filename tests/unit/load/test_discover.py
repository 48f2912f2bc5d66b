"""Discovery of compose files and the project name, as Docker Compose does it."""

import pytest

from compose.errors import ProjectError
from compose.load import discover


def _write(path, text="services: {}\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_finds_the_standard_file_walking_up(tmp_path):
    main = _write(tmp_path / "compose.yaml")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert discover.find_default_files(tmp_path / "a" / "b", print) == [main]


def test_prefers_compose_yaml_and_warns_about_the_other(tmp_path):
    main = _write(tmp_path / "compose.yaml")
    _write(tmp_path / "docker-compose.yml")
    said = []
    assert discover.find_default_files(tmp_path, said.append) == [main]
    assert "multiple config files" in said[0]


def test_takes_the_override_beside_it(tmp_path):
    main = _write(tmp_path / "docker-compose.yml")
    override = _write(tmp_path / "compose.override.yaml")
    assert discover.find_default_files(tmp_path, print) == [main, override]


def test_no_file_anywhere_is_a_clear_error(tmp_path):
    with pytest.raises(ProjectError, match="no configuration file provided"):
        discover.find_default_files(tmp_path, print)


def test_compose_file_variable_is_split_on_the_separator(tmp_path):
    environ = {"COMPOSE_FILE": "a.yaml;b.yaml", "COMPOSE_PATH_SEPARATOR": ";"}
    assert discover.files_from_environment(environ, tmp_path) == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]


def test_missing_file_named_with_f_is_an_error(tmp_path):
    with pytest.raises(ProjectError, match="compose file 'nope.yaml' not found"):
        discover.resolve_files(["nope.yaml"], tmp_path)


@pytest.mark.parametrize(("directory", "name"), [("My.Proj-X", "myproj-x"), ("9 ab", "9ab"), ("web_app", "web_app")])
def test_project_name_from_the_directory(tmp_path, directory, name):
    assert discover.project_name(None, {}, None, tmp_path / directory) == name


def test_project_name_precedence(tmp_path):
    environ = {"COMPOSE_PROJECT_NAME": "fromenv"}
    assert discover.project_name("flag", environ, "Top", tmp_path) == "flag"
    assert discover.project_name(None, environ, "Top", tmp_path) == "fromenv"
    assert discover.project_name(None, {"COMPOSE_PROJECT_NAME": ""}, "Top", tmp_path) == "top"


@pytest.mark.parametrize("bad", ["Bad.Name", "-x", "UPPER", "a b"])
def test_invalid_explicit_project_name(tmp_path, bad):
    with pytest.raises(ProjectError, match="invalid project name"):
        discover.project_name(bad, {}, None, tmp_path)


def test_a_directory_name_with_nothing_usable_needs_a_name(tmp_path):
    with pytest.raises(ProjectError, match="cannot derive a project name"):
        discover.project_name(None, {}, None, tmp_path / "...")

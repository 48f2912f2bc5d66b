"""The whole pipeline through `load()`: discovery, .env precedence, names, files, errors placed in files."""

import pytest

from compose.errors import FileError, ProjectError
from compose.load import ProjectOptions, load


def _project(tmp_path, text, name="compose.yaml"):
    (tmp_path / name).write_text(text)
    return tmp_path


def _load(tmp_path, **kw):
    kw.setdefault("working_dir", tmp_path)
    kw.setdefault("environ", {})
    return load(ProjectOptions(**kw))


def test_a_minimal_project(tmp_path):
    _project(tmp_path / "app", "services:\n  web:\n    image: nginx\n") if (tmp_path / "app").mkdir() is None else None
    loaded = _load(tmp_path / "app")
    assert loaded.name == "app"
    assert loaded.data["services"]["web"]["image"] == "nginx"
    assert loaded.data["networks"]["default"]["name"] == "app_default"


def test_shell_environment_wins_over_dotenv(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: ${IMG}:${TAG}\n")
    (tmp_path / ".env").write_text("IMG=fromfile\nTAG=1\n")
    loaded = _load(tmp_path, environ={"TAG": "shell"})
    assert loaded.data["services"]["web"]["image"] == "fromfile:shell"


def test_env_file_flags_replace_dotenv_and_later_ones_win(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: ${A}-${B}-${C}\n")
    (tmp_path / ".env").write_text("A=dotenv\n")
    (tmp_path / "e1").write_text("A=1\nB=1\n")
    (tmp_path / "e2").write_text("B=2\nC=${A}x\n")
    loaded = _load(tmp_path, env_files=("e1", "e2"))
    assert loaded.data["services"]["web"]["image"] == "1-2-1x"


def test_the_dotenv_file_can_be_left_unread_and_env_files_come_from_the_environment(tmp_path, monkeypatch):
    from compose.cli.state import GlobalOptions

    _project(tmp_path, "services:\n  web:\n    image: img-${A:-none}\n")
    (tmp_path / ".env").write_text("A=dotenv\n")
    (tmp_path / "e1").write_text("A=listed\n")
    assert _load(tmp_path, dotenv=False).data["services"]["web"]["image"] == "img-none"
    monkeypatch.chdir(tmp_path)
    for name in ("COMPOSE_ENV_FILES", "COMPOSE_DISABLE_ENV_FILE", "A"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPOSE_ENV_FILES", "e1")
    assert load(GlobalOptions().project_options()).data["services"]["web"]["image"] == "img-listed"
    monkeypatch.delenv("COMPOSE_ENV_FILES")
    monkeypatch.setenv("COMPOSE_DISABLE_ENV_FILE", "true")
    assert load(GlobalOptions().project_options()).data["services"]["web"]["image"] == "img-none"


def test_missing_env_file_flag_is_an_error(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n")
    with pytest.raises(ProjectError, match="couldn't find env file"):
        _load(tmp_path, env_files=("nope",))


def test_project_name_from_dotenv_of_the_starting_directory(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".env").write_text("COMPOSE_PROJECT_NAME=fromsub\n")
    assert _load(tmp_path / "sub").name == "fromsub"


def test_top_level_name_is_normalized(tmp_path):
    _project(tmp_path, "name: My_App\nservices:\n  web:\n    image: a\n")
    assert _load(tmp_path).name == "my_app"


def test_later_files_override_earlier_ones(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n    environment: {A: '1', B: '1'}\n")
    (tmp_path / "over.yaml").write_text("services:\n  web:\n    environment: {B: '2'}\n")
    loaded = _load(tmp_path, files=("compose.yaml", "over.yaml"))
    assert loaded.data["services"]["web"]["environment"] == {"A": "1", "B": "2"}


def test_compose_file_from_stdin(tmp_path):
    loaded = _load(tmp_path, files=("-",), stdin_text="services:\n  web:\n    image: a\n")
    assert loaded.data["services"]["web"]["image"] == "a"
    assert loaded.working_dir == tmp_path


def test_schema_error_names_file_line_and_key_path(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n    ports:\n      - 80:eighty\n")
    with pytest.raises(FileError) as caught:
        _load(tmp_path)
    assert str(caught.value).startswith("compose.yaml:5:9: services.web.ports[0]: ")


def test_error_in_an_override_file_points_into_that_file(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n")
    (tmp_path / "over.yaml").write_text("services:\n  web:\n    ports: ['80:eighty']\n")
    with pytest.raises(FileError) as caught:
        _load(tmp_path, files=("compose.yaml", "over.yaml"))
    assert str(caught.value).startswith("over.yaml:3:")
    assert "services.web.ports[0]" in str(caught.value)


def test_required_variable_shows_the_users_message(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: ${TAG:?set TAG to the release}\n")
    with pytest.raises(FileError, match="set TAG to the release") as caught:
        _load(tmp_path)
    assert str(caught.value).startswith("compose.yaml:3:")


def test_unset_variable_warns_once(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a${X}\n  db:\n    image: b${X}\n")
    loaded = _load(tmp_path)
    assert [w for w in loaded.warnings if '"X"' in w] == [
        'The "X" variable is not set. Defaulting to a blank string.']


def test_no_interpolate_keeps_the_expressions(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: ${IMG:-a}\n")
    assert _load(tmp_path, interpolate=False).data["services"]["web"]["image"] == "${IMG:-a}"


def test_version_is_dropped_with_a_warning(tmp_path):
    _project(tmp_path, "version: '3.8'\nservices:\n  web:\n    image: a\n")
    loaded = _load(tmp_path)
    assert "version" not in loaded.data
    assert any("`version` is obsolete" in w for w in loaded.warnings)


def test_empty_file_is_a_clear_error(tmp_path):
    _project(tmp_path, "")
    with pytest.raises(FileError, match="is empty"):
        _load(tmp_path)


def test_unknown_service_named_for_selection(tmp_path):
    from compose.errors import ServiceNotFound

    _project(tmp_path, "services:\n  web:\n    image: a\n")
    with pytest.raises(ServiceNotFound):
        _load(tmp_path, services=("nope",))


def test_no_interpolate_leaves_variables_in_typed_places_unchecked(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n    cpus: ${C}\n    ports: ['${P}:80']\n"
                       "    volumes: ['${V}:/x']\n")
    service = _load(tmp_path, interpolate=False).data["services"]["web"]
    assert service["cpus"] == "${C}" and service["ports"] == ["${P}:80"]
    assert service["volumes"][0]["source"] == "${V}"


def test_no_interpolate_still_refuses_unknown_keys(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n    imagee: ${X}\n")
    with pytest.raises(FileError, match='unknown key "imagee"'):
        _load(tmp_path, interpolate=False)


def test_no_consistency_skips_the_reference_checks(tmp_path):
    _project(tmp_path, "services:\n  web:\n    image: a\n    depends_on: [db]\n")
    with pytest.raises(FileError, match="undefined service"):
        _load(tmp_path)
    assert "db" in _load(tmp_path, consistency=False).data["services"]["web"]["depends_on"]

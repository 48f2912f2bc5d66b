"""`resolve_paths=False` (`config --no-path-resolution`): relative paths printed as Compose prints them."""

from pathlib import Path

from compose.load import ProjectOptions, load
from compose.load.canonical import Context
from compose.load.canonical.process_build import build
from compose.load.canonical.storage import canonical_volumes, host_path


def _ctx(**kw):
    return Context(Path("/project"), "p", {"HOME": "/home/me"}, **kw)


def test_path_base_is_the_project_folder_when_resolving():
    assert _ctx().path_base == "/project"


def test_path_base_is_none_without_resolution():
    assert _ctx(resolve_paths=False).path_base is None


def test_an_included_project_joins_its_folder_relative_to_the_includer():
    ctx = Context(Path("/project/inc"), "p", {}, resolve_paths=False, paths_relative_to=Path("/project"))
    assert ctx.path_base == "inc"
    assert host_path("./data", ctx) == "inc/data"
    assert host_path("../../far", ctx) == "../far"


def test_home_and_relative_paths_stay_as_written():
    ctx = _ctx(resolve_paths=False)
    assert host_path("~/notes", ctx) == "~/notes"
    assert host_path("./data/", ctx) == "./data/"


def test_a_short_bind_mount_keeps_its_source():
    mounts = canonical_volumes(["./data:/data:ro"], _ctx(resolve_paths=False), ("services", "s", "volumes"))
    assert mounts[0]["type"] == "bind"
    assert mounts[0]["source"] == "./data"


def test_a_build_context_stays_as_written():
    assert build("./app", _ctx(resolve_paths=False), ("services", "s", "build"))["context"] == "./app"


def _write(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_load_keeps_paths_but_still_reads_env_files_from_the_project(tmp_path):
    _write(tmp_path, {
        "compose.yaml": "services:\n  web:\n    build: ./app\n    env_file: web.env\n"
                        "    volumes: [\"./data:/data\"]\nsecrets:\n  s:\n    file: ./s.txt\n",
        "web.env": "FOO=bar\n",
    })
    loaded = load(ProjectOptions(working_dir=Path("/"), project_directory=tmp_path, environ={},
                                 resolve_paths=False, all_resources=True))
    web = loaded.data["services"]["web"]
    assert web["build"]["context"] == "./app"
    assert web["volumes"][0]["source"] == "./data"
    assert web["environment"] == {"FOO": "bar"}
    assert loaded.data["secrets"]["s"]["file"] == "./s.txt"


def test_extends_from_another_folder_joins_that_folder_relative_to_this_file(tmp_path):
    _write(tmp_path, {
        "compose.yaml": "services:\n  web:\n    extends:\n      file: other/base.yaml\n      service: base\n",
        "other/base.yaml": "services:\n  base:\n    build: ./ctx\n    volumes: [\"./cache:/cache\"]\n",
    })
    web = load(ProjectOptions(working_dir=tmp_path, environ={}, resolve_paths=False)).data["services"]["web"]
    assert web["build"]["context"] == "other/ctx"
    assert web["volumes"][0] == {"type": "bind", "source": "other/cache", "target": "/cache",
                                 "bind": {"create_host_path": True}}


def test_an_included_project_prints_paths_relative_to_the_includer(tmp_path):
    _write(tmp_path, {
        "compose.yaml": "include: [inc/compose.yaml]\nservices:\n  app:\n    image: app\n",
        "inc/compose.yaml": "services:\n  worker:\n    image: w\n"
                            "    volumes: [\"./spool:/spool\", \"../logs:/logs\"]\n",
    })
    worker = load(ProjectOptions(working_dir=tmp_path, environ={}, resolve_paths=False)).data["services"]["worker"]
    assert [m["source"] for m in worker["volumes"]] == ["inc/spool", "logs"]

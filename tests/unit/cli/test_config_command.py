"""`pycompose config` as a user runs it: exit codes, one-line errors, the listing flags."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(tmp_path, *args, stdin=None, env=None):
    environ = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "compose.cli.main", *args], cwd=tmp_path, input=stdin,
                          capture_output=True, text=True, env=environ, timeout=60)


STACK = """\
services:
  web:
    image: nginx:1
    depends_on: [db]
    ports: ["127.0.0.1:8080:80"]
  api:
    image: api:dev
    profiles: [backend]
    volumes: [data:/data]
  db:
    image: postgres
volumes:
  data: {}
"""


def test_config_prints_yaml_and_json(tmp_path):
    (tmp_path / "compose.yaml").write_text(STACK)
    result = run(tmp_path, "--profile", "backend", "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["services"]["web"]["ports"][0]["published"] == "8080"
    yaml_out = run(tmp_path, "--profile", "backend", "config")
    assert yaml_out.stdout.startswith(f"name: {tmp_path.name.lower()}\n")


def test_listing_flags(tmp_path):
    (tmp_path / "compose.yaml").write_text(STACK)
    assert run(tmp_path, "--profile", "backend", "config", "--services").stdout.split() == ["api", "db", "web"]
    assert run(tmp_path, "config", "--profiles").stdout == "backend\n"
    assert sorted(run(tmp_path, "--profile", "backend", "config", "--images").stdout.split()) == [
        "api:dev", "nginx:1", "postgres"]
    assert run(tmp_path, "--profile", "backend", "config", "--volumes").stdout == "data\n"


def test_quiet_prints_nothing_and_output_writes_a_file(tmp_path):
    (tmp_path / "compose.yaml").write_text(STACK)
    assert run(tmp_path, "config", "-q").stdout == ""
    result = run(tmp_path, "config", "-o", "out.yaml")
    assert result.returncode == 0 and (tmp_path / "out.yaml").read_text().startswith("name: ")


def test_a_bad_file_gives_one_line_and_no_traceback(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: a\n    ports: ['80:eighty']\n")
    result = run(tmp_path, "config")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("compose.yaml:4:")


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: a\n    ports: ['80:eighty']\n")
    assert "Traceback" in run(tmp_path, "--debug", "config").stderr


def test_no_compose_file_is_a_clear_error(tmp_path):
    result = run(tmp_path, "config")
    assert result.returncode != 0
    assert "no configuration file provided" in result.stderr and "Traceback" not in result.stderr


def test_unknown_service_argument(tmp_path):
    (tmp_path / "compose.yaml").write_text(STACK)
    result = run(tmp_path, "config", "nope")
    assert result.returncode != 0 and "no such service" in result.stderr


def test_file_from_stdin(tmp_path):
    result = run(tmp_path, "-f", "-", "config", "--services", stdin="services:\n  one:\n    image: a\n")
    assert result.stdout == "one\n", result.stderr


def test_an_unknown_command_is_a_usage_error_without_traceback(tmp_path):
    result = run(tmp_path, "nope")
    assert result.returncode == 2
    assert "No such command 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_flag_value_is_a_usage_error(tmp_path):
    (tmp_path / "compose.yaml").write_text(STACK)
    result = run(tmp_path, "config", "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_help_lists_the_commands(tmp_path):
    result = run(tmp_path, "--help")
    assert result.returncode == 0 and "config" in result.stdout

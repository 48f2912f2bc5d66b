"""`--format` templates end to end, on a running stack: what a user scripts with Docker's habits.

    pycompose ps --format '{{.Name}} {{.Label "com.example.tier"}}'
    pycompose image inspect -f '{{index .Config.Labels "x"}}' busybox
    pycompose volume ls --format 'table {{.Name}}\\t{{.Label "com.example.keep"}}'

One project (a service with labels and a named volume) in a throwaway namespace on temporary
roots (tests/e2e/stack.py), taken down at the end.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.stack import Stack, open_stack

COMPOSE = """\
services:
  web:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    labels:
      com.example.tier: front
    volumes:
      - data:/data
volumes:
  data:
    labels:
      com.example.keep: "yes"
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    for made in open_stack("tests/e2e/test_formats.py", COMPOSE):
        made.ok("up", "-d")
        try:
            yield made
        finally:
            made.cli("down", "-v")


def fails(stack: Stack, *args: str) -> str:
    done = stack.cli(*args)
    assert done.returncode == 15 and done.stdout.strip() == "", done  # inspect prints a lone newline, as Docker
    return done.stderr


def test_ps_templates_see_compose_s_container_fields(stack):  # type: ignore[no-untyped-def]
    line = '{{.Name}} {{.Service}} {{.State}} {{.Label "com.example.tier"}} {{.Label "com.docker.compose.project"}}'
    assert stack.ok("ps", "--format", line).stdout == "demo-web-1 web running front demo\n"
    assert stack.ok("ps", "--format", "table {{.Name}}\\t{{.Service}}\\t{{.Health}}").stdout.splitlines() == [
        "NAME         SERVICE   <no value>", "demo-web-1   web       "]
    [row] = [json.loads(line) for line in stack.ok("ps", "--format", "{{json .}}").stdout.splitlines()]
    assert row["Name"] == "demo-web-1" and list(row) == sorted(row)
    assert stack.ok("ps", "--format", "raw").stdout.startswith("container_id: ")
    assert fails(stack, "ps", "--format", "{{.Nope}}") == (
        'template parsing error: template: :1:2: executing "" at <.Nope>: '
        "can't evaluate field Nope in type *formatter.ContainerContext\n")


def test_ls_templates_see_name_status_and_files(stack):  # type: ignore[no-untyped-def]
    assert stack.ok("ls", "--format", "{{.Name}}: {{.Status}}").stdout == "demo: running(1)\n"
    assert stack.ok("ls", "--format", "table {{.Name}}\\t{{.Status}}").stdout.splitlines() == [
        "NAME      STATUS", "demo      running(1)"]


def test_image_templates_list_inspect_and_history(stack):  # type: ignore[no-untyped-def]
    [name] = stack.ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.splitlines()
    listed = stack.ok("image", "ls", "--format", "table {{.Repository}}\\t{{.Tag}}").stdout.splitlines()
    assert listed[0].split() == ["REPOSITORY", "TAG"] and listed[1].split() == name.split(":")
    image_id = stack.ok("image", "inspect", "-f", "{{.Id}}", name).stdout.strip()
    inspected = stack.ok("image", "inspect", "-f", '{{.Os}} {{index .Config.Labels "nope"}}|{{len .RootFS.Layers}}',
                         name).stdout
    assert inspected == "linux |1\n"
    assert fails(stack, "image", "inspect", "-f", "{{.Nope}}", name) == (
        'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"\n')
    history = stack.ok("image", "history", "--format", "{{.ID}} {{.Size}}", name).stdout.splitlines()
    assert history[0].split()[0] == image_id.removeprefix("sha256:")[:12]
    rows = [json.loads(line) for line in stack.ok("image", "history", "--format", "json", name).stdout.splitlines()]
    assert list(rows[0]) == ["Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"]


def test_volume_templates_list_and_inspect(stack):  # type: ignore[no-untyped-def]
    listed = stack.ok("volume", "ls", "--format", '{{.Name}} {{.Driver}} {{.Label "com.example.keep"}}').stdout
    assert listed == "demo_data local yes\n"
    table = stack.ok("volume", "ls", "--format", "table {{.Name}}\\t{{.Scope}}").stdout.splitlines()
    assert table == ["VOLUME NAME   SCOPE", "demo_data     local"]
    [row] = [json.loads(line) for line in stack.ok("volume", "ls", "--format", "json").stdout.splitlines()]
    assert row["Name"] == "demo_data" and row["Links"] == "N/A"
    inspected = stack.ok("volume", "inspect", "-f", '{{.Name}} {{index .Labels "com.example.keep"}} '
                                                    '{{index .Labels "nope"}}|{{.Mountpoint}}', "demo_data").stdout
    name, keep, rest = inspected.split(" ", 2)
    assert (name, keep) == ("demo_data", "yes") and rest.startswith("|/") and rest.endswith("_data\n")

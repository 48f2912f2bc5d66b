"""`--format` for the CLI: Docker's table directive and tabwriter, inspect's shapes, each command's fields.

Expected texts are what docker/cli prints for the same rows (the table layouts are also checked
against the docker CLI itself: tests/differential/test_gotemplate_vs_docker.py).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from compose.cli import formatting, render_images, tables
from compose.cli.gotemplate import Record
from compose.cli.ps_cmd import HEADERS as PS_HEADERS
from compose.cli.ps_cmd import template_row
from compose.errors import TemplateError

ROOT = Path(__file__).resolve().parents[3]
ROWS = [Record("*formatter.ContainerContext", {"Names": "demo-web-1", "Status": "Up 2 minutes", "Health": ""}),
        Record("*formatter.ContainerContext", {"Names": "db", "Status": "Exited (0)", "Health": "healthy"})]
HEADERS = {"Names": "NAMES", "Status": "STATUS"}


def test_a_table_format_prints_titles_then_aligned_rows():
    assert formatting.render(ROWS, "table {{.Names}}\\t{{.Status}}", HEADERS).splitlines() == [
        "NAMES        STATUS", "demo-web-1   Up 2 minutes", "db           Exited (0)"]


def test_a_field_without_a_title_heads_its_column_with_no_value_as_docker_does():
    assert formatting.render(ROWS, "table {{.Names}}\\t{{.Health}}|", HEADERS).splitlines() == [
        "NAMES        <no value>|", "demo-web-1   |", "db           healthy|"]


def test_header_functions_leave_titles_as_they_are_but_pad_pads():
    text = formatting.render(ROWS, "table {{truncate (upper .Names) 2}}\\t{{pad .Status 1 1}}|", HEADERS)
    assert text.splitlines() == ["NAMES      STATUS |", "DE         Up 2 minutes |", "DB         Exited (0) |"]


def test_a_plain_template_prints_one_line_a_row_with_escapes_and_outer_spaces_dropped():
    assert formatting.render(ROWS, "  {{.Names}}\\t{{.Status}}\\n", HEADERS) == \
        "demo-web-1\tUp 2 minutes\n\ndb\tExited (0)\n\n"
    assert formatting.render(ROWS, "json", HEADERS).splitlines()[1] == \
        '{"Health":"healthy","Names":"db","Status":"Exited (0)"}'


def test_a_bad_template_is_one_line_naming_the_problem():
    with pytest.raises(TemplateError) as caught:
        formatting.render(ROWS, "{{.Names}", HEADERS)
    assert caught.value.message == "template parsing error: template: :1: bad character U+007D '}'"
    with pytest.raises(TemplateError) as caught:
        formatting.render(ROWS, "{{.Nope}}", HEADERS)
    assert caught.value.message == ('template parsing error: template: :1:2: executing "" at <.Nope>: '
                                    "can't evaluate field Nope in type *formatter.ContainerContext")
    assert caught.value.exit_code == 15 and "\n" not in caught.value.message


def test_tabwriter_aligns_each_run_of_lines_that_share_a_column():
    text = "a\tb\tc\nlonger\tx\none line\nq\tr\n"
    assert tables.tabwrite(text).splitlines() == ["a         b         c", "longer    x", "one line",
                                                  "q         r"]
    assert tables.tabwrite("日本\tx\nab\ty\n", min_width=0, padding=1) == "日本 x\nab   y\n"


def test_inspect_prints_indented_json_compact_json_or_the_template_s_lines():
    objects = [{"Name": "a", "Labels": {"k": "v"}}]
    assert formatting.inspect(objects, None) == (json.dumps(objects, indent=4) + "\n", None)
    assert formatting.inspect(objects, "json") == ('[{"Name":"a","Labels":{"k":"v"}}]\n', None)
    assert formatting.inspect(objects * 2, "{{.Name}}\\t{{json .Labels}}") == ('a\\t{"k":"v"}\n' * 2, None)
    assert formatting.inspect([], "{{.Name}}") == ("\n", None)


def test_inspect_prints_what_it_could_then_names_every_failure():
    text, failed = formatting.inspect([{"Name": "a"}, {"Other": 1}, {"Neither": 2}], "{{.Name}}")
    assert text == "a\n"
    assert failed is not None and failed.message.splitlines() == [
        'template parsing error: template: :1:2: executing "" at <.Name>: map has no entry for key "Name"'] * 2
    assert formatting.inspect([{"Other": 1}], "{{.Name}}")[0] == "\n"  # as Docker: a newline when nothing printed


def test_ps_rows_are_compose_s_container_context():
    row = {"Name": "demo-web-1", "Service": "web", "Health": "", "Labels": "a=1",
           "Publishers": [{"URL": "127.0.0.1", "TargetPort": 80, "PublishedPort": 8080, "Protocol": "tcp"}]}
    shown = template_row(row, {"com.docker.compose.service": "web"})
    text = formatting.render([shown], '{{.Name}} {{.Label "com.docker.compose.service"}}|{{.Label "x"}}|'
                             "{{range .Publishers}}{{.PublishedPort}}{{end}} {{.Publishers}} "
                             "{{json (index .Publishers 0)}}", PS_HEADERS)
    assert text == ('demo-web-1 web||8080 [{127.0.0.1 80 8080 tcp}] '
                    '{"URL":"127.0.0.1","TargetPort":80,"PublishedPort":8080,"Protocol":"tcp"}\n')
    assert formatting.render([shown], "table {{.Name}}\\t{{.Service}}\\t{{.Health}}", PS_HEADERS).splitlines()[0] \
        == "NAME         SERVICE   <no value>"


def _image() -> SimpleNamespace:
    history = [{"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / ",
                "comment": "base"},
               {"created": "2024-01-02T00:00:00Z", "created_by": "/bin/sh -c #(nop)\tCMD [\"sh\"]",
                "empty_layer": True}]
    return SimpleNamespace(id="sha256:" + "ab" * 32, config=SimpleNamespace(obj={"history": history}),
                           layer_sizes=[4_261_000], manifest=SimpleNamespace(layers=[]))


def test_history_gives_templates_docker_s_history_fields(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    fields = render_images.history_fields(_image(), human=False)
    assert fields == [
        {"ID": "abababababab", "CreatedSince": "2024-01-02T00:00:00Z", "CreatedAt": "2024-01-02T00:00:00Z",
         "CreatedBy": '/bin/sh -c #(nop) CMD ["sh"]', "Size": "0", "Comment": ""},
        {"ID": "<missing>", "CreatedSince": "2024-01-01T00:00:00Z", "CreatedAt": "2024-01-01T00:00:00Z",
         "CreatedBy": "/bin/sh -c #(nop) ADD file:abc in / ", "Size": "4261000", "Comment": "base"}]
    text = render_images.formatted_history(_image(), "table {{.ID}}\\t{{.Size}}\\t{{.Comment}}", human=True,
                                           truncate=True)
    assert text.splitlines() == ["IMAGE          SIZE      COMMENT", "abababababab   0B        ",
                                 "<missing>      4.26MB    base"]
    assert json.loads(render_images.formatted_history(_image(), "json", human=True, truncate=True)
                      .splitlines()[1])["Size"] == "4.26MB"


def test_image_rows_and_labels_as_docker_s_templates_see_them():
    rows = [{"ID": "abc", "Repository": "busybox", "Tag": "latest", "Size": "4.26MB", "CreatedSince": "N/A"}]
    assert render_images.formatted_images(rows, "table {{.Repository}}:{{.Tag}}\\t{{.Size}}", False).splitlines() \
        == ["REPOSITORY:TAG   SIZE", "busybox:latest   4.26MB"]
    assert render_images.formatted_images(rows, "raw", True) == "image_id: abc\n"
    typed = render_images.typed_maps({"Config": {"Labels": {"a": "1"}}})
    assert formatting.inspect([typed], '{{index .Config.Labels "a"}}|{{index .Config.Labels "b"}}|'
                                       "{{.Config.Labels.b.c}}") == ("1||<no value>\n", None)


def pycompose(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
           "PYCOMPOSE_ROOT": str(tmp_path / "state"), "PYCOMPOSE_RUN_ROOT": str(tmp_path / "run")}
    return subprocess.run([sys.executable, "-m", "compose.cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60, check=False)


def test_version_takes_a_template_over_its_json_object(tmp_path):
    from compose.plan.labels import _version

    assert pycompose(tmp_path, "version", "--format", "{{.version}}").stdout == f"v{_version()}\n"
    assert pycompose(tmp_path, "version", "-f", "json").stdout == f'{{"version":"v{_version()}"}}\n'
    wrong = pycompose(tmp_path, "version", "--format", "{{.Version}}")
    assert wrong.returncode == 15 and wrong.stdout == "\n"  # inspect's shape: a newline when nothing printed
    assert wrong.stderr == ('template parsing error: template: :1:2: executing "" at <.Version>: '
                            'map has no entry for key "Version"\n')


def test_with_nothing_listed_a_table_format_prints_its_header_alone(tmp_path):
    assert pycompose(tmp_path, "image", "ls", "--format", "table {{.Repository}}\\t{{.ID}}").stdout == \
        "REPOSITORY   IMAGE ID\n"
    assert pycompose(tmp_path, "ls", "--format", "table {{.Name}}\\t{{.ConfigFiles}}").stdout == \
        "NAME      CONFIG FILES\n"
    assert pycompose(tmp_path, "volume", "ls", "--format", "table {{.Name}}\\t{{.Mountpoint}}").stdout == \
        "VOLUME NAME   MOUNTPOINT\n"
    assert pycompose(tmp_path, "volume", "ls", "--format", "{{.Name}}").stdout == ""
    bad = pycompose(tmp_path, "ls", "--format", "{{if}}")
    assert bad.returncode == 15 and bad.stderr == "template parsing error: template: :1: missing value for if\n"


def test_commands_load_the_template_engine_only_for_a_template(tmp_path):
    modules = ("ps_cmd", "images_cmd", "image_cmd", "ls_cmd", "volume_cmd", "version_cmd", "formatting")
    code = ("import sys\n" + "".join(f"import compose.cli.{m}\n" for m in modules) +
            "print(sorted(m for m in sys.modules if m.startswith('compose.cli.gotemplate')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}, check=True)
    assert done.stdout == "[]\n"
    assert pycompose(tmp_path, "volume", "ls").stdout == "DRIVER    VOLUME NAME\n"  # the plain table is unchanged

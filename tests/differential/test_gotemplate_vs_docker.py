"""Our Go templates against the docker CLI's own (Go's text/template with docker/cli's functions), offline.

No daemon is needed: `docker context inspect -f T` runs a template through Docker's inspect path
over a context's metadata, and a context's metadata may carry any JSON (Docker keeps unknown keys),
so the data `{"d": DATA}` puts DATA under `.Metadata.Metadata.AdditionalFields.d`. Each case runs
`{{with <that>}}T{{end}}` there and T over DATA here; Go decodes JSON numbers as float64 and
objects as maps, so DATA's numbers are floats and its objects sorted on our side too. Error
columns on line 1 are shifted by the prefix.
`docker context ls --format 'table ...'` checks the table directive (header titles, header
functions, Docker's tabwriter) against `compose.cli.formatting.render` over the same rows.

Everything lives in a temporary DOCKER_CONFIG, removed at the end. Needs the docker CLI
(docker.io); without it the module skips loudly, and fails under CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from compose.cli.formatting import render
from compose.cli.gotemplate import Record, Template
from compose.errors import TemplateError

PREFIX = "{{with .Metadata.Metadata.AdditionalFields.d}}"
DATA = {"a": 1, "s": "str", "n": None, "l": ["x", "y"], "m": {"k": "v", "b": 2}, "t": True, "f": 2.5, "e": "",
        "z": 0, "big": 1234567.5, "million": 1000000, "uni": "héllo wörld", "empty": [],
        "nested": {"list": [{"name": "a", "v": 1}, {"name": "b", "v": 2}], "deep": {"er": {"est": "x"}}}}

CASES = [
    "{{.a}}|{{.s}}|{{.n}}|{{.l}}|{{.m}}|{{.t}}|{{.f}}|{{.nope}}|{{.}}",
    "{{.big}} {{.million}} {{.nested}} {{.nope.deeper}} {{.nested.deep.er.est}}",
    "{{len .nope}}", "{{len .n}}", "{{len .a}}", "{{len .s}}-{{len .l}}-{{len .m}}-{{len .uni}}",
    "{{index .nope 1}}", "{{index .n 1}}", '{{index .l "x"}}', "{{index .l 2}}", "{{index .l -1}}",
    '{{index .l 1}}{{index .m "k"}}{{index .m "nope"}}', "{{index .m .nope}}", "{{index .m 1}}",
    '{{index "abc" 1}}', "{{(index .nested.list 1).name}}", '{{index .nested "list" 0 "name"}}',
    '{{eq .nope "x"}}', "{{eq .a 1}}", "{{eq .a 1.0}}", '{{eq .s "str" "x"}}', "{{lt .s 1}}", "{{lt .l 1}}",
    "{{eq .l .l}}", "{{eq .n .nope}}", "{{eq}}", '{{ne .s "x"}}{{le 1 2}}{{gt 3 2}}{{ge 1 2}}{{lt 1 1}}',
    "{{upper .a}}", "{{upper .nope}}", "{{upper .n}}", "{{upper 1}}", '{{join .nope ","}}',
    "{{pad .s 1}}", '{{pad .s "1" 2}}', "{{pad .s 1.5 2}}", '{{pad .s 1 2}}|{{pad .e 3 3}}|',
    "{{.s.x}}", "{{.l.x}}", "{{.n.x}}", '{{.s "x"}}', '{{"a" "b"}}', "{{nil}}", "{{.a.b.c.d.e.f.g.h.i.j.k.l.m}}",
    "{{.t | not}}", "{{and 1 0 .nope}}", '{{or 0 "" .s}}',
    "{{if and .a .s}}yes{{end}}{{if or .z .e}}no{{else}}none{{end}}",
    "{{slice .s 1 2}}", "{{slice .l 1}}", "{{slice .s 2 1}}", "{{slice .l 0 1 2}}",
    '{{printf "%T %T %T %T %T" .a .s .l .m .t}}', "{{print .l .m}}", '{{printf "%s|%v|%d" .l .m .l}}',
    '{{printf "%5.2f|%-8s|%8s|%x|% x|%#x|%q" 3.14159 "ab" "ab" "hi" "hi" 255 .l}}',
    '{{printf "%s %d"}}|{{printf "%s" 1 2}}|{{print}}{{print nil}}{{printf "%s" nil}}',
    '{{printf "%08.3f|%-6.2f|%+.1e|%x|%g|%G|%e" .f .f .f 3.5 .big .big 0.000001}}',
    '{{printf "%v %d %s" .l .a .m}}', '{{printf "%c%c|%q|%U|%b|%o|%X" \'h\' 105 65 65 5 8 255}}',
    "{{println .a \"x\"}}", '{{printf "%6.2s|%-4q|%t" "abc" "a" false}}',
    "{{json .nope}}{{json .n}}{{json .t}}{{json .nested}}{{json .big}}{{json .million}}{{json .f}}",
    '{{json "a<b>&\u2028é"}}', '{{json .l}}{{json .empty}}',
    '{{split "a,b,c" ","}} {{join (split "a,b,c" ",") "+"}} {{split "abc" ""}}',
    '{{title "hello wORLD foo-bar o\'neil"}} {{lower "ABC" | upper}} {{title .uni}}',
    '{{truncate "abcdef" 3}}|{{truncate "ab" 3}}|{{truncate .uni 3}}',
    "{{range .nope}}x{{else}}empty{{end}}", "{{range $i, $e := .l}}{{$i}}={{$e}},{{end}}",
    "{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", "{{range $v := .m}}{{$v}}{{end}}",
    "{{range $i := 2}}{{$i}}{{end}}", "{{range $i, $j := 2}}{{$i}}{{end}}", '{{range "abc"}}{{end}}',
    "{{range .empty}}x{{else}}none{{end}}", "{{range .nested.list}}{{.name}}={{.v}} {{end}}",
    "{{range $i, $e := .nested.list}}{{if $i}},{{end}}{{$e.name}}{{end}}",
    '{{range .l}}{{if eq . "y"}}{{continue}}{{end}}{{.}}{{end}}', "{{range .l}}{{.}}{{break}}{{end}}",
    "{{with .nope}}x{{else with .s}}{{.}}{{end}}", "{{if .nope}}a{{else if .s}}b{{end}}",
    "{{$x := 1}}{{$x = 2}}{{$x}}", "{{with $v := .m}}{{$v.k}}{{end}}", '{{"x" | printf "%s-%s" "a"}}',
    "{{.f | printf \"%.3f\"}}{{.big}}{{.z}}", "{{'a'}} {{0x1F}} {{1e3}} {{-2}} {{07}} {{1_000}} {{0b11}} {{0x1p4}}",
    "a  {{- .s -}}  b", "{{/* comment */}}x {{- /* c2 */ -}} y", "{{- .a}}\n{{.a -}}\n\n!", "{{ .s }}{{\t.s\t}}",
    '{{"\\x41\\u00e9\\101\\t"}}|{{`raw\\n`}}', "x\n  {{.a.b}}", "x\n{{.l.x}}\n",
    "{{.Name}", "{{ }", "{{.Name }", "{{end}}", "{{range .l}}{{break}}{{end}}{{break}}", "{{$y}}", "{{nope .a}}",
    '{{"unterminated}}', "{{1a}}", "{{.a | 1}}", "{{if}}{{end}}", "{{/* open", "{{/* c */ .a}}",
    "{{range $a, $b, $c := .l}}{{end}}", "{{.a | .s}}", "{{(.a).b}}", "{{'ab'}}", '{{"\\q"}}',
]


@pytest.fixture(scope="module")
def docker_config() -> Iterator[dict[str, str]]:
    """A private DOCKER_CONFIG holding one context, `probe`, whose metadata carries DATA."""
    if shutil.which("docker") is None:
        message = "the docker CLI is not installed: apt-get install -y docker.io (scripts/setup.sh --test)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="pycompose-test-dockercli-") as base:
        env = {**os.environ, "DOCKER_CONFIG": base, "DOCKER_CONTEXT": "", "DOCKER_HOST": ""}
        env.pop("DOCKER_CONTEXT")
        env.pop("DOCKER_HOST")
        for name, description in (("probe", "d"), ("a-longer-name", "説明: a longer description, ünïcode")):
            subprocess.run(["docker", "context", "create", name, "--description", description,
                            "--docker", "host=unix:///nonexistent.sock"], env=env, check=True, capture_output=True)
        [meta] = [p for p in Path(base, "contexts", "meta").glob("*/meta.json")
                  if json.loads(p.read_text())["Name"] == "probe"]
        document = json.loads(meta.read_text())
        document["Metadata"]["d"] = DATA
        meta.write_text(json.dumps(document))
        yield env


def docker_says(env: dict[str, str], text: str) -> str:
    done = subprocess.run(["docker", "context", "inspect", "-f", PREFIX + text + "{{end}}", "probe"], env=env,
                          capture_output=True, text=True, errors="replace", timeout=60)
    if done.returncode:
        error = done.stderr.strip()
        return "ERROR " + re.sub(r"template: :1:(\d+):", lambda m: f"template: :1:{int(m.group(1)) - len(PREFIX)}:",
                                 error)
    return done.stdout[:-1]


def we_say(text: str) -> str:
    # Go decodes JSON objects into maps, which `json` writes sorted; our dicts keep their order (structs)
    data = json.loads(json.dumps(DATA), parse_int=float, object_pairs_hook=lambda pairs: dict(sorted(pairs)))
    try:
        return Template(text).execute(data)
    except TemplateError as error:
        return "ERROR " + error.message


@pytest.mark.parametrize("text", CASES)
def test_template_prints_what_docker_prints(docker_config, text):
    assert we_say(text) == docker_says(docker_config, text)


TABLES = [
    "table",
    "table {{.Name}}\\t{{.Description}}",
    "table {{.Name}}\\t{{.Current}}\\t{{.Description|upper}}\\t{{printf \"%s!\" .DockerEndpoint}}"
    "\\t{{pad .Error 1 1}}|",
    "table   {{.Name | json}}\\t{{join (split .Description \" \") \"_\"}}\\t{{truncate .DockerEndpoint 8}}  ",
    "table {{.Name}}\\n{{.Description}}\\t{{.DockerEndpoint}}",
    "table {{json .}}",
    "table {{.Name}}\\t{{.Description | title}}\\t{{.Description | lower}}",
    "{{.Name}}\\t{{.Current}}\\n",
    "json",
]
HEADERS = {"Name": "NAME", "Description": "DESCRIPTION", "DockerEndpoint": "DOCKER ENDPOINT", "Error": "ERROR"}


@pytest.mark.parametrize("fmt", TABLES)
def test_table_directive_lays_out_what_docker_lays_out(docker_config, fmt):
    listed = subprocess.run(["docker", "context", "ls", "--format", "json"], env=docker_config, capture_output=True,
                            text=True, check=True, timeout=60).stdout
    rows = [Record("*formatter.clientContextContext", json.loads(line)) for line in listed.splitlines()]
    theirs = subprocess.run(["docker", "context", "ls", "--format", fmt], env=docker_config, capture_output=True,
                            text=True, timeout=60)
    assert theirs.returncode == 0, theirs.stderr
    if fmt == "table":  # Docker's default for contexts, written out: a command passes its own default
        fmt = "table {{.Name}}{{if .Current}} *{{end}}\\t{{.Description}}\\t{{.DockerEndpoint}}\\t{{.Error}}"
    assert render(rows, fmt, HEADERS) == theirs.stdout

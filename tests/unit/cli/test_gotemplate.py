"""Go's text/template with Docker's functions: each case is what Docker's CLI prints for the same template
and data (checked with the docker CLI's own engine: tests/differential/test_gotemplate_vs_docker.py runs
the cases that need no root object)."""

import pytest

from compose.cli.gotemplate import Func, Record, StringMap, Template
from compose.errors import TemplateError

DATA = {"a": 1, "s": "str", "n": None, "l": ["x", "y"], "m": {"k": "v", "b": 2}, "t": True, "f": 2.5, "e": "",
        "z": 0, "big": 1234567.5, "million": 1000000.0,
        "nested": {"list": [{"name": "a", "v": 1}, {"name": "b", "v": 2}]},
        "Labels": StringMap({"com.docker.compose.service": "web", "tier": "front"})}


def run(text: str, data=DATA, **options) -> str:
    return Template(text).execute(data, **options)


def fails(text: str, data=DATA, **options) -> str:
    with pytest.raises(TemplateError) as caught:
        run(text, data, **options)
    return caught.value.message


@pytest.mark.parametrize(("text", "printed"), [
    ("{{.a}}|{{.s}}|{{.t}}|{{.f}}|{{.e}}|{{.z}}", "1|str|true|2.5||0"),
    ("{{.l}} {{.m}}", "[x y] map[b:2 k:v]"),
    ("{{.n}}|{{.nope}}|{{.nope.deeper}}", "<no value>|<no value>|<no value>"),
    ("{{.big}} {{.million}} {{.nested.list}}", "1.2345675e+06 1e+06 [map[name:a v:1] map[name:b v:2]]"),
    ("{{.}}", "map[Labels:map[com.docker.compose.service:web tier:front] a:1 b"),
])
def test_values_print_as_go_prints_them(text, printed):
    assert run(text).startswith(printed)


@pytest.mark.parametrize(("text", "printed"), [
    ('{{index .Labels "com.docker.compose.service"}}', "web"),
    ('{{index .Labels "nope"}}|{{index .m "nope"}}', "|<no value>"),  # a map[string]string gives "", raw JSON nil
    ("{{index .l 1}}{{index .m \"k\"}}{{index \"abc\" 1}}", "yv98"),
    ("{{(index .nested.list 1).name}}", "b"),
    ("{{len .s}}-{{len .l}}-{{len .m}}-{{len \"héllo\"}}", "3-2-2-6"),
    ("{{slice .s 1 2}} {{slice .l 1}}", "t [y]"),
    ("{{.t | not}} {{and 1 0 .nope}} {{or 0 \"\" .s}}", "false 0 str"),
    ("{{eq .nope \"x\"}} {{eq .a 1}} {{eq .s \"no\" \"str\"}} {{eq .n .nope}}", "false true true true"),
    ("{{ne .s \"x\"}}{{le 1 2}}{{gt 3 2}}{{ge 1 2}}{{lt 1 1}}", "truetruetruefalsefalse"),
    ("{{print 1 2 \"a\" \"b\" 3 nil}}", "1 2ab3 <nil>"),
    ("{{println 1 \"a\"}}", "1 a\n"),
    ("{{printf \"%v %d %s\" .l .a .m}}", "[x y] 1 map[b:%!s(int=2) k:v]"),  # the verb reaches each element
])
def test_builtins(text, printed):
    assert run(text) == printed


@pytest.mark.parametrize(("text", "printed"), [
    ('{{printf "%q %v %5.1f|%-5d|%05d|%+d|%x|%X|%o|%c|%U" "a\\"b\\n" nil 3.14159 42 42 42 "hi" 255 8 65 65}}',
     '"a\\"b\\n" <nil>   3.1|42   |00042|+42|6869|FF|10|A|U+0041'),
    ('{{printf "%e|%g|%t|%T|%T" 1234.5678 0.000012 true .l .m}}',
     "1.234568e+03|1.2e-05|true|[]interface {}|map[string]interface {}"),
    ('{{printf "%5.2f|%-8s|%8s|% x|%#x|%q" 3.14159 "ab" "ab" "hi" 255 .l}}',
     ' 3.14|ab      |      ab|68 69|0xff|["x" "y"]'),
    ('{{printf "%s %d"}}|{{printf "%s" 1 2}}|{{printf "%d" .l}}|{{printf "%s" nil}}',
     "%!s(MISSING) %!d(MISSING)|%!s(int=1)%!(EXTRA int=2)|[%!d(string=x) %!d(string=y)]|%!s(<nil>)"),
    ('{{printf "%v %s %d %x" 1.0 1.0 1.0 1.0}}', "1 %!s(float64=1) %!d(float64=1) 0x1p+00"),
    ("{{'a'}} {{0x1F}} {{1e3}} {{-2}} {{07}} {{1_000}} {{0b11}}", "97 31 1000 -2 7 1000 3"),
])
def test_printf_and_numbers(text, printed):
    assert run(text) == printed


@pytest.mark.parametrize(("text", "printed"), [
    ("{{json .nested}}", '{"list":[{"name":"a","v":1},{"name":"b","v":2}]}'),
    ("{{json .nope}}{{json .n}}{{json .t}}{{json .f}}{{json .million}}", "nullnulltrue2.51000000"),
    ('{{json "a<b>&"}}', '"a<b>&"'),  # Docker turns HTML escaping off
    ("{{json .Labels}}", '{"com.docker.compose.service":"web","tier":"front"}'),
    ('{{join (split "a,b,c" ",") "+"}} {{split "abc" ""}}', "a+b+c [a b c]"),
    ('{{lower "ABC" | upper}} {{title "hello wORLD foo-bar o\'neil"}}', "ABC Hello WORLD Foo-Bar O'Neil"),
    ('{{pad "x" 1 2}}|{{pad "" 3 3}}|{{truncate "abcdef" 3}}|{{truncate "ab" 3}}', " x  ||abc|ab"),
])
def test_docker_functions(text, printed):
    assert run(text) == printed


@pytest.mark.parametrize(("text", "printed"), [
    ("{{range .l}}{{.}},{{end}}", "x,y,"),
    ("{{range $i, $e := .l}}{{$i}}={{$e}} {{end}}", "0=x 1=y "),
    ("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", "b=2;k=v;"),  # maps range in key order
    ("{{range $v := .m}}{{$v}}{{end}}", "2v"),
    ("{{range .nope}}x{{else}}empty{{end}}{{range .nested.none}}x{{else}}none{{end}}", "emptynone"),
    ("{{range $i := 3}}{{$i}}{{end}}", "012"),
    ("{{range .l}}{{if eq . \"x\"}}{{continue}}{{end}}{{.}}{{end}}", "y"),
    ("{{range .l}}{{.}}{{break}}{{end}}", "x"),
    ("{{range $i, $e := .nested.list}}{{if $i}},{{end}}{{$e.name}}{{end}}", "a,b"),
    ("{{range .nested.list}}{{.name}}={{$.a}} {{end}}", "a=1 b=1 "),
    ("{{if .nope}}a{{else if .s}}b{{else}}c{{end}}", "b"),
    ("{{with .nope}}x{{else with .s}}{{.}}{{end}}", "str"),
    ("{{with $v := .m}}{{$v.k}}{{end}}", "v"),
    ("{{$x := 1}}{{$x = 2}}{{$x}}", "2"),
    ("{{if and .a .s}}yes{{end}}{{if or .z .e}}no{{else}}none{{end}}", "yesnone"),
    ('{{"x" | printf "%s-%s" "a"}}', "a-x"),
])
def test_control_structures_and_variables(text, printed):
    assert run(text) == printed


@pytest.mark.parametrize(("text", "printed"), [
    ("a  {{- .s -}}  b", "astrb"),
    ("{{/* a comment */}}x {{- /* another */ -}} y", "xy"),
    ("{{- .a}}\n{{.a -}}\n\n!", "1\n1!"),
    ("{{-3}}", "-3"),  # no space: a negative number, not a trim marker
    ("{{ .s }}{{\t.s\t}}", "strstr"),
    ("{{`raw\\n`}}|{{\"\\x41\\u00e9\\101\\t\"}}", "raw\\n|AéA\t"),
])
def test_text_trim_markers_comments_and_literals(text, printed):
    assert run(text) == printed


RECORD = Record("*formatter.ContainerContext", {"Names": "demo-web-1", "ExitCode": 0},
                {"Label": Func(lambda name: {"a.b": "c"}.get(name, ""), ("string",))})


def test_records_have_fields_and_methods_like_docker_s_contexts():
    assert run('{{.Names}} {{.Label "a.b"}}|{{.Label "none"}}|{{"a.b" | .Label}}', RECORD) == "demo-web-1 c||c"
    assert run("{{json .}}", RECORD) == '{"ExitCode":0,"Names":"demo-web-1"}'
    assert fails("{{.Nope}}", RECORD) == ('template parsing error: template: :1:2: executing "" at <.Nope>: '
                                          "can't evaluate field Nope in type *formatter.ContainerContext")
    assert fails('{{.Names "x"}}', RECORD).endswith("wrong number of args for Names: want 0 got 1")


@pytest.mark.parametrize(("text", "message"), [
    ("{{.Name}", "template: :1: bad character U+007D '}'"),
    ("{{.Name }", 'template: :1: unexpected "}" in operand'),
    ("{{ }", 'template: :1: unexpected "}" in command'),
    ("{{.a", "template: :1: unclosed action"),
    ("{{if .a}}", "template: :1: unexpected EOF"),
    ("{{end}}", "template: :1: unexpected {{end}}"),
    ("{{else}}", "template: :1: unexpected {{else}}"),
    ("{{break}}", "template: :1: {{break}} outside {{range}}"),
    ("{{$y}}", 'template: :1: undefined variable "$y"'),
    ("{{nope .a}}", 'template: :1: function "nope" not defined'),
    ('{{"unterminated}}', "template: :1: unterminated quoted string"),
    ("{{1a}}", 'template: :1: bad number syntax: "1a"'),
    ("{{.a | 1}}", "template: :1: non executable command in pipeline stage 2"),
    ("{{if}}{{end}}", "template: :1: missing value for if"),
    ("x\n{{.a .b", "template: :2: unclosed action"),
    ("{{/* open", "template: :1: unclosed comment"),
    ("{{/* c */ .a}}", "template: :1: comment ends before closing delimiter"),
    ("{{range $a, $b, $c := .l}}{{end}}", "template: :1: too many declarations in range"),
])
def test_parse_errors_read_as_go_s(text, message):
    assert fails(text) == "template parsing error: " + message


@pytest.mark.parametrize(("text", "message"), [
    ("{{len .nope}}", 'template: :1:2: executing "" at <len .nope>: error calling len: '
                      "reflect: call of reflect.Value.Type on zero Value"),
    ("{{len .n}}", 'template: :1:2: executing "" at <len .n>: error calling len: len of nil pointer'),
    ("{{len .a}}", 'template: :1:2: executing "" at <len .a>: error calling len: len of type int'),
    ("{{index .nope 1}}", 'template: :1:2: executing "" at <index .nope 1>: error calling index: index of untyped nil'),
    ('{{index .l "x"}}', 'template: :1:2: executing "" at <index .l "x">: error calling index: '
                         "cannot index slice/array with type string"),
    ("{{index .l 2}}", 'template: :1:2: executing "" at <index .l 2>: error calling index: '
                       "reflect: slice index out of range"),
    ("{{index .m 1}}", 'template: :1:2: executing "" at <index .m 1>: error calling index: '
                       "value has type int; should be string"),
    ("{{eq .a \"1\"}}", 'template: :1:2: executing "" at <eq .a "1">: error calling eq: '
                        "incompatible types for comparison"),
    ("{{lt .l 1}}", 'template: :1:2: executing "" at <lt .l 1>: error calling lt: invalid type for comparison'),
    ("{{eq .l .l}}", 'template: :1:2: executing "" at <eq .l .l>: error calling eq: '
                     "non-comparable type [x y]: []interface {}"),
    ("{{upper .a}}", 'template: :1:8: executing "" at <.a>: wrong type for value; expected string; got int'),
    ("{{upper .nope}}", 'template: :1:8: executing "" at <.nope>: invalid value; expected string'),
    ("{{upper .n}}", 'template: :1:8: executing "" at <.n>: wrong type for value; expected string; got interface {}'),
    ("{{upper 1}}", 'template: :1:8: executing "" at <1>: expected string; found 1'),
    ('{{pad .s "1" 2}}', 'template: :1:9: executing "" at <"1">: expected integer; found "1"'),
    ("{{pad .s 1}}", 'template: :1:2: executing "" at <pad>: wrong number of args for pad: want 3 got 2'),
    ("{{.s.x}}", 'template: :1:4: executing "" at <.s.x>: can\'t evaluate field x in type interface {}'),
    ("{{.n.x}}", 'template: :1:4: executing "" at <.n.x>: nil pointer evaluating interface {}.x'),
    ('{{.s "x"}}', 'template: :1:2: executing "" at <.s>: s is not a method but has arguments'),
    ('{{"a" "b"}}', 'template: :1:2: executing "" at <"a">: can\'t give argument to non-function "a"'),
    ("{{nil}}", 'template: :1:2: executing "" at <nil>: nil is not a command'),
    ("{{range $i, $j := 2}}{{end}}", 'template: :1:18: executing "" at <2>: '
                                     "can't use 2 to iterate over more than one variable"),
    ('{{range "abc"}}{{end}}', 'template: :1:8: executing "" at <"abc">: range can\'t iterate over abc'),
    ("x\n  {{.a.b}}", 'template: :2:6: executing "" at <.a.b>: can\'t evaluate field b in type interface {}'),
])
def test_execution_errors_name_the_node_and_its_position(text, message):
    assert fails(text) == "template parsing error: " + message


def test_missing_keys_are_errors_when_asked_as_docker_inspect_does():
    assert fails("{{.Nope}}", missing_key="error") == (
        'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"')
    assert fails("{{.nope.deeper}}", missing_key="error").endswith('map has no entry for key "nope"')
    assert run("{{.Labels.nope}}|{{index .Labels \"nope\"}}", missing_key="error") == "<no value>|"


def test_a_template_is_parsed_once_and_run_many_times():
    template = Template("{{.a}}-{{.s}}")
    assert [template.execute({"a": n, "s": str(n)}) for n in range(3)] == ["0-0", "1-1", "2-2"]

"""The dotenv reader, each expectation checked against docker compose v2.40.3 (`env_file:` and `.env`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compose.errors import ProjectError
from compose.load.dotenv import parse_dotenv, read_dotenv

ENV = {"FROM_ENV": "env-value", "SHADOW": "from-env"}


def env(text: str, lookup=ENV, **options) -> dict:
    return parse_dotenv(text, "app.env", lookup.get, **options)


def problem(text: str, **options) -> str:
    with pytest.raises(ProjectError) as caught:
        env(text, **options)
    return str(caught.value)


def test_plain_file_in_order():
    text = "# settings\n\nB=2\nA=1\n\n# end\n"
    assert list(env(text).items()) == [("B", "2"), ("A", "1")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A=1", {"A": "1"}),
        ("A=1\n", {"A": "1"}),
        ("export A=1", {"A": "1"}),
        ("export  A=1", {"A": "1"}),
        ("exportA=1", {"exportA": "1"}),
        ("export=3", {"export": "3"}),
        ("A=1\nexport\nB=2", {"A": "1", "B": "2"}),
        ("export", {}),
        ("  A  =  1  ", {"A": "1"}),
        ("A:1", {"A": "1"}),
        ("A: 1", {"A": "1"}),
        ("A::1", {"A": ":1"}),
        ("A=:1", {"A": ":1"}),
        ("A=a=b", {"A": "a=b"}),
        ("A=", {"A": ""}),
        ("A=\nB=2", {"A": "", "B": "2"}),
        ("A=1 2 3", {"A": "1 2 3"}),
        ("A.b=1\nA-B=2\nB[1]=3\nA=[x]", {"A.b": "1", "A-B": "2", "B[1]": "3", "A": "[x]"}),
        ("é=1", {"é": "1"}),
        ("1A=2", {"1A": "2"}),
        ("A\tB=1", {"A\tB": "1"}),
        ('A=1\r\nB="x"\r\n', {"A": "1", "B": "x"}),
        ("\ufeffA=1", {"A": "1"}),
        ("A=1\nA=2", {"A": "2"}),
    ],
)
def test_statements(text, expected):
    assert env(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A=x # comment", "x"),
        ("A = spaced value   # comment", "spaced value"),
        ("A=x#y", "x#y"),
        ("A=y\t#c", "y\t#c"),
        ('A="q # not"', "q # not"),
        ("A='q # not'", "q # not"),
        ('A = "x" # c', "x"),
        ("A=a\\nb", "a\\nb"),
        ('A=\\"x\\"', '\\"x\\"'),
    ],
)
def test_comments_and_unquoted_values(text, expected):
    assert env(text) == {"A": expected}


@pytest.mark.parametrize(
    "text, expected",
    [
        ('A="dq \\n \\t \\\\ \\" end"', 'dq \n \t \\ " end'),
        ('A="\\a\\b\\f\\r\\v"', "\a\b\f\r\v"),
        ('A="\\0123 \\0 \\01 \\0777"', "S \\ \\1 \\777"),
        ('A="\\01234"', "S4"),
        ('A="\\c \\q \\u00e9 \\\'"', "\\c \\q \\u00e9 \\'"),
        ('A="a\\\\\\"b"', 'a\\"b'),
        ('A="abc\\\\"\nB=2"', None),  # the escaped backslash does not hide the quote: see below
        ("A='single \\n $FROM_ENV'", "single \\n $FROM_ENV"),
        ("A='it\\'s'", "it's"),
        ("A='a\\\\'", "a\\\\"),
        ('A="multi\nline"', "multi\nline"),
        ("A='multi\nline'", "multi\nline"),
        ('A= "x" ', "x"),
    ],
)
def test_quotes_and_escapes(text, expected):
    if expected is None:
        assert env(text) == {"A": "abc\\", "B": '2"'}
    else:
        assert env(text) == {"A": expected}


def test_a_closing_quote_ends_the_value_not_the_line():
    assert env('A="x" B=2') == {"A": "x", "B": "2"}
    assert env('A="x"trailing\n') == {"A": "x"}  # `trailing` is a bare name, unset
    assert env('A="x"FROM_ENV\n') == {"A": "x", "FROM_ENV": "env-value"}


def test_bare_names_come_from_lookup_or_not_at_all():
    assert env("FROM_ENV\nMISSING\nA=1\nA\n") == {"FROM_ENV": "env-value", "A": "1"}
    assert env("export FROM_ENV") == {"FROM_ENV": "env-value"}
    assert env("FROM_ENV") == {"FROM_ENV": "env-value"}
    assert env("FROM_ENV\r\n") == {"FROM_ENV": "env-value"}


def test_bare_names_take_empty_values():
    assert env("EMPTY", {"EMPTY": ""}) == {"EMPTY": ""}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A=$FROM_ENV", "env-value"),
        ("A=${FROM_ENV}-${Z:-def}", "env-value-def"),
        ('A="dq $FROM_ENV"', "dq env-value"),
        ("A=$$X", "$X"),
        ('A="$$X \\$Y"', "$X $Y"),
        ("A='$X'", "$X"),
        ("A=${UNSET_Y:-d}", "d"),
    ],
)
def test_interpolation(text, expected):
    assert env(text) == {"A": expected}


def test_interpolation_sees_lookup_before_earlier_lines():
    text = "SHADOW=file\nOWN=own\nA=$SHADOW\nB=${OWN}\nC=$LATER\nLATER=x\n"
    warnings: list[str] = []
    out = parse_dotenv(text, "app.env", ENV.get, warn=warnings.append)
    assert out == {"SHADOW": "file", "OWN": "own", "A": "from-env", "B": "own", "C": "", "LATER": "x"}
    assert warnings == ['The "LATER" variable is not set. Defaulting to a blank string.']


def test_unset_variables_warn_once():
    warnings: list[str] = []
    out = parse_dotenv("A=$NOPE\nB=${NOPE}\nC=x\\$NOPE", "app.env", {}.get, warn=warnings.append)
    assert out == {"A": "", "B": "", "C": "x\\"}
    assert warnings == ['The "NOPE" variable is not set. Defaulting to a blank string.']


@pytest.mark.parametrize(
    "text, message",
    [
        ("A B=1", 'app.env:1: variable name "A B" contains a space'),
        ("=1", "app.env:1: a variable name is missing before '='"),
        ("X=1\nA/B=1", 'app.env:2: unexpected character "/" in variable name'),
        ("A='it''s'", 'app.env:1: unexpected character "\'" in variable name'),
        ('A="unterminated', 'app.env:1: the value of A opens a quote (") that is never closed'),
        ("X=1\n\nA='unterm\nY=2\n", "app.env:3: the value of A opens a quote (') that is never closed"),
        ('A="x\\"', 'app.env:1: the value of A opens a quote (") that is never closed'),
        ("A='x\\'\nB='y'", 'app.env:2: unexpected character "\'" in variable name'),
        ("A=${", 'app.env:1: invalid interpolation format "${": write a literal $ as $$'),
        ("X=1\nA=${B:x}", 'app.env:2: invalid interpolation format "${B:x}": write a literal $ as $$'),
        ("A=${B:?need b}", "app.env:1: required variable B is missing a value: need b"),
        ('A="\n\n${B?}"', "app.env:1: required variable B is missing a value"),
    ],
)
def test_errors_name_file_and_line(text, message):
    assert problem(text) == message


def test_errors_do_not_echo_quoted_values():
    assert "s3cret" not in problem('TOKEN="s3cret')


# --- raw format ---------------------------------------------------------------------


def test_raw_values_are_literal():
    text = "A=1\n# comment\n\nB=\"quoted $X\"\nC=spaced # not comment \nF=a=b\n  G=x\nH='s'\nI=$$\nJ= lead\n"
    assert env(text, raw=True) == {
        "A": "1",
        "B": '"quoted $X"',
        "C": "spaced # not comment ",
        "F": "a=b",
        "G": "x",
        "H": "'s'",
        "I": "$$",
        "J": " lead",
    }


def test_raw_bare_names_and_line_ends():
    assert env("FROM_ENV\nMISSING\n", raw=True) == {"FROM_ENV": "env-value"}
    assert env("A=1\r\nB=2\r\n", raw=True) == {"A": "1", "B": "2"}
    assert env("\ufeffA=1", raw=True) == {"A": "1"}
    assert env(" #x\nA=1", raw=True) == {"A": "1"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("=1", "app.env:1: a variable name is missing before '='"),
        ("A=1\nexport E=1", "app.env:2: variable name 'export E' contains whitespace"),
        ("A\tB=1", "app.env:1: variable name 'A\\tB' contains whitespace"),
    ],
)
def test_raw_errors(text, message):
    assert problem(text, raw=True) == message


# --- files --------------------------------------------------------------------------


def test_read_dotenv(tmp_path: Path):
    path = tmp_path / ".env"
    path.write_bytes(b'\xef\xbb\xbfA=1\nB="two words"\nC=$A\n')
    assert read_dotenv(path, {}.get) == {"A": "1", "B": "two words", "C": "1"}


def test_read_dotenv_replaces_bad_utf8_but_raw_refuses_it(tmp_path: Path):
    path = tmp_path / "bad.env"
    path.write_bytes(b"OK=1\nA=\xff\n")
    assert read_dotenv(path, {}.get) == {"OK": "1", "A": "\ufffd"}
    with pytest.raises(ProjectError) as caught:
        read_dotenv(path, {}.get, raw=True)
    assert str(caught.value) == f"{path}:2: the line is not valid UTF-8"


def test_read_dotenv_names_a_missing_file(tmp_path: Path):
    path = tmp_path / "missing.env"
    with pytest.raises(ProjectError) as caught:
        read_dotenv(path, {}.get)
    assert str(path) in str(caught.value)
    assert "No such file" in str(caught.value)


def test_read_dotenv_errors_name_the_file(tmp_path: Path):
    path = tmp_path / "app.env"
    path.write_text("A=1\nB C=2\n")
    with pytest.raises(ProjectError) as caught:
        read_dotenv(path, {}.get)
    assert str(caught.value) == f'{path}:2: variable name "B C" contains a space'

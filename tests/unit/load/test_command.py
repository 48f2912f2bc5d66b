"""`command` and `entrypoint`: strings split into words as Compose splits them."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


@pytest.mark.parametrize(("given", "words"), [
    ('echo "hello world" \'x y\'', ["echo", "hello world", "x y"]),
    (r'echo a\ b "c\"d" ' + r"'e\f' #c", ["echo", "a b", 'c"d', "e\\f", "#c"]),
    ('sh -c "a && b" ; c|d', ["sh", "-c", "a && b"]),
    ("x $(y) `z` a>b", ["x", "$(y)", "`z`", "a"]),
    ("  spaced \t out\r\n", ["spaced", "out"]),
    ("x \"\" '' a\"\"", ["x", "", "", "a"]),
    (r'x "a\b"', ["x", "ab"]),
    ("", []),
    ("; x", []),
])
def test_string_is_split(given, words):
    assert canon({"command": given, "entrypoint": given}) == {"command": words, "entrypoint": words}


def test_list_kept_and_null_dropped():
    assert canon({"command": ["a b", "c"], "entrypoint": None}) == {"command": ["a b", "c"]}
    assert canon({"command": []}) == {"command": []}


@pytest.mark.parametrize("given", ['x "unterminated', "x (y)", "x ) y"])
def test_unsplittable(given):
    with pytest.raises(FileError, match="cannot split"):
        canon({"command": given})


@pytest.mark.parametrize(("given", "words"), [
    ("x $(y z) w", ["x", "$(y z)", "w"]), ("x a$(b)c", ["x", "a$(b)c"]), ("x $(a;b)", ["x", "$(a;b)"]),
])
def test_dollar_parentheses_are_one_piece(given, words):
    assert canon({"command": given})["command"] == words


@pytest.mark.parametrize("given", ["x $((1))", "x $ (y)", "x $(y", "x $a(b)", "x $(y) )"])
def test_stray_parentheses(given):
    with pytest.raises(FileError):
        canon({"command": given})

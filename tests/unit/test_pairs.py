import pytest

from pycompose.pairs import key_values


def test_a_key_alone_comes_from_the_environment_or_is_left_out():
    assert key_values(["A=1", "B", "C", "D=x=y"], {"B": "from env"}) == {"A": "1", "B": "from env", "D": "x=y"}


def test_without_an_environment_a_key_alone_is_empty():
    assert key_values(["tier", "a=b"]) == {"tier": "", "a": "b"}


def test_an_item_without_a_key_is_refused():
    with pytest.raises(ValueError, match="=1"):
        key_values(["=1"])

"""`healthcheck`: the test in list form, durations in Go form, empty parts dropped."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_string_test_runs_in_a_shell_and_durations_normalise():
    given = {"test": "curl -f http://x", "interval": "90s", "timeout": "1.5s", "start_period": "3600s",
             "start_interval": "500ms", "retries": 3}
    assert canon({"healthcheck": given})["healthcheck"] == {
        "test": ["CMD-SHELL", "curl -f http://x"], "interval": "1m30s", "timeout": "1.5s",
        "start_period": "1h0m0s", "start_interval": "500ms", "retries": 3}


def test_list_test_kept_and_zero_values_kept():
    given = {"test": ["CMD", "true"], "retries": 0, "timeout": "0s"}
    assert canon({"healthcheck": given})["healthcheck"] == {"test": ["CMD", "true"], "retries": 0, "timeout": "0s"}


def test_disable_is_printed_as_given():
    assert canon({"healthcheck": {"disable": True}})["healthcheck"] == {"disable": True}
    assert canon({"healthcheck": {"test": ["NONE"]}})["healthcheck"] == {"test": ["NONE"]}


def test_empty_parts_dropped():
    assert canon({"healthcheck": {"test": [], "disable": False}})["healthcheck"] == {}
    assert canon({"healthcheck": {"test": ""}})["healthcheck"] == {"test": ["CMD-SHELL", ""]}


def test_bad_duration():
    with pytest.raises(FileError, match='"1x" is not a valid duration'):
        canon({"healthcheck": {"interval": "1x"}})

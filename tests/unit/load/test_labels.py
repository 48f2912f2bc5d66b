"""`labels`, `label_file`, `annotations` and `sysctls`: mappings of strings, null printed as empty."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_list_and_mapping_forms():
    assert canon({"labels": ["a=1", "b"], "annotations": ["x=1"], "sysctls": ["net.core.somaxconn=1024"]}) == {
        "labels": {"a": "1", "b": ""}, "annotations": {"x": "1"}, "sysctls": {"net.core.somaxconn": "1024"}}
    given = {"x": 1.5, "y": 1000.0, "z": 16, "t": True, "n": None, "big": 1234567.0}
    assert canon({"labels": given})["labels"] == {
        "x": "1.5", "y": "1000", "z": "16", "t": "true", "n": "", "big": "1.234567e+06"}


def test_empty_dropped():
    assert canon({"labels": [], "annotations": {}, "sysctls": []}) == {}


def test_label_file_folded_in_with_labels_winning(tmp_path):
    (tmp_path / "l.env").write_text("A=file\nB=fb\n")
    assert canon({"label_file": "l.env", "labels": {"A": "x"}}, working_dir=tmp_path) == {
        "labels": {"A": "x", "B": "fb"}}


def test_missing_label_file(tmp_path):
    with pytest.raises(FileError, match="label file .* not found"):
        canon({"label_file": ["nope"]}, working_dir=tmp_path)

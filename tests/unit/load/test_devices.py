"""`ulimits`, `devices`, `gpus` and `blkio_config`."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_ulimits():
    given = {"nproc": 65535, "nofile": {"soft": "1", "hard": 2}, "core": 0}
    assert canon({"ulimits": given})["ulimits"] == {
        "nproc": 65535, "nofile": {"soft": 1, "hard": 2}, "core": {"soft": 0, "hard": 0}}
    assert canon({"ulimits": {}}) == {}


def test_devices_short_and_long():
    given = ["/dev/a:/dev/b:r", "/dev/c", "vendor.com/class=all", {"source": "/dev/i", "target": "/dev/i"}]
    assert canon({"devices": given})["devices"] == [
        {"source": "/dev/a", "target": "/dev/b", "permissions": "r"},
        {"source": "/dev/c", "target": "/dev/c", "permissions": "rwm"},
        {"source": "vendor.com/class=all", "target": "vendor.com/class=all", "permissions": "rwm"},
        {"source": "/dev/i", "target": "/dev/i"}]


def test_device_without_target():
    with pytest.raises(FileError, match="needs a target"):
        canon({"devices": [{"source": "/dev/f"}]})


def test_gpus():
    assert canon({"gpus": "all"}) == {"gpus": [{"count": -1}]}
    given = [{"capabilities": ["gpu"], "count": "all"}, {"device_ids": ["1"], "options": {"a": 1}},
             {"driver": "nvidia", "count": "2"}]
    assert canon({"gpus": given})["gpus"] == [
        {"capabilities": ["gpu"], "count": -1}, {"device_ids": ["1"], "options": {"a": "1"}},
        {"driver": "nvidia", "count": 2}]


def test_blkio_config():
    given = {"weight": 300, "weight_device": [{"path": "/dev/sda", "weight": 400}],
             "device_read_bps": [{"path": "/dev/sda", "rate": "12mb"}], "device_read_iops": [{"path": "/dev/sda"}]}
    assert canon({"blkio_config": given})["blkio_config"] == {
        "weight": 300, "weight_device": [{"path": "/dev/sda", "weight": 400}],
        "device_read_bps": [{"path": "/dev/sda", "rate": "12582912"}],
        "device_read_iops": [{"path": "/dev/sda", "rate": "0"}]}
    assert canon({"blkio_config": {"weight": 0}}) == {"blkio_config": {}}

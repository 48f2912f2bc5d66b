"""`extra_hosts`, `dns`, `dns_search`, `dns_opt` and `group_add`."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_extra_hosts_list_sorted_as_host_equals_ip():
    given = ["zz:1.1.1.1", "aa=2.2.2.2", "b:[::1]", "c=[::2]", "d:::3", "e=host-gateway"]
    assert canon({"extra_hosts": given})["extra_hosts"] == [
        "aa=2.2.2.2", "b=::1", "c=::2", "d=::3", "e=host-gateway", "zz=1.1.1.1"]


def test_extra_hosts_mapping_with_several_addresses():
    given = {"zz": "1.1.1.1", "aa": ["2.2.2.2", "1.1.1.1"], "b": "[::1]"}
    assert canon({"extra_hosts": given})["extra_hosts"] == ["aa=1.1.1.1", "aa=2.2.2.2", "b=::1", "zz=1.1.1.1"]


def test_extra_host_without_ip():
    with pytest.raises(FileError, match="no IP address"):
        canon({"extra_hosts": ["nohost"]})


def test_string_lists():
    assert canon({"dns": "8.8.8.8", "dns_search": "", "dns_opt": ["use-vc"], "group_add": ["mail", 42]}) == {
        "dns": ["8.8.8.8"], "dns_search": [""], "dns_opt": ["use-vc"], "group_add": ["mail", "42"]}
    assert canon({"dns": [], "extra_hosts": []}) == {}

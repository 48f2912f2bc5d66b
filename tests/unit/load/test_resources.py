"""Memory sizes, CPUs and integer limits: bytes as strings, CPUs as numbers, zero left out."""


import pytest

from compose.errors import FileError
from tests.unit.load.canon import canon


def test_sizes_print_as_byte_strings():
    given = {"mem_limit": "1g", "mem_reservation": "512m", "memswap_limit": -1, "shm_size": "1.5g",
             "mem_swappiness": 60}
    assert canon(given) == {"mem_limit": "1073741824", "mem_reservation": "536870912", "memswap_limit": "-1",
                            "shm_size": "1610612736", "mem_swappiness": "60"}


def test_zero_and_float_sizes_dropped():
    assert canon({"mem_limit": 0, "shm_size": "0", "mem_reservation": 1.5}) == {}


def test_bad_size():
    with pytest.raises(FileError, match='"1x" is not a valid size'):
        canon({"mem_limit": "1x"})


def test_cpus_and_integers():
    given = {"cpus": "0.5", "cpu_shares": 1.5, "cpu_count": "2", "cpu_quota": "50000", "pids_limit": -1,
             "oom_score_adj": -500, "scale": 0}
    assert canon(given) == {"cpus": 0.5, "cpu_shares": 1, "cpu_count": 2, "cpu_quota": 50000, "pids_limit": -1,
                            "oom_score_adj": -500, "scale": 0}
    assert canon({"cpus": 2}) == {"cpus": 2}
    assert canon({"cpus": 0, "pids_limit": "0", "oom_score_adj": 0}) == {}


def test_false_zero_and_empty_attributes_dropped():
    given = {"privileged": False, "tty": False, "read_only": False, "hostname": "", "restart": "", "cap_add": [],
             "security_opt": [], "profiles": [], "storage_opt": {}, "init": False, "attach": False}
    assert canon(given) == {"init": False, "attach": False}


def test_stop_grace_period_printed_even_when_zero():
    assert canon({"stop_grace_period": "90s"}) == {"stop_grace_period": "1m30s"}
    assert canon({"stop_grace_period": "0s"}) == {"stop_grace_period": "0s"}


def test_pull_policy_synonym():
    assert canon({"pull_policy": "if_not_present"}) == {"pull_policy": "missing"}
    assert canon({"pull_policy": "every_12h"}) == {"pull_policy": "every_12h"}

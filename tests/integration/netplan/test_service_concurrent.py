"""Several pycompose processes attaching to one network at once: every container gets an address of its own,
the records and the IPAM state agree, and every container reaches every other (no veth or address lost).

Three processes each attach five namespaces of the lab to `front` in the lab's host namespace, started
together; the namespaces are made by the test beforehand and removed by the lab fixture.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from netplan.ipam import SubnetRequest
from netplan.service import NetworkOptions, NetworkService
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped network suite looks green
    pytest.fail("tests/integration/netplan/test_service_concurrent.py needs root", pytrace=False)

lab = links_lab.lab
REPO = Path(__file__).resolve().parents[3]
ATTACH = """
import sys
from pathlib import Path
from netplan.service import NetworkService
state, run_root, host, *boxes = sys.argv[1:]
service = NetworkService(Path(state), Path(run_root), host_netns=Path(host))
for box in boxes:
    service.attach("front", Path(box).name, Path(box))
"""


def test_concurrent_attaches_never_share_an_address(lab, tmp_path):
    host = lab.netns("host")
    state = tmp_path / "state"
    service = NetworkService(state, lab.root, host_netns=host)
    service.create_network("front", NetworkOptions(subnets=(SubnetRequest("10.81.0.0/24"),)))
    groups = [[lab.netns(f"p{p}b{b}") for b in range(5)] for p in range(3)]
    try:
        workers = [subprocess.Popen([sys.executable, "-c", ATTACH, str(state), str(lab.root), str(host),
                                     *map(str, boxes)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                    stderr=subprocess.PIPE, text=True) for boxes in groups]
        for worker in workers:
            _, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
        endpoints = service.inspect("front").endpoints
        addresses = [str(e.addresses[0].ip) for e in endpoints]
        assert len(endpoints) == 15 and len(set(addresses)) == 15, addresses
        allocated = {str(a.address) for a in service.ipam.load().networks["front"].allocations}
        assert allocated == set(addresses)
        boxes = {e.container: Path(e.netns) for e in endpoints}
        for e in endpoints:
            lab.serve(boxes[e.container], str(e.addresses[0].ip), e.container, port=80)
        first = boxes[endpoints[0].container]
        for e in endpoints[1:]:
            assert lab.reach(first, str(e.addresses[0].ip), 80) == e.container
    finally:
        for endpoint in service.inspect("front").endpoints:
            service.detach("front", endpoint.container)
        service.remove_network("front")

"""The step runner and the error edge: order, unwinding, and messages reading *operation `object`: reason*."""

import errno

import pytest
from pyroute2.netlink.exceptions import NetlinkError

from netplan.errors import NetplanError
from netplan.links import LinkConflict, LinkFailed, LinkInvalid, LinkNotFound
from netplan.links.errors import failing, translate
from netplan.links.steps import Step, run_steps
from pycompose.errors import Conflict, NotFound, Unavailable


class Work:
    def __init__(self):
        self.log = []

    def target(self):
        return "pc1a2b"


def _step(does, fail=None):
    def run(work):
        work.log.append(does)
        if fail is not None:
            raise fail
    return Step(does, Work.target, run)


def test_steps_run_in_order_and_undo_is_not_called_on_success():
    work = Work()
    run_steps([_step("create bridge"), _step("bring up bridge")], work, undo=lambda w: w.log.append("undo"))
    assert work.log == ["create bridge", "bring up bridge"]


def test_a_failing_step_stops_the_rest_unwinds_and_reads_operation_object_reason():
    work = Work()
    steps = [_step("create bridge"), _step("set the MTU of bridge", NetlinkError(errno.EINVAL)), _step("never")]
    with pytest.raises(LinkInvalid) as caught:
        run_steps(steps, work, undo=lambda w: w.log.append("undo"))
    assert work.log == ["create bridge", "set the MTU of bridge", "undo"]
    assert str(caught.value) == "set the MTU of bridge `pc1a2b`: the kernel refused the value (invalid argument)"
    assert isinstance(caught.value, NetplanError)


def test_a_failing_undo_does_not_hide_the_first_error():
    def undo(work):
        raise NetlinkError(errno.EBUSY)
    with pytest.raises(LinkConflict, match="create bridge `pc1a2b`: it exists already"):
        run_steps([_step("create bridge", NetlinkError(errno.EEXIST))], Work(), undo)


@pytest.mark.parametrize(("code", "kind"), [(errno.EEXIST, Conflict), (errno.ENODEV, NotFound),
                                            (errno.EPERM, Unavailable), (errno.ENOBUFS, Unavailable)])
def test_errno_maps_to_a_kind(code, kind):
    error = translate(code, "add route `x`")
    assert isinstance(error, kind) and isinstance(error, NetplanError)
    assert str(error).startswith("add route `x`: ")


def test_the_edge_translates_oserror_and_lets_netplan_errors_through():
    denied = r"^write sysctl `ip_forward`: operation not permitted"
    with pytest.raises(LinkFailed, match=denied), failing("write sysctl", "ip_forward"):
        raise PermissionError(errno.EPERM, "Operation not permitted")
    with pytest.raises(LinkNotFound, match="^as raised$"), failing("write sysctl", "ip_forward"):
        raise LinkNotFound("as raised")


def test_a_kernel_without_the_steps_module_is_named():
    from netplan.errors import ModuleMissing
    from netplan.links.bridge import BRIDGE_STEPS
    from netplan.links.endpoint import ATTACH_STEPS

    work = Work()
    step = Step("create bridge", Work.target, _step("x", NetlinkError(errno.EOPNOTSUPP)).run, "bridge")
    with pytest.raises(ModuleMissing, match=r"^create bridge `pc1a2b`: this kernel has no bridge support \(the "
                                            r"`bridge` module is not loaded\)$") as caught:
        run_steps([step], work, undo=lambda w: None)
    assert isinstance(caught.value, Unavailable) and caught.value.hint == "load it (modprobe bridge) on the host"
    assert {s.module for s in BRIDGE_STEPS} == {"", "bridge"} and {s.module for s in ATTACH_STEPS} == {"", "veth"}
    assert isinstance(translate(errno.EOPNOTSUPP, "bring up `eth0`"), LinkFailed)   # no module named: as before

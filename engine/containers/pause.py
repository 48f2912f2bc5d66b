"""`pause` and `unpause`: every process of a container frozen, or thawed, by the cgroup freezer.

    pause.pause(store, record)      # running -> paused, once all of its processes are frozen
    pause.unpause(store, record)    # paused -> running

The state table says which container may be (un)paused (`engine.state.lifecycle`);
the record changes only after the freezer did, and a pause whose record cannot
follow (the container exited meanwhile) is thawed again. Signals sent to a paused
container wait for the thaw, so stop, kill and rm unpause it first, as Docker does.
"""

from __future__ import annotations

from engine.state import ContainerRecord, Store, observe
from engine.state.lifecycle import next_state


def _cgroup(record: ContainerRecord):  # type: ignore[no-untyped-def]
    from engine.cgroups.manager import Cgroup

    return Cgroup(record.config.launch["cgroup"])


def pause(store: Store, record: ContainerRecord) -> ContainerRecord:
    next_state("pause", record.name, record.state)
    cgroup = _cgroup(record)
    cgroup.freeze()
    try:
        return store.update(record.id, lambda r: r.replace(state=next_state("pause", r.name, observe(r).state)))
    except BaseException:
        cgroup.thaw()
        raise


def unpause(store: Store, record: ContainerRecord) -> ContainerRecord:
    next_state("unpause", record.name, record.state)
    _cgroup(record).thaw()
    return store.update(record.id, lambda r: r.replace(state=next_state("unpause", r.name, observe(r).state)))

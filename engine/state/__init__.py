"""engine.state: container records on disk, their lifecycle table, and the truth about their processes.

    store = Store(state_root)
    record = store.create(ContainerRecord(id=new_id(), name="web-1", config=ContainerConfig(...)))
    observe(store.get("web-1")).state   # "exited" if the record says running but the process is gone
"""

from engine.state.lifecycle import IllegalTransition, next_state
from engine.state.liveness import observe
from engine.state.record import ContainerConfig, ContainerRecord, Health, Healthcheck, LogConfig, ProbeResult
from engine.state.store import NameInUse, NoSuchContainer, Store, new_id

__all__ = [
    "ContainerConfig", "ContainerRecord", "Health", "Healthcheck", "IllegalTransition", "LogConfig",
    "NameInUse", "NoSuchContainer", "ProbeResult", "Store", "new_id", "next_state", "observe",
]

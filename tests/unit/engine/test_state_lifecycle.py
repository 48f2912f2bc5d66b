"""The lifecycle table: allowed transitions lead where the table says, illegal ones are Conflicts that read well."""

import pytest

from engine.state.lifecycle import STATES, TRANSITIONS, IllegalTransition, next_state
from pycompose.errors import Conflict


def test_every_transition_names_known_states():
    for allowed, target in TRANSITIONS.values():
        assert allowed <= set(STATES)
        assert target is None or target in STATES


@pytest.mark.parametrize(("action", "state", "expected"), [
    ("start", "created", "running"), ("start", "exited", "running"), ("exit", "running", "exited"),
    ("schedule_restart", "running", "restarting"), ("restart", "restarting", "running"),
    ("stop", "exited", "exited"), ("stop", "running", "running"), ("lost", "restarting", "exited"),
    ("remove", "exited", "removing"), ("pause", "running", "paused"), ("unpause", "paused", "running"),
])
def test_allowed(action, state, expected):
    assert next_state(action, "web-1", state) == expected


def test_starting_a_running_container_is_a_conflict_that_names_it():
    with pytest.raises(Conflict) as caught:
        next_state("start", "web-1", "running")
    assert caught.value.message == "cannot start container `web-1`: it is running"
    assert isinstance(caught.value, IllegalTransition)
    assert caught.value.exit_code == Conflict.exit_code


@pytest.mark.parametrize(("action", "state"), [("remove", "running"), ("kill", "exited"), ("restart", "running")])
def test_refused(action, state):
    with pytest.raises(IllegalTransition, match=f"it is {state}"):
        next_state(action, "db", state)

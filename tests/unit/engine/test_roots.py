from pathlib import Path

from engine.roots import DEFAULT_RUN_ROOT, DEFAULT_STATE_ROOT, roots


def test_defaults_and_overrides():
    assert roots({}) == roots({"PYCOMPOSE_ROOT": ""})
    assert roots({}).state == DEFAULT_STATE_ROOT and roots({}).run == DEFAULT_RUN_ROOT
    moved = roots({"PYCOMPOSE_ROOT": "/tmp/pycompose-x", "PYCOMPOSE_RUN_ROOT": "/tmp/pycompose-r"})
    assert moved.images == Path("/tmp/pycompose-x/images") and moved.run == Path("/tmp/pycompose-r")

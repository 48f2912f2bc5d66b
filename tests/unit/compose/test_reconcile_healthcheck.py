"""A service's healthcheck as the engine gets it: Docker's defaults, `disable`, and the image's kept when unset."""

from compose.model.parts import Healthcheck
from compose.reconcile.runs import healthcheck
from engine.state.record import Healthcheck as EngineHealthcheck


class _Service:
    def __init__(self, check: Healthcheck | None):
        self.healthcheck = check


def test_unset_keeps_the_images_healthcheck():
    assert healthcheck(_Service(None)) is None  # type: ignore[arg-type]


def test_given_values_and_docker_defaults_for_the_rest():
    got = healthcheck(_Service(Healthcheck(test=("CMD-SHELL", "true"), interval=1.0, start_interval=0.1)))  # type: ignore[arg-type]
    assert got == EngineHealthcheck(test=("CMD-SHELL", "true"), interval=1.0, timeout=30.0, retries=3,
                                    start_period=0.0, start_interval=0.1)


def test_disable_and_none_turn_it_off():
    off = EngineHealthcheck(test=("NONE",))
    assert healthcheck(_Service(Healthcheck(disable=True))) == off  # type: ignore[arg-type]
    assert healthcheck(_Service(Healthcheck(test=("NONE",)))) == off  # type: ignore[arg-type]

"""compose.reconcile.parallel.each: every item runs, failures are kept by name."""

from compose.reconcile.parallel import each


def test_every_item_runs_and_failures_are_named():
    ran: list[int] = []

    def work(n: int) -> None:
        ran.append(n)
        if n % 2:
            raise RuntimeError(f"odd {n}")

    failures = each([1, 2, 3, 4], work, key=lambda n: f"item {n}")
    assert sorted(ran) == [1, 2, 3, 4]
    assert {k: str(v) for k, v in failures.items()} == {"item 1": "odd 1", "item 3": "odd 3"}
    assert each([], work, key=str) == {} and each([2], work, key=str) == {}

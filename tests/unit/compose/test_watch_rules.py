"""compose.reconcile.watch: the develop.watch rules, what they see of the files, and what a change asks."""

from __future__ import annotations

from pathlib import Path

from compose.reconcile import watch as W


def project(root: Path) -> dict:
    return {"services": {
        "web": {"develop": {"watch": [
            {"path": str(root / "src"), "action": "sync", "target": "/app", "ignore": ["*.tmp", "cache/"]},
            {"path": str(root / "conf.txt"), "action": "sync+restart", "target": "/etc/conf.txt"},
            {"path": str(root / "py"), "action": "sync+exec", "target": "/py", "include": ["*.py"],
             "exec": {"command": ["kill", "-HUP", "1"], "user": "root", "environment": {"A": "1"}}},
        ]}},
        "api": {"develop": {"watch": [{"path": str(root / "Dockerfile"), "action": "rebuild"},
                                      {"path": str(root / "src"), "action": "sync", "target": "/srv"}]}},
        "db": {},
    }}


def test_rules_come_from_the_services_asked_for(tmp_path: Path) -> None:
    rules = W.rules_of(project(tmp_path), ["web", "db"])
    assert [(r.service, r.action) for r in rules] == [("web", "sync"), ("web", "sync+restart"), ("web", "sync+exec")]
    hook = rules[2]
    assert (hook.exec_command, hook.exec_user, hook.exec_env) == (("kill", "-HUP", "1"), "root", ("A=1",))


def test_what_a_rule_sees(tmp_path: Path) -> None:
    sync, conf, py = W.rules_of(project(tmp_path), ["web"])
    src = str(tmp_path / "src")
    assert sync.relative(f"{src}/a/b.txt") == "a/b.txt" and sync.destination("a/b.txt") == "/app/a/b.txt"
    assert sync.relative(f"{src}/x.tmp") is None and sync.relative(f"{src}/cache/c") is None
    assert sync.relative(f"{src}/.git/HEAD") is None and sync.relative(f"{src}/main.c~") is None  # always ignored
    assert sync.relative(f"{src}x/a") is None  # a sibling that only starts alike
    assert conf.relative(str(tmp_path / "conf.txt")) == "" and conf.destination("") == "/etc/conf.txt"
    assert py.relative(str(tmp_path / "py" / "m.py")) == "m.py" and py.relative(str(tmp_path / "py" / "m.txt")) is None


def test_scans_differ_by_what_was_made_changed_or_removed(tmp_path: Path) -> None:
    (tmp_path / "src" / "cache").mkdir(parents=True)
    (tmp_path / "src" / "keep.txt").write_text("1")
    (tmp_path / "src" / "gone.txt").write_text("1")
    (tmp_path / "src" / "cache" / "big").write_text("ignored")
    rules = W.rules_of(project(tmp_path), ["web"])
    before = W.scan(rules)
    assert str(tmp_path / "src" / "cache" / "big") not in before  # an ignored directory is not even walked
    (tmp_path / "src" / "keep.txt").write_text("22")
    (tmp_path / "src" / "gone.txt").unlink()
    (tmp_path / "src" / "new").mkdir()
    (tmp_path / "src" / "new" / "n.txt").write_text("n")
    changed = W.differences(before, W.scan(rules))
    assert changed == {str(tmp_path / "src" / p) for p in ("keep.txt", "gone.txt", "new/n.txt")}
    settled = W.scan(rules)
    (tmp_path / "src" / "cache" / "more").write_text("ignored")
    (tmp_path / "src" / "x.tmp").write_text("ignored")
    assert W.differences(settled, W.scan(rules)) == set()  # ignored files come and go unseen


def test_the_plan_per_service(tmp_path: Path) -> None:
    rules = W.rules_of(project(tmp_path), ["web", "api"])
    src = tmp_path / "src"
    existing = {str(src / "a.txt"), str(tmp_path / "conf.txt"), str(tmp_path / "py" / "m.py")}
    work = W.plan(rules, [str(src / "a.txt"), str(src / "old.txt")], exists=existing.__contains__)
    assert work["web"].copies == {str(src / "a.txt"): "/app/a.txt"} and work["web"].removals == {"/app/old.txt"}
    assert not work["web"].restart and not work["web"].rebuild and work["web"].changes == 2
    assert work["api"].copies == {str(src / "a.txt"): "/srv/a.txt"}
    restart = W.plan(rules, [str(tmp_path / "conf.txt")], exists=existing.__contains__)
    assert set(restart) == {"web"} and restart["web"].restart
    assert restart["web"].copies == {str(tmp_path / "conf.txt"): "/etc/conf.txt"}
    hook = W.plan(rules, [str(tmp_path / "py" / "m.py")], exists=existing.__contains__)["web"]
    assert [r.exec_command for r in hook.commands] == [("kill", "-HUP", "1")]
    assert W.plan(rules, [str(tmp_path / "Dockerfile")])["api"].rebuild

""".dockerignore matching, from the examples in Docker's documentation; the ignore file lookup; the walk."""

import os

import pytest

from engine.build.errors import IgnoreFileError
from engine.build.ignore import Matcher, find_ignore_file, read_patterns, walk


def excluded(patterns: str, path: str) -> bool:
    return Matcher(read_patterns(patterns)).excluded(path)


DOCS = "# comment\n*/temp*\n*/*/temp*\ntemp?\n"


@pytest.mark.parametrize(("path", "out"), [
    ("somedir/temporary.txt", True), ("somedir/temp", True), ("somedir/temp/inside", True),
    ("somedir/subdir/temporary.txt", True), ("tempa", True), ("tempb", True),
    ("temp", False), ("tempab", False), ("temporary.txt", False), ("a/b/c/temp", False), ("# comment", False),
])
def test_documented_example(path, out):
    assert excluded(DOCS, path) is out


@pytest.mark.parametrize(("patterns", "path", "out"), [
    ("**/*.go", "main.go", True), ("**/*.go", "a/b/c.go", True), ("**/*.go", "a/b/c.gox", False),
    ("/foo/bar", "foo/bar", True), ("foo/bar", "foo/bar/baz", True), ("foo/bar", "bar", False),
    ("foo/bar", "x/foo/bar", False),
    ("*.md\n!README.md", "README.md", False), ("*.md\n!README.md", "CHANGES.md", True),
    ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),
    ("*.md\n!README*.md\nREADME-secret.md", "README-public.md", False),
    ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),
    ("*\n!src", "src/main.c", False), ("*\n!src", "docs", True),
    ("./a//b/", "a/b", True), ("  spaced  ", "spaced", True), ("node_modules", "node_modules/x/y", True),
    ("a/**", "a/b/c", True), ("a/**/z", "a/z", True), ("a/**/z", "a/b/c/z", True), ("a/**/z", "ab/z", False),
    ("file[0-9].txt", "file7.txt", True), ("file[^0-9].txt", "file7.txt", False),
    ("file[!0-9].txt", "filex.txt", True), ("a?c", "a/c", False), ("*", "a/b", True),
    ("\\*star", "*star", True), ("\\*star", "xstar", False), ("# not-a-rule\n\n", "# not-a-rule", False),
    ("x\n!x\nx", "x", True),
])
def test_pattern_rules(patterns, path, out):
    assert excluded(patterns, path) is out


def test_bad_pattern_names_the_line():
    with pytest.raises(IgnoreFileError, match=r"^\.dockerignore:2: bad pattern 'a\[b': unclosed \[$"):
        read_patterns("ok\na[b\n")


def test_ignore_file_for_a_dockerfile(tmp_path):
    (tmp_path / "build").mkdir()
    assert find_ignore_file(str(tmp_path), "Dockerfile") is None
    (tmp_path / ".containerignore").write_text("")
    assert find_ignore_file(str(tmp_path), "Dockerfile") == str(tmp_path / ".containerignore")
    (tmp_path / ".dockerignore").write_text("")
    assert find_ignore_file(str(tmp_path), "Dockerfile") == str(tmp_path / ".dockerignore")
    (tmp_path / "build" / "Containerfile.dockerignore").write_text("")
    assert find_ignore_file(str(tmp_path), "build/Containerfile") == str(tmp_path / "build/Containerfile.dockerignore")
    assert find_ignore_file(str(tmp_path), "build/Dockerfile") == str(tmp_path / ".dockerignore")
    absolute = str(tmp_path / "build" / "Containerfile")
    assert find_ignore_file(str(tmp_path), absolute) == absolute + ".dockerignore"


def _tree(root, paths):
    for path in paths:
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith("/"):
            full.mkdir(exist_ok=True)
        else:
            full.write_text("x")


def test_walk_lists_what_is_sent(tmp_path):
    _tree(tmp_path, ["Dockerfile", "src/main.go", "src/main_test.go", "node_modules/a/index.js", "empty/",
                     "docs/README.md", "docs/guide.md", ".git/HEAD"])
    os.symlink("src", tmp_path / "link")
    patterns = read_patterns("node_modules\n.git\n**/*_test.go\ndocs\n!docs/README.md\n")
    assert walk(str(tmp_path), patterns) == ["Dockerfile", "docs/README.md", "empty", "link", "src", "src/main.go"]
    assert len(walk(str(tmp_path), ())) == 14


def test_walk_prunes_excluded_directories_no_exception_can_reach(tmp_path, monkeypatch):
    _tree(tmp_path, ["keep", "node_modules/a/b", "vendor/x/keep.txt", "vendor/y/z"])
    entered = []
    real = os.scandir

    def spy(path):
        entered.append(os.path.relpath(path, tmp_path))
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    assert walk(str(tmp_path), read_patterns("node_modules\nvendor\n!vendor/x/keep.txt\n")) == [
        "keep", "vendor/x/keep.txt"]
    assert "node_modules" not in entered and "vendor/y" not in entered and "vendor/x" in entered
    entered.clear()
    walk(str(tmp_path), read_patterns("node_modules\n!**/keep.txt\n"))
    assert "node_modules/a" in entered  # a `**` exception could match anywhere: no pruning

"""compose.cli.output: progress lines in each --progress style, colour by --ansi."""

from __future__ import annotations

import io

import pytest

from compose.cli import output


@pytest.fixture(autouse=True)
def _restore():  # type: ignore[no-untyped-def]
    yield
    output.configure()


def test_progress_styles(capsys: pytest.CaptureFixture[str]) -> None:
    line = " ✔ Container demo-web-1    Started"
    for mode, expected in (("auto", line), ("tty", line), ("plain", " Container demo-web-1  Started"),
                           ("json", '{"id":"Container demo-web-1","status":"Started"}')):
        output.configure(progress=mode)
        output.progress(line)
        assert capsys.readouterr().err == expected + "\n", mode
    output.configure(progress="json")
    output.progress(" ✘ Container demo-web-1  Error")
    assert capsys.readouterr().err == '{"id":"Container demo-web-1","status":"Error"}\n'
    output.configure(progress="quiet")
    output.progress(line)
    assert capsys.readouterr().err == ""


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_follows_ansi_and_the_terminal() -> None:
    assert output.colour(_Tty()) and not output.colour(io.StringIO())
    assert not output.colour(_Tty(), no_color=True)
    output.configure(ansi="always")
    assert output.colour(io.StringIO()) and not output.colour(io.StringIO(), no_color=True)
    output.configure(ansi="never")
    assert not output.colour(_Tty())

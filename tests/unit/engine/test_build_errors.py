"""Every Dockerfile error names the file and the line, and reads like advice."""

import pytest

from engine.build.dockerfile import parse
from engine.build.errors import DockerfileError
from engine.errors import EngineError
from pycompose.errors import InvalidArgument


@pytest.mark.parametrize(("text", "message"), [
    ("FROM a\n\nRUNN make\n", "Dockerfile:3: unknown instruction: RUNN (did you mean RUN?)"),
    ("FROM a\ncopy a b\nENTRYPONT x\n", "Dockerfile:3: unknown instruction: ENTRYPONT (did you mean ENTRYPOINT?)"),
    ("FROM a\nFOO bar\n", "Dockerfile:2: unknown instruction: FOO"),
    ("", "Dockerfile: the Dockerfile is empty: it needs at least a FROM"),
    ("# just a comment\n", "Dockerfile: the Dockerfile is empty: it needs at least a FROM"),
    ("ARG A\n", "Dockerfile: no FROM instruction: a Dockerfile needs at least one stage"),
    ("ARG A\nRUN x\nFROM a\n", "Dockerfile:2: RUN before the first FROM: only ARG may come before FROM"),
    ("FROM a AS x\nFROM b AS X\n", "Dockerfile:2: duplicate stage name 'x': already used on line 1"),
    ("FROM a AS 1x\n", "Dockerfile:1: invalid name for build stage: '1x', name can't start with a number or "
                       "contain symbols"),
    ("FROM a AS scratch\n", "Dockerfile:1: 'scratch' is a reserved name and cannot name a build stage"),
    ("FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments: FROM <image> [AS <name>]"),
    ("FROM --platfrom=x a\n", "Dockerfile:1: unknown flag for FROM: --platfrom (did you mean platform?)"),
    ("FROM a\nCOPY --from=a --from=b x y\n", "Dockerfile:2: duplicate flag specified: --from"),
    ("FROM a\nCOPY --chown x y\n", "Dockerfile:2: missing a value for flag: --chown"),
    ("FROM a\nCOPY --link=maybe x y\n", "Dockerfile:2: expecting boolean value for flag --link, not: maybe"),
    ("FROM a\nCOPY onlyone\n", "Dockerfile:2: COPY requires at least two arguments, but only 1 was provided. "
                               "Destination could not be determined"),
    ("FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument"),
    ("FROM a\nRUN --network=bridge x\n", "Dockerfile:2: unsupported network mode 'bridge': use default, none or "
                                         "host"),
    ("FROM a\nRUN --mount=type=cache x\n", "Dockerfile:2: mount 'type=cache': target is required"),
    ("FROM a\nRUN --mount=type=volume,target=/x x\n", "Dockerfile:2: unsupported mount type 'volume'"),
    ("FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument"),
    ("FROM a\nENV A\n", "Dockerfile:2: ENV A has no value: use ENV A=<value>"),
    ("FROM a\nENV A=1 B\n", "Dockerfile:2: can't find = in 'B': ENV takes name=value pairs"),
    ("FROM a\nLABEL =x\n", "Dockerfile:2: LABEL names can not be blank"),
    ("FROM a\nSHELL /bin/sh -c\n", 'Dockerfile:2: SHELL requires the arguments in JSON form: '
                                   'SHELL ["executable", "parameters"]'),
    ("FROM a\nHEALTHCHECK --interval=5 CMD x\n", "Dockerfile:2: --interval: '5' is not a duration (like 30s, "
                                                "1m30s, 500ms)"),
    ("FROM a\nHEALTHCHECK --retries=-1 CMD x\n", "Dockerfile:2: --retries must be a whole number, not '-1'"),
    ("FROM a\nHEALTHCHECK --interval=1s NONE\n", "Dockerfile:2: HEALTHCHECK NONE takes no arguments"),
    ("FROM a\nHEALTHCHECK RUN x\n", "Dockerfile:2: unknown type for HEALTHCHECK: RUN: use HEALTHCHECK [options] "
                                    "CMD <command> or HEALTHCHECK NONE"),
    ("FROM a\nONBUILD ONBUILD RUN x\n", "Dockerfile:2: ONBUILD isn't allowed as an ONBUILD trigger"),
    ("FROM a\nONBUILD FROM b\n", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger"),
    ("FROM a\nONBUILD RUNN x\n", "Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)"),
    ("FROM a\nVOLUME [\"\"]\n", "Dockerfile:2: VOLUME specified can not be an empty string"),
    ("FROM a\nSTOPSIGNAL A B\n", "Dockerfile:2: STOPSIGNAL requires exactly one argument"),
    ("FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument"),
    ("FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument"),
    ("FROM a\nRUN <<EOF\necho\n", "Dockerfile:2: unterminated heredoc <<EOF: no line EOF before the end"),
    ("# escape=x\nFROM a\n", "Dockerfile:1: invalid escape token 'x': use \\ or `"),
    ("# escape=`\n# escape=\\\nFROM a\n", "Dockerfile:2: only one escape parser directive can be used"),
])
def test_errors_name_file_and_line(text, message):
    with pytest.raises(DockerfileError) as caught:
        parse(text)
    assert caught.value.message == message
    assert isinstance(caught.value, EngineError) and isinstance(caught.value, InvalidArgument)


def test_error_names_the_given_path_and_keeps_its_parts():
    with pytest.raises(DockerfileError) as caught:
        parse("FROM a\nRUNN x\n", "docker/web.Dockerfile")
    err = caught.value
    assert str(err) == "docker/web.Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)"
    assert (err.file, err.line) == ("docker/web.Dockerfile", 2)
    assert err.exit_code == InvalidArgument.exit_code

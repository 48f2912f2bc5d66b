"""Real-world Dockerfiles parse to the expected instructions, each with its source lines."""

import pytest

from engine.build import instructions as i
from engine.build.dockerfile import parse

GO = """\
# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \\
    --mount=type=bind,source=go.sum,target=go.sum \\
    go mod download -x
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /bin/server .

FROM gcr.io/distroless/static AS final
COPY --from=build --chown=nonroot:nonroot /bin/server /bin/
USER nonroot
EXPOSE 8080/tcp
ENTRYPOINT ["/bin/server"]
"""


def test_go_multi_stage():
    df = parse(GO)
    assert df.syntax == "docker/dockerfile:1.7"
    assert df.meta_args == (i.Arg(line=2, end_line=2, args=(i.ArgDecl("GO_VERSION", "1.22"),)),)
    build, final = df.stages
    assert build.base == i.From(line=3, end_line=3, image="golang:${GO_VERSION}-alpine", name="build",
                                platform="$BUILDPLATFORM")
    workdir, download, targets, compile_ = build.instructions
    assert workdir == i.Workdir(line=4, end_line=4, path="/src")
    assert (download.line, download.end_line) == (5, 7)
    assert download.mounts == (i.Mount(type="cache", target="/go/pkg/mod"),
                               i.Mount(type="bind", source="go.sum", target="go.sum", readonly=True))
    assert download.command == i.Command.shell("go mod download -x")
    assert targets.args == (i.ArgDecl("TARGETOS"), i.ArgDecl("TARGETARCH"))
    assert compile_.command.args[0].startswith("CGO_ENABLED=0")
    assert final.index == 1 and final.name == "final"
    assert final.instructions == (
        i.Copy(line=13, end_line=13, sources=("/bin/server",), dest="/bin/", from_="build",
               chown="nonroot:nonroot"),
        i.User(line=14, end_line=14, user="nonroot"),
        i.Expose(line=15, end_line=15, ports=("8080/tcp",)),
        i.Entrypoint(line=16, end_line=16, command=i.Command(("/bin/server",), True)),
    )


NODE = """\
FROM node:20-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20-alpine
ENV NODE_ENV=production PORT=3000
LABEL org.opencontainers.image.title="my app" version=1.0
COPY --from=deps /app/node_modules ./node_modules
COPY . .
HEALTHCHECK --interval=30s --timeout=3s --start-period=1m30s --start-interval=500ms --retries=3 \\
  CMD wget -qO- http://localhost:3000/health || exit 1
STOPSIGNAL SIGTERM
CMD ["node", "server.js"]
"""


def test_node_two_stages():
    deps, app = parse(NODE).stages
    assert deps.instructions[1] == i.Copy(line=3, end_line=3, sources=("package.json", "package-lock.json"),
                                          dest="./")
    env, label, copy_deps, copy_all, health, stop, cmd = app.instructions
    assert env.pairs == (("NODE_ENV", "production"), ("PORT", "3000"))
    assert label.pairs == (("org.opencontainers.image.title", '"my app"'), ("version", "1.0"))
    assert copy_deps.from_ == "deps"
    assert copy_all.sources == (".",) and copy_all.dest == "."
    assert health == i.Healthcheck(line=11, end_line=12,
                                   test=i.Command.shell("wget -qO- http://localhost:3000/health || exit 1"),
                                   interval=30.0, timeout=3.0, start_period=90.0, start_interval=0.5, retries=3)
    assert stop.signal == "SIGTERM"
    assert cmd.command == i.Command(("node", "server.js"), True)


PYTHON = """\
FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE 1
ENV PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1

# the venv stage
FROM base AS venv
RUN python -m venv /venv
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked,id=pip \\
    /venv/bin/pip install -r requirements.txt

FROM base
COPY --from=venv /venv /venv
COPY --chmod=0755 --link <<EOF /usr/local/bin/start
#!/bin/sh
exec /venv/bin/gunicorn app:app --bind 0.0.0.0:$PORT
EOF
VOLUME ["/data", "/logs"]
VOLUME /cache /tmp/x
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN <<EOF
set -e
echo hello
EOF
MAINTAINER someone@example.com
ONBUILD COPY . /app
CMD start
"""


def test_python_with_heredocs_and_legacy_env():
    base, venv, final = parse(PYTHON).stages
    assert base.instructions[0].pairs == (("PYTHONDONTWRITEBYTECODE", "1"),)
    assert base.instructions[1].pairs == (("PIP_NO_CACHE_DIR", "1"), ("PIP_DISABLE_PIP_VERSION_CHECK", "1"))
    assert venv.base.image == "base" and venv.base.line == 7
    assert venv.instructions[2].mounts == (i.Mount(type="cache", target="/root/.cache/pip", sharing="locked",
                                                   id="pip"),)
    copy_venv, script, vol1, vol2, shell, run, maint, onbuild, cmd = final.instructions
    assert script == i.Copy(line=15, end_line=18, sources=("<<EOF",), dest="/usr/local/bin/start",
                            chmod="0755", link=True, heredocs=(i.Heredoc(
                                "EOF", "#!/bin/sh\nexec /venv/bin/gunicorn app:app --bind 0.0.0.0:$PORT\n"),))
    assert vol1.paths == ("/data", "/logs") and vol2.paths == ("/cache", "/tmp/x")
    assert shell.argv == ("/bin/bash", "-o", "pipefail", "-c")
    assert run.heredocs == (i.Heredoc("EOF", "set -e\necho hello\n"),) and (run.line, run.end_line) == (22, 25)
    assert run.command == i.Command.shell("<<EOF")
    assert maint == i.Maintainer(line=26, end_line=26, name="someone@example.com")
    assert onbuild.trigger == i.Copy(line=27, end_line=27, sources=(".",), dest="/app")
    assert onbuild.text == "COPY . /app"
    assert cmd.command == i.Command.shell("start")


WINDOWS = """\
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY testfile.txt c:\\
RUN dir c:\\ `
    && echo done
WORKDIR c:\\app
"""


def test_escape_backtick_directive():
    df = parse(WINDOWS)
    assert df.escape == "`"
    copy, run, workdir = df.stages[0].instructions
    assert copy.dest == "c:\\"
    assert run.command == i.Command.shell("dir c:\\     && echo done") and (run.line, run.end_line) == (4, 5)
    assert workdir.path == "c:\\app"


def test_directives_only_at_the_top():
    df = parse("FROM a\n# escape=`\nRUN x \\\n  y\n")
    assert df.escape == "\\" and df.stages[0].instructions[0].command.args == ("x   y",)
    df = parse("# comment\n# syntax=x\nFROM a\n")
    assert df.syntax is None
    assert parse("#syntax = docker/dockerfile:1\n# ESCAPE=`\nFROM a\n").escape == "`"


def test_comments_and_empty_lines_inside_continuations():
    df = parse("FROM a\nRUN apt-get update && \\\n# a comment\n\n    apt-get install -y curl\n")
    run = df.stages[0].instructions[0]
    assert run.command == i.Command.shell("apt-get update &&     apt-get install -y curl")
    assert (run.line, run.end_line) == (2, 5)
    assert df.warnings == ("Dockerfile:4: empty continuation line (deprecated; a future release may refuse it)",)


def test_multiple_heredocs_tabs_and_quoted_delimiters():
    text = "FROM a\nRUN <<-A cat - /dev/fd/3 3<<'B'\n\tone $X\n\tA\ntwo $Y\nB\nCMD x\n"
    run, cmd = parse(text).stages[0].instructions
    assert run.heredocs == (i.Heredoc("A", "one $X\n", expand=True, strip_tabs=True),
                            i.Heredoc("B", "two $Y\n", expand=False))
    assert (run.end_line, cmd.line) == (6, 7)


@pytest.mark.parametrize(("text", "command"), [
    ('CMD ["echo", "a b"]', i.Command(("echo", "a b"), True)),
    ("CMD [echo, oops]", i.Command.shell("[echo, oops]")),  # not JSON: shell form, as Docker does
    ("CMD ['single']", i.Command.shell("['single']")),
    ('CMD ["x", 1]', i.Command.shell('["x", 1]')),
    ("ENTRYPOINT []", i.Command((), True)),
])
def test_exec_and_shell_forms(text, command):
    assert parse("FROM a\n" + text).stages[0].instructions[0].command == command


@pytest.mark.parametrize(("text", "expected"), [
    ("FROM scratch", i.From(line=1, end_line=1, image="scratch")),
    ("from alpine as Base", i.From(line=1, end_line=1, image="alpine", name="base")),
    ("FROM --platform=linux/arm64 alpine", i.From(line=1, end_line=1, image="alpine", platform="linux/arm64")),
])
def test_from_forms(text, expected):
    assert parse(text).stages[0].base == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ARG A", (i.ArgDecl("A"),)),
    ("ARG A=1 B= C", (i.ArgDecl("A", "1"), i.ArgDecl("B", ""), i.ArgDecl("C"))),
    ('ARG A="x y"', (i.ArgDecl("A", '"x y"'),)),
])
def test_arg_forms(text, expected):
    assert parse(f"FROM a\n{text}").stages[0].instructions[0].args == expected


def test_env_label_forms_keep_quotes_for_substitution():
    env, legacy, label = parse('FROM a\nENV A="x y" B=z\\ w\nENV C  hello  world\nLABEL k v w\n').stages[0].instructions
    assert env.pairs == (("A", '"x y"'), ("B", "z\\ w"))
    assert legacy.pairs == (("C", "hello  world"),)
    assert label.pairs == (("k", "v w"),)


def test_run_flags():
    run = parse("FROM a\nRUN --network=none --security=insecure --mount=type=secret,id=npm "
                "--mount=type=bind,from=build,source=/out,target=/in,ro echo\n").stages[0].instructions[0]
    assert run.network == "none" and run.security == "insecure"
    assert run.mounts == (i.Mount(type="secret", id="npm"),
                          i.Mount(type="bind", from_="build", source="/out", target="/in", readonly=True))
    assert run.command == i.Command.shell("echo")


def test_a_bind_mount_is_read_only_unless_rw_and_a_cache_mount_writable_unless_ro():
    run = parse("FROM a\nRUN --mount=target=/a --mount=target=/b,rw --mount=type=bind,target=/c,readwrite=true "
                "--mount=type=cache,target=/d --mount=type=cache,target=/e,ro --mount=type=tmpfs,target=/f,size=1m "
                "true\n").stages[0].instructions[0]
    assert [m.readonly for m in run.mounts] == [True, False, False, False, True, False]
    assert run.mounts[5].options == (("size", "1m"),)


def test_add_flags_and_json_form():
    add, copy = parse('FROM a\nADD --checksum=sha256:abc --keep-git-dir=true --exclude=*.md --exclude=x '
                      'https://e.x/a.tgz /a\nCOPY ["a b", "/c d/"]\n').stages[0].instructions
    assert add == i.Add(line=2, end_line=2, sources=("https://e.x/a.tgz",), dest="/a", checksum="sha256:abc",
                        keep_git_dir=True, exclude=("*.md", "x"))
    assert copy.sources == ("a b",) and copy.dest == "/c d/"


def test_healthcheck_none_and_keywords_any_case():
    health, user = parse("FROM a\nhealthcheck NONE\n  user  1000:1000\n").stages[0].instructions
    assert health == i.Healthcheck(line=2, end_line=2, test=None)
    assert user.user == "1000:1000" and user.keyword == "USER"


def test_bom_crlf_and_trailing_escape_at_end_of_file():
    df = parse("\ufeffFROM a\r\nRUN x \\\r\n")
    assert df.stages[0].instructions[0].command == i.Command.shell("x")


def test_no_heredoc_inside_quotes_or_here_strings():
    text = "FROM a\nRUN echo \"<<EOF\" && cat <<< 'x'\nCMD y\n"
    run, cmd = parse(text).stages[0].instructions
    assert run.heredocs == () and cmd.line == 3

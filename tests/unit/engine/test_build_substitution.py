"""$VAR substitution as the Dockerfile reference describes it, and the ARG/ENV scoping rules."""

import re

import pytest

from engine.build import instructions as i
from engine.build.dockerfile import parse
from engine.build.errors import DockerfileError, SubstitutionError
from engine.build.scope import StageScope
from engine.build.substitution import expand_from, expand_text, meta_scope, process_word, process_words

ENV = {"A": "x y", "E": "", "H": "/home", "S": " a "}


@pytest.mark.parametrize(("word", "value"), [
    ("$H", "/home"), ("${H}", "/home"), ("${H}/bin", "/home/bin"), ("$H/bin", "/home/bin"),
    ("$NOPE", ""), ("a$", "a$"), ("$-x", "$-x"),
    ("${E:-d}", "d"), ("${E-d}", ""), ("${U:-d}", "d"), ("${U-d}", "d"), ("${H:-d}", "/home"),
    ("${H:+alt}", "alt"), ("${E:+alt}", ""), ("${E+alt}", "alt"), ("${U+alt}", ""),
    ("${U:-${H}/x}", "/home/x"), ("${U:-a b}", "a b"),
    ("\\$H", "$H"), ("\\\\$H", "\\/home"), ("'$H'", "$H"), ('"$H"', "/home"), ('"\\$H"', "$H"),
    ('"a\\b"', "a\\b"), ("a\\ b", "a b"), ('"x"\'y\'z', "xyz"),
])
def test_process_word(word, value):
    assert process_word(word, ENV) == value


def test_escape_character_can_be_a_backtick():
    assert process_word("`$H c:\\x", ENV, "`") == "$H c:\\x"


@pytest.mark.parametrize(("text", "words"), [
    ("$A", ["x", "y"]), ('"$A"', ["x y"]), ("z$A", ["zx", "y"]), ("q${S}r", ["q", "a", "r"]),
    ("$NOPE 80", ["80"]), ('"" 80', ["", "80"]), ("80/tcp  443", ["80/tcp", "443"]),
])
def test_process_words_splits_unquoted_expansions(text, words):
    assert process_words(text, ENV) == words


@pytest.mark.parametrize(("word", "message"), [
    ("${U:?must be set}", "U: must be set"), ("${E:?}", "E: is not allowed to be unset or empty"),
    ("${U?}", "U: is not allowed to be unset"), ("${H#x}", "unsupported modifier (#) in substitution ${H...}"),
    ("${H", "missing '}' in substitution ${H..."), ('"abc', "unexpected end of statement while looking for "
                                                          "matching double-quote"),
    ("${}", "bad substitution: ${...} needs a variable name"),
])
def test_bad_substitutions(word, message):
    with pytest.raises(SubstitutionError, match="^" + re.escape(message) + "$"):
        process_word(word, ENV)


def test_heredoc_text_keeps_quotes():
    assert expand_text('echo "$H" \'$H\' \\$H \\n', ENV) == "echo \"/home\" '/home' $H \\n"


def _expand(text, build_args=None, predefined=None, stage=0):
    df = parse(text)
    meta = meta_scope(df.meta_args, build_args or {}, predefined or {})
    scope = StageScope(meta, build_args or {})
    return expand_from(df.stages[stage].base, meta), [scope.expand(x) for x in df.stages[stage].instructions], scope


def test_global_args_reach_from_but_not_the_stage():
    base, (label,), _ = _expand("ARG V=3.19\nARG IMG=alpine:$V\nFROM $IMG\nLABEL v=x$V\n")
    assert base.image == "alpine:3.19"
    assert label.pairs == (("v", "x"),)


def test_a_stage_redeclares_a_global_arg_to_see_its_value():
    _, (_, label), _ = _expand("ARG V=1\nFROM a\nARG V\nLABEL v=$V\n")
    assert label.pairs == (("v", "1"),)
    _, (_, label), _ = _expand("ARG V=1\nFROM a\nARG V\nLABEL v=$V\n", {"V": "2"})
    assert label.pairs == (("v", "2"),)


def test_build_args_override_defaults_and_env_overrides_arg():
    text = "FROM a\nARG D=dflt\nWORKDIR /$D\nENV D=env\nARG D=again\nWORKDIR /$D\n"
    _, (_, w1, _, _, w2), scope = _expand(text, {"D": "given"})
    assert (w1.path, w2.path) == ("/given", "/env")
    assert scope.run_env() == {"D": "env"}


def test_env_on_one_line_sees_the_values_before_it():
    text = "FROM a\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n"
    _, (_, two, three), scope = _expand(text)
    assert two.pairs == (("abc", "bye"), ("def", "hello"))
    assert three.pairs == (("ghi", "bye"),)
    assert scope.env == {"abc": "bye", "def": "hello", "ghi": "bye"}


def test_predefined_platform_args_in_from_and_when_declared():
    predefined = {"BUILDPLATFORM": "linux/amd64", "TARGETARCH": "arm64"}
    base, (user, _, user2), _ = _expand("FROM --platform=$BUILDPLATFORM a\nUSER $TARGETARCH\nARG TARGETARCH\n"
                                        "USER $TARGETARCH\n", predefined=predefined)
    assert base.platform == "linux/amd64"
    assert (user.user, user2.user) == ("", "arm64")


def test_proxy_args_reach_run_undeclared_but_not_substitution():
    _, (user,), scope = _expand("FROM a\nUSER $HTTP_PROXY\n", {"HTTP_PROXY": "http://p:3128", "OTHER": "x"})
    assert user.user == ""
    assert scope.run_env() == {"HTTP_PROXY": "http://p:3128"}


def test_which_instructions_are_substituted():
    text = """\
FROM a
ARG P=8080 D=/srv U=app
ENV F=conf
RUN echo $P
CMD echo $P
ENTRYPOINT ["$P"]
COPY --chown=$U:$U --from=$U ${F}.txt $D/
ADD --chmod=$P $F $D
EXPOSE $P $P/udp
VOLUME $D/data ["x"]
VOLUME ["$D/a", "$D/b"]
STOPSIGNAL SIG$F
LABEL "$F"="$D"
RUN --mount=type=cache,id=$U,target=$D/cache true
ONBUILD RUN echo $P
COPY <<EOF <<'RAW' $D/
p=$P
EOF
p=$P
RAW
"""
    _, ins, _ = _expand(text)
    _, _, run, cmd, entry, copy, add, expose, vol, vol2, stop, label, mount_run, onbuild, heredoc = ins
    assert run.command.args == ("echo $P",) and cmd.command.args == ("echo $P",)
    assert entry.command.args == ("$P",)
    assert (copy.chown, copy.from_, copy.sources, copy.dest) == ("app:app", "app", ("conf.txt",), "/srv/")
    assert (add.chmod, add.sources, add.dest) == ("8080", ("conf",), "/srv")
    assert expose.ports == ("8080", "8080/udp")
    assert vol.paths == ("/srv/data", "[x]") and vol2.paths == ("/srv/a", "/srv/b")
    assert stop.signal == "SIGconf" and label.pairs == (("conf", "/srv"),)
    assert mount_run.mounts == (i.Mount(type="cache", id="app", target="/srv/cache"),)
    assert onbuild.trigger.command.args == ("echo $P",)
    assert [d.content for d in heredoc.heredocs] == ["p=8080\n", "p=$P\n"]


def test_substitution_errors_name_the_line():
    with pytest.raises(DockerfileError, match=r"^Dockerfile:3: X: is not allowed to be unset or empty$"):
        _expand("FROM a\n\nWORKDIR ${X:?}\n")
    with pytest.raises(DockerfileError, match=r"^Dockerfile:1: B: needed$"):
        _expand("ARG A=${B?needed}\nFROM a\n")

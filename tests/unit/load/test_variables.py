"""`config --variables`: which variables the files use, with their defaults and alternates."""

from compose.load.variables import Variable, table, variables


def test_every_form_is_reported_once_by_name():
    data = {"services": {"a": {"image": "${IMG:-busybox}:${TAG:?need tag}", "command": "${CMD:+x} $$LITERAL $HOME",
                               "environment": ["N=${OUTER:-${INNER-d}}"]}}}
    assert variables([data]) == [
        Variable("CMD", alternate="x"), Variable("HOME"), Variable("IMG", default="busybox"),
        Variable("INNER", default="d"), Variable("OUTER", default="${INNER-d}"), Variable("TAG", required=True)]


def test_table_matches_compose_layout():
    assert table([Variable("TAG", required=True), Variable("IMG", default="busybox")]) == (
        "NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE\n"
        "TAG                 true                                    \n"
        "IMG                 false               busybox             \n")

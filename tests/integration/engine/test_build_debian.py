"""Builds on a debootstrap'd Debian bookworm (tests/reference/debian.py): users and permissions made by
Debian's own tools, a package made with dpkg-deb in one stage and installed with dpkg in the next, a
bash heredoc, and the cache (a changed source file reruns only the steps after its COPY).

The RUN steps have no network (as every build here): nothing is fetched with apt, the tools of
minbase do the work. The Debian root filesystem is made once (about a minute, from Debian's
mirror through apt's source) and cached; these tests fail loudly, by name, without debootstrap.
"""

from __future__ import annotations

import pytest

from tests.integration.engine import build_lab
from tests.reference.debian import DebianUnavailable, import_debian

containers = build_lab.containers  # the fixtures
context = build_lab.context
do_build = build_lab.do_build


@pytest.fixture(scope="module")
def debian(containers):  # type: ignore[no-untyped-def]
    try:
        return import_debian(containers.images, "debian:bookworm")
    except DebianUnavailable as err:
        pytest.fail(f"the Debian base is unavailable: {err}")


PACKAGE = """\
FROM debian:bookworm AS package
RUN groupadd --gid 1600 hello && useradd --uid 1500 --gid hello --create-home --shell /bin/bash builder
WORKDIR /home/builder/pkg
COPY --chown=builder:hello control DEBIAN/control
COPY --chown=builder:hello --chmod=755 hello.sh usr/bin/hello
USER builder
RUN <<'EOF' bash
set -euo pipefail
version=$(sed -n 's/^Version: //p' DEBIAN/control)
install -d -m 0755 usr/share/doc/hello
printf 'hello %s, built as %s\\n' "$version" "$(id -un)" > usr/share/doc/hello/README
dpkg-deb --root-owner-group --build . /home/builder/hello.deb > /dev/null
EOF

FROM debian:bookworm
COPY --from=package /home/builder/hello.deb /tmp/hello.deb
RUN dpkg -i /tmp/hello.deb > /dev/null && rm /tmp/hello.deb \\
    && useradd --system --uid 999 --home-dir /var/lib/hello --create-home greeter \\
    && install -d -o greeter -g greeter -m 2750 /var/lib/hello/data
USER greeter
WORKDIR /var/lib/hello
CMD ["sh", "-c", "hello; dpkg-query -W -f '${Package} ${Version} ${Status}\\\\n' hello; id -un; \
     stat -c '%U %G %a' data"]
"""

CONTROL = """\
Package: hello
Version: 1.0
Architecture: all
Maintainer: pycompose tests <tests@example.invalid>
Description: a greeting built in a build
"""


def test_a_package_built_in_one_stage_is_installed_in_the_next_with_users_and_modes(containers, context, debian):
    (context / "control").write_text(CONTROL)
    (context / "hello.sh").write_text("#!/bin/sh\ncat /usr/share/doc/hello/README\n")
    built = do_build(containers, context, PACKAGE, tags=("hello:deb",))
    assert built.run().splitlines() == ["hello 1.0, built as builder", "hello 1.0 install ok installed", "greeter",
                                        "greeter greeter 2750"]
    installed = built.file("/usr/bin/hello").stat()
    assert (installed.st_uid, installed.st_gid, installed.st_mode & 0o7777) == (0, 0, 0o755)  # the package's
    assert "greeter:x:999:" in built.file("/etc/passwd").read_text()
    assert not built.has("/home/builder")  # only the package crossed from the first stage
    assert len(built.image.diff_ids) == len(debian.diff_ids) + 2  # COPY --from, RUN (the WORKDIR was there)

    (context / "hello.sh").write_text("#!/bin/sh\necho changed; cat /usr/share/doc/hello/README\n")
    changed = do_build(containers, context, PACKAGE, tags=("hello:deb",))
    assert changed.text.count(" ---> Using cache") == 3  # groupadd, WORKDIR, COPY control: before the change
    assert changed.run().splitlines()[:2] == ["changed", "hello 1.0, built as builder"]
    assert changed.image.diff_ids[:len(debian.diff_ids)] == debian.diff_ids

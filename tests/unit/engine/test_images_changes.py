"""`--change` instructions applied to an image config, as Docker applies them."""

import pytest

from engine.images.archives.changes import apply
from engine.images.errors import BadImage


def test_each_instruction():
    got = apply({"Env": ["PATH=/bin"]}, [
        'CMD ["sh", "-c", "echo hi"]', "ENTRYPOINT /init", "ENV A=1 B='two words'", "ENV PATH /usr/bin",
        "WORKDIR /srv", "USER nobody", "EXPOSE 80 53/udp", 'LABEL a=b "c d"=e', "VOLUME /data /logs",
        'VOLUME ["/x"]'])
    assert got == {
        "Cmd": ["sh", "-c", "echo hi"], "Entrypoint": ["/bin/sh", "-c", "/init"],
        "Env": ["PATH=/usr/bin", "A=1", "B=two words"], "WorkingDir": "/srv", "User": "nobody",
        "ExposedPorts": {"80/tcp": {}, "53/udp": {}}, "Labels": {"a": "b", "c d": "e"},
        "Volumes": {"/data": {}, "/logs": {}, "/x": {}},
    }


def test_the_input_is_not_changed():
    base = {"Env": ["A=1"]}
    apply(base, ["ENV A=2"])
    assert base == {"Env": ["A=1"]}


@pytest.mark.parametrize(("change", "message"), [
    ("RUN make", "RUN is not one of"), ("CMD", "needs a value"), ("EXPOSE eighty", "not a port"),
    ("LABEL =x", "not key=value"), ('VOLUME ["/x"', "JSON list"),
])
def test_mistakes_are_explained(change, message):
    with pytest.raises(BadImage, match=message):
        apply({}, [change])

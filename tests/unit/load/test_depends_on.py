"""`depends_on`, `post_start`/`pre_stop`, `develop`, `logging` and `models` of a service."""


from tests.unit.load.canon import canon


def test_depends_on():
    assert canon({"depends_on": ["b"]})["depends_on"] == {"b": {"condition": "service_started", "required": True}}
    given = {"c": {"condition": "service_healthy"}, "d": {"condition": "service_started", "restart": False,
                                                           "required": False}}
    assert canon({"depends_on": given})["depends_on"] == {
        "c": {"condition": "service_healthy", "required": True},
        "d": {"condition": "service_started", "required": False}}


def test_hooks():
    given = [{"command": "echo hi", "user": "root", "privileged": True, "environment": ["A", "B=1"]}]
    assert canon({"post_start": given, "pre_stop": [{"command": ["echo", "bye"]}]}) == {
        "post_start": [{"command": ["echo", "hi"], "user": "root", "privileged": True,
                        "environment": {"A": None, "B": "1"}}],
        "pre_stop": [{"command": ["echo", "bye"]}]}


def test_develop():
    given = {"watch": [{"path": "./src", "action": "sync+exec", "target": "/app", "ignore": "node_modules",
                        "exec": {"command": "kill -HUP 1"}},
                       {"path": "/abs", "action": "rebuild"}]}
    assert canon({"develop": given})["develop"] == {"watch": [
        {"path": "/project/src", "action": "sync+exec", "target": "/app", "ignore": ["node_modules"],
         "exec": {"command": ["kill", "-HUP", "1"]}},
        {"path": "/abs", "action": "rebuild"}]}
    assert canon({"develop": {}}) == {"develop": {}}


def test_logging():
    given = {"driver": "json-file", "options": {"max-size": "10m", "max-file": 3, "x": None}}
    assert canon({"logging": given})["logging"] == {
        "driver": "json-file", "options": {"max-file": "3", "max-size": "10m", "x": ""}}
    assert canon({"logging": {"driver": "", "options": {}}}) == {"logging": {}}


def test_models():
    assert canon({"models": ["m1"]}) == {"models": {"m1": None}}
    assert canon({"models": {"m2": {"endpoint_var": "URL"}}}) == {"models": {"m2": {"endpoint_var": "URL"}}}
    assert canon({"models": []}) == {}

"""The Compose Specification as data: a small vocabulary of shapes, and the top level of a file.

The tables say what Docker Compose v2.40.3 accepts in one file after interpolation
and casting, following the specification's JSON schema (and where Compose departs
from its schema, following Compose; each such place has a comment). `validate.py`
walks data along them.

Vocabulary (every shape is a frozen value, built once at import):

    Str(enum=, pattern=, rule=)   a string; `pattern` is searched (JSON schema semantics)
    Int(minimum=, maximum=)       an integer (a float with no fraction counts, as in JSON schema)
    Num, Bool, Null, ANY          a number, a boolean, null, anything
    List(items, unique=)          a sequence; `unique` refuses equal entries
    Map(values, keys=, other=)    free keys matching `keys`; `other` checks keys that do not match
    Obj(fields, required=, extensions=, other=)  known keys; `x-*` keys when `extensions`
    OneOf(*shapes)                one of several shapes, told apart by the kind of the value

Shapes of a `OneOf` accept disjoint kinds of value (string, integer, mapping...), so
the value's kind picks the branch, and an error inside that branch is the one reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("null", "boolean", "integer", "number", "string", "list", "mapping")


@dataclass(frozen=True, slots=True)
class Str:
    """A string, maybe one of `enum`, maybe containing a match of `pattern` (described by `rule`)."""

    enum: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    rule: str = ""
    kinds: frozenset[str] = frozenset({"string"})


@dataclass(frozen=True, slots=True)
class Int:
    """An integer within optional bounds."""

    minimum: int | None = None
    maximum: int | None = None
    kinds: frozenset[str] = frozenset({"integer"})


@dataclass(frozen=True, slots=True)
class Num:
    """Any number."""

    kinds: frozenset[str] = frozenset({"integer", "number"})


@dataclass(frozen=True, slots=True)
class Bool:
    """true or false."""

    kinds: frozenset[str] = frozenset({"boolean"})


@dataclass(frozen=True, slots=True)
class Null:
    """An empty value."""

    kinds: frozenset[str] = frozenset({"null"})


@dataclass(frozen=True, slots=True)
class Any_:
    """Anything at all (its mapping keys must still be strings)."""

    kinds: frozenset[str] = frozenset(KINDS)


@dataclass(frozen=True, slots=True)
class List:
    """A sequence of `items`; `unique` refuses two equal entries."""

    items: Shape
    unique: bool = False
    kinds: frozenset[str] = frozenset({"list"})


@dataclass(frozen=True, slots=True)
class Map:
    """A mapping with free keys: keys in which `keys` finds a match hold `values`; others hold `other`.

    `other` None refuses the other keys.

    `what` names a key in messages (e.g. "service name"), `rule` says what a good key looks like.
    """

    values: Shape
    keys: re.Pattern[str] | None = None
    other: Shape | None = None
    what: str = "key"
    rule: str = ""
    kinds: frozenset[str] = frozenset({"mapping"})


@dataclass(frozen=True, slots=True)
class Obj:
    """A mapping with known `fields`; `x-*` keys are free when `extensions`; `other` checks any other key."""

    fields: dict[str, Shape]
    required: tuple[str, ...] = ()
    extensions: bool = True
    other: Shape | None = None
    kinds: frozenset[str] = frozenset({"mapping"})


@dataclass(frozen=True, slots=True)
class OneOf:
    """One of `shapes`, picked by the kind of the value."""

    shapes: tuple[Shape, ...]
    kinds: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        kinds: set[str] = set()
        for shape in self.shapes:
            kinds |= shape.kinds
        object.__setattr__(self, "kinds", frozenset(kinds))


Shape = Str | Int | Num | Bool | Null | Any_ | List | Map | Obj | OneOf


def one_of(*shapes: Shape) -> OneOf:
    """`OneOf` from positional shapes."""
    return OneOf(tuple(shapes))


def enum(*values: str) -> Str:
    """A string that is one of `values`."""
    return Str(enum=tuple(values))


def pattern(regex: str, rule: str) -> Str:
    """A string in which `regex` finds a match (JSON schema patterns are not anchored)."""
    return Str(pattern=re.compile(regex), rule=rule)


STR, INT, NUM, BOOL, NULL, ANY = Str(), Int(), Num(), Bool(), Null(), Any_()
BOOL_OR_STR = one_of(BOOL, STR)
INT_OR_STR = one_of(INT, STR)
NUM_OR_STR = one_of(NUM, STR)
STRINGS = List(STR)
UNIQUE_STRINGS = List(STR, unique=True)
STR_OR_LIST = one_of(STR, STRINGS)  # a `string_or_list` whose duplicates Compose removes before it checks
STR_OR_UNIQUE_LIST = one_of(STR, UNIQUE_STRINGS)
COMMAND = one_of(NULL, STR, STRINGS)

NAME_KEYS = re.compile(r"^[a-zA-Z0-9._-]+\Z")  # Go's `$` is Python's `\Z`
NAME_RULE = 'use only letters, digits, ".", "_" and "-"'
ANY_KEY = re.compile(r"^.+\Z")  # `^.+$`: a non-empty key without a line break


def names(what: str, values: Shape, *, loose: bool = False) -> Map:
    """A mapping of named things (services, volumes...); `loose` lets any name through, as Compose does."""
    return Map(values, keys=NAME_KEYS, other=values if loose else None, what=what, rule=NAME_RULE)


def options(values: Shape) -> Map:
    """Driver options and the like: non-empty keys (an empty one is let through unchecked, as Compose does)."""
    return Map(values, keys=ANY_KEY, other=ANY)


def list_or_dict(*, unique: bool) -> OneOf:
    """KEY=VALUE entries, as a mapping or as a list of strings (`unique`: Compose refuses duplicates here)."""
    mapping = Map(one_of(STR, NUM, BOOL, NULL), keys=re.compile(r".+"), what="key", rule="a key cannot be empty")
    return one_of(mapping, List(STR, unique=unique))


# Compose removes repeated entries from these lists before it validates, so they may repeat.
LIST_OR_DICT = list_or_dict(unique=False)
# ... and keeps them in these, where the specification's `uniqueItems` refuses repeats.
UNIQUE_LIST_OR_DICT = list_or_dict(unique=True)

EXTRA_HOSTS = one_of(Map(one_of(STR, STRINGS), keys=re.compile(r".+"), what="host name", rule="it cannot be empty"),
                     UNIQUE_STRINGS)

ULIMITS = Map(one_of(INT, STR, Obj({"hard": INT_OR_STR, "soft": INT_OR_STR}, required=("soft", "hard"))),
              keys=re.compile(r"^[a-z]+\Z"), other=ANY, what="ulimit")

CONFIG_OR_SECRET_REFS = List(one_of(STR, Obj({
    "source": STR, "target": STR, "uid": STR, "gid": STR, "mode": NUM_OR_STR,
})))

EXTERNAL = one_of(BOOL, STR, Obj({"name": STR}))
# Secrets and configs: the specification leaves other keys of `external` free.
LOOSE_EXTERNAL = one_of(BOOL, STR, Obj({"name": STR}, other=ANY))
DRIVER_OPTS = options(one_of(STR, NUM))

NETWORK = one_of(NULL, Obj({
    "name": STR,
    "driver": STR,
    "driver_opts": DRIVER_OPTS,
    "ipam": Obj({
        "driver": STR,
        "config": List(Obj({
            "subnet": STR,
            "ip_range": STR,
            "gateway": STR,
            "aux_addresses": Map(STR, keys=ANY_KEY, what="address name", rule="it cannot be empty"),
        })),
        "options": Map(STR, keys=ANY_KEY, what="option", rule="it cannot be empty"),
    }),
    "external": EXTERNAL,
    "internal": BOOL_OR_STR,
    "enable_ipv4": BOOL_OR_STR,
    "enable_ipv6": BOOL_OR_STR,
    "attachable": BOOL_OR_STR,
    "labels": LIST_OR_DICT,  # Compose removes repeated network labels, unlike volume labels
}))

VOLUME = one_of(NULL, Obj({
    "name": STR,
    "driver": STR,
    "driver_opts": DRIVER_OPTS,
    "external": EXTERNAL,
    "labels": UNIQUE_LIST_OR_DICT,
}))

SECRET = Obj({
    "name": STR,
    "environment": STR,
    "file": STR,
    "external": LOOSE_EXTERNAL,
    "labels": UNIQUE_LIST_OR_DICT,
    "driver": STR,
    "driver_opts": DRIVER_OPTS,
    "template_driver": STR,
})

CONFIG = Obj({
    "name": STR,
    "content": STR,
    "environment": STR,
    "file": STR,
    "external": LOOSE_EXTERNAL,
    "labels": UNIQUE_LIST_OR_DICT,
    "template_driver": STR,
})

MODEL = Obj({
    "name": STR,
    "model": STR,
    "context_size": INT,
    "runtime_flags": STRINGS,
}, required=("model",))

# Compose reads `include` before it validates and ignores keys it does not know there.
INCLUDE = List(one_of(STR, Obj({
    "path": STR_OR_LIST,
    "env_file": STR_OR_LIST,
    "project_directory": STR,
}, extensions=False, other=ANY)))


def _top() -> Obj:
    from compose.load.schema_service import SERVICE

    return Obj({
        "version": STR,
        "name": STR,
        "include": one_of(NULL, INCLUDE),
        "services": names("service name", SERVICE),
        # Compose lets networks and models of any name through; their definitions are checked all the same.
        "models": names("model name", MODEL, loose=True),
        "networks": names("network name", NETWORK, loose=True),
        "volumes": names("volume name", VOLUME),
        "secrets": names("secret name", SECRET),
        "configs": names("config name", CONFIG),
    })


COMPOSE_FILE = _top()

"""The root of pycompose's shared pieces: the exception tree every package derives from.

`compose`, `engine` and `netplan` may all import this package; it imports none of them.
"""

__version__ = "0.1.0"

"""The `pycompose` command line: thin commands that parse flags, call one function, render."""

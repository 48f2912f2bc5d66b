"""The load pipeline: compose files -> the canonical project, as `docker compose config` prints it.

The phases, in order, and why that order:

    discover      which files, which project directory (needs the first .env for COMPOSE_FILE)
    environment   shell variables over .env files: everything later interpolates with them
    per file:
      parse       YAML -> data, with positions (and `!reset` / `!override` paths)
      interpolate ${VAR} forms, then cast strings to the types the attribute wants
      validate    the specification's schema, on one file, so errors point into that file
      extends     a service inherits from another one (in this file or another)
      merge       into the files before it, by the per-attribute rules (then validate again)
    name          the project name (-p, COMPOSE_PROJECT_NAME, `name:`, the directory)
    include       sub-projects, loaded whole (with their own directory and .env) and merged
    canonical     short syntax -> long syntax, paths, units, defaults
    profiles      only the services that are enabled (and what they depend on)
    consistency   references between services, networks, volumes...; dependency cycles
    prune         only the networks, volumes, secrets and configs the services use

Every phase raises `FileError(key path, problem)`; the loader adds the file, line
and column from the positions recorded while parsing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compose.errors import FileError, ProjectError
from compose.load import (
    canonical,
    consistency,
    discover,
    environment,
    extends,
    include,
    interpolate,
    merge,
    profiles,
    prune,
)
from compose.load.locations import Locations
from compose.load.options import ProjectOptions
from compose.load.parse import ParsedFile, parse
from compose.load.validate import validate

if TYPE_CHECKING:
    from compose.model import Project

__all__ = ["Loaded", "ProjectOptions", "load"]

MAX_INCLUDE_DEPTH = 20


@dataclass(frozen=True)
class Loaded:
    """A loaded project: its canonical data (what `config` prints) and how it was found."""

    name: str
    working_dir: Path
    files: tuple[str, ...]
    data: dict[str, Any]
    environ: Mapping[str, str]
    all_profiles: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    sources: tuple[Any, ...] = ()  # each file's data as parsed, before interpolation (`config --variables`)
    disabled_services: tuple[str, ...] = ()  # defined, but left out by profiles: not orphans to `up`

    def model(self) -> Project:
        """The typed, frozen model that planning works on."""
        from compose.model import Project

        return Project.from_canonical(self.data, working_dir=self.working_dir, environment=self.environ)


@dataclass
class _Run:
    """What one `load` call accumulates: warnings (each said once), the include chain, and the raw data of the
    included files (`config --variables` lists their variables too)."""

    warnings: list[str] = field(default_factory=list)
    chain: tuple[tuple[str, ...], ...] = ()
    top_dir: Path | None = None  # the top project's folder: included paths print relative to it (no resolution)
    included_sources: list[Any] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def load(options: ProjectOptions) -> Loaded:
    """Load the project `options` describe, or raise one `ComposeError` that says what is wrong."""
    run = _Run()
    loaded = _load(options, run, project_name=None)
    return loaded


def _load(options: ProjectOptions, run: _Run, project_name: str | None) -> Loaded:
    start_dir = _start_dir(options)
    environ = _environment(options, start_dir)
    files = _files(options, environ)
    project_dir = _project_dir(options, files)
    if project_dir != start_dir and not options.env_files and options.dotenv:
        environ = environment.with_dotenv(environ, environment.read_env_files(
            [project_dir / ".env"], options.environ, required=False))

    if run.top_dir is None:
        run.top_dir = project_dir
    locations = Locations()
    data: dict[str, Any] = {}
    parsed_files = [_read(file, options, project_dir) for file in files]
    # The name comes first, as in Compose: the files interpolate ${COMPOSE_PROJECT_NAME} with it
    name = project_name or discover.project_name(options.project_name, environ,
                                                 _top_level_name(parsed_files, environ, options, run), project_dir)
    if name and not environ.get("COMPOSE_PROJECT_NAME"):
        environ = {**environ, "COMPOSE_PROJECT_NAME": name}
    sources = []
    for number, parsed in enumerate(parsed_files):
        sources.append(parsed.data)
        locations.add(parsed.positions, parsed.name)
        one = _per_file(parsed, environ, options, run, project_dir)
        data = _located(locations, merge.merge, data, one, resets=parsed.resets, overrides=parsed.overrides)
        if number:  # merging can make what each file alone did not (a repeated entry): check again
            _located(locations, validate, data)

    context = canonical.Context(working_dir=project_dir, project_name=name, environ=environ,
                                raw_variables=not options.interpolate, normalize=options.normalize,
                                resolve_paths=options.resolve_paths,
                                paths_relative_to=None if project_name is None else run.top_dir)
    data = _located(locations, include.apply_include, data, working_dir=project_dir,
                    canonical=lambda d: canonical.canonicalize(d, context),
                    load_included=lambda spec: _load_included(spec, options, run, name))
    data = {**data, "name": name}
    data = _located(locations, canonical.canonicalize, data, context)
    every_profile = tuple(profiles.all_profiles(data))
    disabled: set[str] = set()
    if project_name is None:  # the top project; an included one is filtered with it
        defined = set(data.get("services") or {})
        data = profiles.select(data, profiles=_profiles(options, environ), services=options.services)
        disabled = defined - set(data.get("services") or {})
        if options.consistency:
            _located(locations, _check_consistency, data, disabled, raw=not options.interpolate)
        if not options.all_resources:
            data = prune.prune(data)
    if project_name is None:
        sources += run.included_sources
    return Loaded(name=name, working_dir=project_dir, files=tuple(files), data=data, environ=environ,
                  all_profiles=every_profile, warnings=tuple(run.warnings), sources=tuple(sources),
                  disabled_services=tuple(sorted(disabled)))


def _top_level_name(parsed_files: list[ParsedFile], environ: Mapping[str, str], options: ProjectOptions,
                    run: _Run) -> object:
    """The last file's top-level `name:` (interpolated alone), or None."""
    raw = next((f.data["name"] for f in reversed(parsed_files)
                if isinstance(f.data, dict) and isinstance(f.data.get("name"), str) and f.data["name"]), None)
    if raw is None or not options.interpolate:
        return raw
    locations = Locations()
    for parsed in parsed_files:
        locations.add(parsed.positions, parsed.name)
    return _located(locations, interpolate.interpolate, {"name": raw}, environ.get, warn=lambda _: None)["name"]


def _start_dir(options: ProjectOptions) -> Path:
    """Where Compose looks for the first `.env`: the project directory, the first -f file's, or here."""
    if options.project_directory is not None:
        return (options.working_dir / options.project_directory).absolute()
    for name in options.files:
        if name != discover.STDIN:
            return (options.working_dir / name).absolute().parent
    return options.working_dir.absolute()


def _environment(options: ProjectOptions, start_dir: Path) -> dict[str, str]:
    if options.env_files:
        paths = [(options.working_dir / f).absolute() for f in options.env_files]
        dotenv = environment.read_env_files(paths, options.environ, required=True)
    elif options.dotenv:
        dotenv = environment.read_env_files([start_dir / ".env"], options.environ, required=False)
    else:
        return dict(options.environ)
    return environment.with_dotenv(options.environ, dotenv)


def _files(options: ProjectOptions, environ: Mapping[str, str]) -> list[str]:
    names = list(options.files) or discover.files_from_environment(environ, options.working_dir)
    if names:
        return discover.resolve_files(names, options.working_dir)
    search_from = options.project_directory or options.working_dir
    return [str(p) for p in discover.find_default_files(options.working_dir / search_from, _quiet)]


def _quiet(message: str) -> None:
    """Discovery's notes on ambiguous file names are not errors; they are dropped on this path."""


def _project_dir(options: ProjectOptions, files: list[str]) -> Path:
    if options.project_directory is not None:
        return (options.working_dir / options.project_directory).absolute()
    first = files[0]
    return options.working_dir.absolute() if first == discover.STDIN else Path(first).parent


def _profiles(options: ProjectOptions, environ: Mapping[str, str]) -> tuple[str, ...]:
    if options.profiles:
        return options.profiles
    return tuple(p for p in environ.get("COMPOSE_PROFILES", "").split(",") if p)


def _read(file: str, options: ProjectOptions, project_dir: Path) -> ParsedFile:
    if file == discover.STDIN:
        text = options.stdin_text if options.stdin_text is not None else sys.stdin.read()
        name = "-"
    else:
        name = _display_name(Path(file), options.working_dir)
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(f"cannot read compose file {file}: {getattr(exc, 'strerror', None) or exc}") from None
    if not text.strip():
        raise FileError((), "is empty: a compose file needs at least `services:`", file=name)
    return parse(text, name)


def _display_name(path: Path, working_dir: Path) -> str:
    try:
        return str(path.relative_to(working_dir.absolute()))
    except ValueError:
        return str(path)


def _per_file(parsed: ParsedFile, environ: Mapping[str, str], options: ProjectOptions, run: _Run,
              project_dir: Path) -> dict[str, Any]:
    """One file through interpolate, cast, validate and extends, its errors placed in that file."""
    if "version" in parsed.data:
        run.warn(f"{parsed.name}: the attribute `version` is obsolete, it will be ignored, "
                 "please remove it to avoid potential confusion")
    locations = Locations()
    locations.add(parsed.positions, parsed.name)
    ready = _prepared(parsed, environ, options, run)
    base_dir = project_dir if parsed.name == "-" else Path(parsed.name if Path(parsed.name).is_absolute()
                                                           else options.working_dir / parsed.name).parent

    def read_other(path: Path) -> ParsedFile:
        return _prepared(_read(str(path), options, project_dir), environ, options, run)

    return _located(locations, extends.apply_extends, ready.data, working_dir=base_dir, read=read_other,
                    resets=parsed.resets, overrides=parsed.overrides,
                    name=None if parsed.name == "-" else Path(parsed.name).name, resolve_paths=options.resolve_paths)


def _prepared(parsed: ParsedFile, environ: Mapping[str, str], options: ProjectOptions, run: _Run) -> ParsedFile:
    """A file without its `!reset` items, interpolated, cast and validated (its `extends` still to do)."""
    locations = Locations()
    locations.add(parsed.positions, parsed.name)
    data = merge.strip_reset_items(parsed.data, parsed.resets)
    data = _interpolated(data, locations, environ, options, run)
    _located(locations, validate if options.interpolate else _validate_raw, data)
    return replace(parsed, data=data)


def _check_consistency(data: dict[str, Any], disabled: set[str], *, raw: bool) -> None:
    """The first inconsistency, if any; without interpolation a reference holding a variable is not one."""
    for problem in consistency.problems(data, disabled=disabled):
        if not (raw and canonical.holds_variable(_at(data, problem.path))):
            raise problem


def _validate_raw(data: dict[str, Any]) -> None:
    """Validation without interpolation, as Compose does it: a value holding a variable is not checked."""
    probe = data
    while True:
        try:
            return validate(probe)
        except FileError as error:
            unknown_key = error.problem.startswith("unknown key")  # a wrong key is wrong whatever its value
            if unknown_key or not error.path or not canonical.holds_variable(_at(probe, error.path)):
                raise
            probe = _without(probe, error.path)


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _without(data: Any, path: tuple[str | int, ...]) -> Any:
    """A copy of `data` without the value at `path`."""
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        if not rest:
            return {k: v for k, v in data.items() if k != head}
        return {**data, head: _without(data[head], rest)}
    if isinstance(data, list) and isinstance(head, int):
        if not rest:
            return data[:head] + data[head + 1:]
        return data[:head] + [_without(data[head], rest)] + data[head + 1:]
    return data


def _interpolated(data: Any, locations: Locations, environ: Mapping[str, str], options: ProjectOptions,
                  run: _Run) -> Any:
    """Variables replaced, then strings cast to the types their attributes take (as Compose: only then)."""
    if not options.interpolate:
        return data
    data = _located(locations, interpolate.interpolate, data, environ.get, warn=run.warn)
    return _located(locations, interpolate.cast, data, warn=run.warn)


def _load_included(spec: include.IncludeSpec, options: ProjectOptions, run: _Run, name: str) -> dict[str, Any]:
    key = tuple(str(p) for p in spec.paths)
    if key in run.chain:
        cycle = " -> ".join(str(Path(k[0]).name) for k in (*run.chain, key))
        raise ProjectError(f"include cycle: {cycle}")
    if len(run.chain) >= MAX_INCLUDE_DEPTH:
        raise ProjectError(f"includes are nested deeper than {MAX_INCLUDE_DEPTH} levels")
    sub = ProjectOptions(
        files=key, working_dir=options.working_dir, project_directory=spec.project_directory,
        env_files=tuple(str(p) for p in spec.env_files), interpolate=options.interpolate,
        resolve_paths=options.resolve_paths, normalize=options.normalize, environ=options.environ,
    )
    outer = run.chain
    run.chain = (*outer, key)
    try:
        loaded = _load(sub, run, project_name=name)
    finally:
        run.chain = outer
    run.included_sources.extend(loaded.sources)
    return loaded.data


def _located(locations: Locations, phase: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one phase; a `FileError` it raises gets its file, line and column."""
    try:
        return phase(*args, **kwargs)
    except FileError as error:
        raise locations.locate(error) from None

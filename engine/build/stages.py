"""The stage graph: which stages a `--target` needs, and in what order they can build.

A stage depends on another through `FROM <stage>`, `COPY --from=<stage|index>` and
`RUN --mount=from=<stage>`; a named context (`contexts`) takes the place of a stage
or an image of its name; any other `--from` value is an image to pull. FROM sees
only the global ARGs; `--from` values are expanded in the stage's own scope.
`FROM` may name only an earlier stage (so the file reads top-down); `--from` may name
any stage by name (as BuildKit allows) and a cycle is refused with its path.

    plan = stages.plan(dockerfile, target="test", build_args={"GO": "1.22"})
    for generation in plan.generations:     # stages in one generation build in parallel
        ...
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from engine.build import instructions as i
from engine.build.errors import DockerfileError, TargetNotFound, did_you_mean
from engine.build.scope import StageScope
from engine.build.substitution import expand_from, meta_scope


@dataclass(frozen=True)
class StageNode:
    """One stage as planned: its FROM expanded, the stages it needs, the images it copies from."""

    stage: i.Stage
    base: i.From
    base_stage: int | None
    depends: tuple[int, ...]
    images: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.stage.name or str(self.stage.index)


@dataclass(frozen=True)
class BuildPlan:
    """The stages a target needs, in the order they can run."""

    target: int
    nodes: dict[int, StageNode]
    generations: tuple[tuple[int, ...], ...]
    meta: dict[str, str]

    @property
    def order(self) -> tuple[int, ...]:
        return tuple(index for generation in self.generations for index in generation)


def plan(dockerfile: i.Dockerfile, target: str | None = None, build_args: Mapping[str, str] | None = None,
         predefined: Mapping[str, str] | None = None, contexts: Collection[str] = ()) -> BuildPlan:
    """The stages `target` (default: the last) needs, in generations that can build in parallel.

    `contexts`: the (lower-cased) names of the named contexts, which no stage of that name stands for."""
    args = dict(build_args or {})
    meta = meta_scope(dockerfile.meta_args, args, predefined or {}, file=dockerfile.path, escape=dockerfile.escape)
    names = {s.name: s.index for s in dockerfile.stages if s.name and s.name not in contexts}
    nodes: dict[int, StageNode] = {}
    envs: dict[int, dict[str, str]] = {}
    for stage in dockerfile.stages:
        nodes[stage.index], envs[stage.index] = _node(dockerfile, stage, names, meta, args, envs, contexts)
    goal = _target_index(dockerfile, target, {s.name: s.index for s in dockerfile.stages if s.name})
    needed = _needed(dockerfile, nodes, goal)
    return BuildPlan(goal, {n: nodes[n] for n in sorted(needed)}, _generations(nodes, needed), meta)


def _target_index(dockerfile: i.Dockerfile, target: str | None, names: dict[str, int]) -> int:
    if target is None:
        return dockerfile.stages[-1].index
    if target.lower() in names:
        return names[target.lower()]
    raise TargetNotFound(f"target stage {target!r} could not be found in {dockerfile.path}"
                         f"{did_you_mean(target.lower(), names)}")


def _node(dockerfile: i.Dockerfile, stage: i.Stage, names: dict[str, int], meta: dict[str, str],
          args: dict[str, str], envs: dict[int, dict[str, str]],
          contexts: Collection[str]) -> tuple[StageNode, dict[str, str]]:
    path = dockerfile.path
    base = expand_from(stage.base, meta, file=path, escape=dockerfile.escape)
    base_stage = names.get(base.image.lower())
    if base_stage is not None and base_stage > stage.index:
        raise DockerfileError(path, base.line, f"FROM {base.image}: stage {base.image!r} is defined later, "
                                               f"on line {dockerfile.stages[base_stage].base.line}; a stage can "
                                               "only build on an earlier one")
    if base_stage == stage.index:
        base_stage = None  # `FROM nginx AS nginx` names the image
    depends = [] if base_stage is None else [base_stage]
    images: list[str] = []
    scope = StageScope(meta, args, base_env=envs.get(base_stage) if base_stage is not None else None,
                       file=path, escape=dockerfile.escape)
    for ins in stage.instructions:
        ins = scope.expand(ins)
        refs = [ins.from_] if isinstance(ins, i.Copy) else []
        refs += [m.from_ for m in ins.mounts] if isinstance(ins, i.Run) else []
        for ref in filter(None, refs):
            if ref.lower() in contexts:
                continue
            index = _stage_ref(dockerfile, stage, ins, ref, names)
            (images.append(ref) if index is None else depends.append(index))
    node = StageNode(stage, base, base_stage, tuple(dict.fromkeys(depends)), tuple(dict.fromkeys(images)))
    return node, scope.env


def _stage_ref(dockerfile: i.Dockerfile, stage: i.Stage, ins: i.Instruction, ref: str,
               names: dict[str, int]) -> int | None:
    if ref.isdigit():
        index = int(ref)
        if index >= stage.index:
            raise DockerfileError(dockerfile.path, ins.line, f"--from={ref}: a stage index must name an earlier "
                                                             f"stage (this is stage {stage.index})")
        return index
    return names.get(ref.lower())


def _needed(dockerfile: i.Dockerfile, nodes: dict[int, StageNode], goal: int) -> set[int]:
    """Depth-first from the target; a stage met again on the current path is a cycle."""
    done: set[int] = set()
    path: list[int] = []

    def visit(index: int) -> None:
        if index in path:
            loop = path[path.index(index):] + [index]
            first = nodes[loop[0]]
            raise DockerfileError(dockerfile.path, first.stage.base.line, "circular dependency between stages: "
                                  + " -> ".join(nodes[n].label for n in loop))
        if index in done:
            return
        path.append(index)
        for dep in nodes[index].depends:
            visit(dep)
        path.pop()
        done.add(index)

    visit(goal)
    return done


def _generations(nodes: dict[int, StageNode], needed: set[int]) -> tuple[tuple[int, ...], ...]:
    left = set(needed)
    built: set[int] = set()
    generations = []
    while left:
        ready = tuple(sorted(n for n in left if set(nodes[n].depends) <= built))
        generations.append(ready)
        built.update(ready)
        left.difference_update(ready)
    return tuple(generations)

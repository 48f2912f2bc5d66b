"""The front end of `image build`: Dockerfile -> stages -> expanded instructions; the context's files.

    dockerfile.parse(text, path)        -> Dockerfile (meta ARGs, stages of typed instructions)
    stages.plan(dockerfile, target, build_args) -> BuildPlan (the stages --target needs, in generations)
    substitution.StageScope             ARG/ENV scoping and $VAR expansion, one instruction at a time
    ignore.find_ignore_file / read_patterns / walk   .dockerignore and the files the context sends

Those are pure code: nothing there touches images, snapshots or processes. The builder does:

    builder.build(containers, BuildOptions(context=..., tags=...), say=print) -> BuildResult
                                         the stages a target needs, those independent of each
                                         other at the same time; their output in order (output.py)
    session.Session                      what the stages of one build share (engine, cache, contexts)
    stage.StageBuild                     one stage's steps, each from the cache or run
    state.State / as_image / mounted     an image being built, and how a step uses one
    run.run_step                         RUN in a container; its upper directory the layer
    mounts                               RUN --mount: bind, cache, tmpfs (secret and ssh refused)
    copy_step / copying                  COPY/ADD (--from, --chown, --chmod, --exclude, --parents)
                                         into a mounted snapshot, by Docker's rules
    context.Context                      the context read in place: sources, content digest, tar
    contexts                             named contexts: a directory or docker-image://
    cache.BuildCache                     <root>/build-cache/<key>.json, held layers, prune
    steps                                metadata instructions -> config, Docker's history text
"""

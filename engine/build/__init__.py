"""The front end of `image build`: Dockerfile -> stages -> expanded instructions; the context's files.

    dockerfile.parse(text, path)        -> Dockerfile (meta ARGs, stages of typed instructions)
    stages.plan(dockerfile, target, build_args) -> BuildPlan (the stages --target needs, in generations)
    substitution.StageScope             ARG/ENV scoping and $VAR expansion, one instruction at a time
    ignore.find_ignore_file / read_patterns / walk   .dockerignore and the files the context sends

Pure code: nothing here touches images, snapshots or processes; the builder does.
"""

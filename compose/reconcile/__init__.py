"""Reconcile: run a plan against the engine and netplan, and gather what is there before planning.

    world     World: the engine's container and image services and netplan's network service, from the roots
    observe   observe(project, world) -> Observed (containers by label, networks by name, local image digests)
    runs      a service's container made whole: network namespace, engine container, endpoints, ports (and unmade)
    waits     depends_on conditions (started, healthy, completed successfully), read from the container records
    execute   execute(plan, project, world) -> Report: stages in order, steps in parallel, actions in order

Failures are collected per subject (a service, a network); a failed step unwinds what it
created, and no later stage runs once a stage had a failure (its dependents would wait in vain).
`ReconcileFailed` names every subject that failed and why.
"""

"""compose: the user's side. file -> model -> graph -> plan -> reconcile, and the CLI."""

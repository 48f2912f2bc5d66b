#!/usr/bin/env bash
# Set up pycompose and show the demo stack as pycompose resolves it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd examples/stacks/demo
pycompose config

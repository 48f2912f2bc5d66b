#!/usr/bin/env bash
# Set up what the tests need, then run every tier. Root tiers say so loudly when
# they cannot run; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec "${PYTHON:-python3}" -m pytest "$@"

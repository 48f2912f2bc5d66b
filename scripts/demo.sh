#!/usr/bin/env bash
# Set up pycompose, bring the demo stack up (its `api` service is built from source on the way), and show it
# answering on 127.0.0.1:8080.
# Take it down again with: (cd examples/stacks/demo && pycompose down -v)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/busybox-image.sh busybox:stable
cd examples/stacks/demo
pycompose up -d
python3 - <<'PY'
import time, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 itself, never a proxy
deadline = time.monotonic() + 30
while True:
    try:
        print(opener.open("http://127.0.0.1:8080/", timeout=2).read().decode().strip())
        break
    except OSError:
        if time.monotonic() > deadline:
            raise SystemExit("the demo's web front end did not answer on 127.0.0.1:8080 within 30 s")
        time.sleep(0.2)
# The API (built from examples/stacks/demo/api by `up`) answers through the front end:
print(opener.open("http://127.0.0.1:8080/cgi-bin/api", timeout=5).read().decode().strip())
PY
pycompose ps
echo
echo "The demo stack is up: http://127.0.0.1:8080/ (see it with: cd examples/stacks/demo && pycompose ps)."
echo "Take it down with: (cd examples/stacks/demo && pycompose down -v)"

"""A module the forked-child tests run in a child of the test process (tests/sandbox/test_forked.py)."""
from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    what = argv[0]
    if what == "report":
        print(json.dumps({"env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv}))
        print("to stderr", file=sys.stderr)
        return int(argv[1])
    if what == "exit":
        raise SystemExit(int(argv[1]))
    if what == "raise":
        raise RuntimeError("boom in the child")
    if what == "sleep":
        print("sleeping", flush=True)
        time.sleep(float(argv[1]))
        return 0
    return 9

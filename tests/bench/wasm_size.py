#!/usr/bin/env python3
"""The UI's wasm size, gzipped (`gzip -9`, GNU gzip's own deflate) and as shipped, against the build
before issue 14 and the issue's goal, in the shared benchmark format (one JSON document on
standard output) that tests/bench/report.py turns into docs/benchmarks.md.

Usage: python3 tests/bench/wasm_size.py ui/dist/houston_ui_bg.wasm > target/bench/ui-wasm.json
"""

import json
import subprocess
import sys
from pathlib import Path

# The wasm `make ui` built just before issue 14's work on it (commit 5e6db5c): regex,
# fancy-regex and their Unicode tables were in it. A fixed figure: that build is not
# repeated in every run.
BEFORE_GZIPPED = 1_016_979
BEFORE_RAW = 3_637_254
GOAL_KIB = 350
KIB = 1024


def row(metric, a, b, goal=None):
    doc = {
        "metric": metric,
        "unit": "KiB",
        "better": "lower",
        "a": {"label": "this build", "value": round(a / KIB, 1)},
        "b": {"label": "before issue 14 (5e6db5c)", "value": round(b / KIB, 1)},
        "ratio": a / b,
    }
    if goal is not None:
        doc["goal"] = f"a <= {GOAL_KIB} KiB"
        doc["met"] = a <= goal
    return doc


def main():
    wasm = Path(sys.argv[1]).read_bytes()
    # The gzip command rather than Python's zlib: the two deflate differently (about 2 KB
    # here), and the figures before were taken with `gzip -9 -c FILE | wc -c`.
    gzipped = len(subprocess.run(["gzip", "-9", "-c", sys.argv[1]], capture_output=True, check=True).stdout)
    print(
        json.dumps(
            {
                "name": "ui-wasm",
                "title": "The UI's wasm (ui/dist, wasm-release profile, wasm-bindgen)",
                "rows": [
                    row("gzipped (gzip -9)", gzipped, BEFORE_GZIPPED, GOAL_KIB * KIB),
                    row("as embedded (uncompressed)", len(wasm), BEFORE_RAW),
                ],
                "notes": (
                    "Built by `make ui` (opt-level z, LTO, one codegen unit, panic=abort; "
                    "wasm-bindgen strips the name and producers sections). The build before "
                    "is a fixed figure, measured once at 5e6db5c."
                ),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

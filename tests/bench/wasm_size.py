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
# What the wasm is made of, measured on a build with its name section (function bodies
# grouped by crate, each group gzipped alone) when issue 14's size work ended; the
# composition moves slowly, so it is stated here rather than measured on every run.
COMPOSITION = (
    "What takes the space (raw / gzipped alone, at the end of issue 14's size work): "
    "Leptos (reactive_graph, tachys, send_wrapper and their futures) 907 / 172 KiB; "
    "core, alloc and std (formatting, floats, collections, malloc) 498 / 136 KiB; "
    "the data section (strings, tables) 180 / 75 KiB; serde_json and serde (every "
    "GraphQL answer's types deserialized from a Value) 424 / 67 KiB; the UI's own code "
    "130 / 48 KiB, unnamed closures and generic instances 169 / 40 KiB; the events engine "
    "(Test panel) 73 / 24 KiB; plotters 29 / 12 KiB; the form rules 22 / 9 KiB; the "
    "GraphQL operations 54 / 9 KiB. Removed: the regex engine (fancy-regex, regex-automata, "
    "regex-syntax, aho-corasick, memchr: 448 KiB of code and about 355 KiB of Unicode "
    "tables, 326 KiB gzipped in all): catalog patterns now run on the page's RegExp. "
    "opt-level s instead of z: 756 KiB gzipped and no faster keystroke (16.5 vs 16.1 ms "
    "median on the 852-field form, same load). wasm-opt -Oz with one-caller inlining off "
    "(-ocimfs 0): 645 KiB (binaryen 108 from Debian, whose output broke in the webview "
    "before) or 658 KiB (binaryen 132, npm's JavaScript build, a minute per build); with "
    "its default inlining 774-787 KiB: not used, 2-3 % for a minute per build and an "
    "optimizer no test covers. The goal needs the screens that "
    "only some visits open (forms, the Test panel's engine, charts, debugger) split into "
    "wasm modules loaded on demand (Leptos's lazy/wasm-split post-processing), not done."
)


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
                    "is a fixed figure, measured once at 5e6db5c. " + COMPOSITION
                ),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Launch-to-first-paint and memory of the desktop app, against a bare Tauri window.

Run inside `.ci/session` (virtual display, D-Bus, keyring) after building both in release
in one cargo run, so that they share the very same tauri artifacts (`make bench-app` does
all of it):

    cargo build --release -p houston-desktop -p hello-tauri
    .ci/session python3 docs/measure_app.py --json target/bench/desktop-launch.json \
        target/release/houston-desktop target/release/hello-tauri

For each launch it starts tauri-driver, opens a session that launches the binary on a
fresh data, config and cache directory (a first start, as a new user has), and times how
long until `.shell[data-ready="true"] #continue` is in the page: for the app, its session
state has arrived and the first-run screen is painted; for the baseline (tests/hello-tauri),
its static page is loaded. Then, after 2 s to settle, it sums the memory of the binary and
its WebKit processes: RSS (what the issue asks; shared pages count once per process) and
PSS (shared pages split between the processes that share them, so the sum is honest).
The two binaries are launched alternately, so that a slow spell of the machine hits both.
Prints the medians and ranges; with --json, writes them in the benchmark format, with the
issue's goals (first paint at most 1.5 times the bare window's, RSS at most 1.2 times) and
the stripped size of both binaries (goal: the app at most 15 MB).
"""
import argparse, json, os, platform, shutil, socket, statistics, subprocess, tempfile, time
import urllib.request

READY = '.shell[data-ready="true"] #continue'


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def call(method, url, body=None):
    req = urllib.request.Request(url, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]


def memory_kib(pids):
    """(RSS, PSS) in KiB, summed over `pids` that still exist."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return rss, pss


def descendants(root):
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children = {}
    for line in out.split("\n"):
        if line.strip():
            pid, ppid = map(int, line.split())
            children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            found.append(c)
            todo.append(c)
    return found


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def tauri_driver():
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    path = os.path.join(home, "bin", "tauri-driver")
    return path if os.path.exists(path) else shutil.which("tauri-driver") or "tauri-driver"


def launch_once(binary):
    """One cold launch of `binary`: (seconds to first paint, RSS MiB, PSS MiB)."""
    home = tempfile.mkdtemp(prefix="measure-app-")
    port, native = free_port(), free_port()
    env = dict(os.environ, XDG_DATA_HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_CACHE_HOME=os.path.join(home, "cache"))
    driver = subprocess.Popen([tauri_driver(), "--port", str(port), "--native-port", str(native),
                               "--native-driver", "/usr/bin/WebKitWebDriver"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        # Up to 30 s for tauri-driver and the WebKitWebDriver it starts to listen (a session
        # asked for before WebKitWebDriver listens is dropped).
        for p in (port, native):
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", p), timeout=0.1).close()
                    break
                except OSError:
                    time.sleep(0.05)
        start = time.monotonic()
        sid = call("POST", f"{base}/session", {"capabilities": {"alwaysMatch": {
            "browserName": "wry", "tauri:options": {"application": binary}}}})["sessionId"]
        while not call("POST", f"{base}/session/{sid}/elements",
                       {"using": "css selector", "value": READY}):
            if time.monotonic() - start > 120:
                raise SystemExit(f"{binary} did not paint within 120 s")
            time.sleep(0.02)
        paint = time.monotonic() - start
        time.sleep(2)  # let it settle before reading memory
        name = os.path.basename(binary)[:15]  # /proc/PID/comm keeps 15 characters
        apps = [p for p in descendants(driver.pid) if comm(p) == name]
        pids = apps + [d for a in apps for d in descendants(a)]
        if not apps:
            raise SystemExit(f"no {name} process found under tauri-driver")
        rss, pss = memory_kib(pids)
        call("DELETE", f"{base}/session/{sid}")
        return paint, rss / 1024, pss / 1024
    finally:
        driver.kill()
        driver.wait()
        shutil.rmtree(home, ignore_errors=True)


def stripped_size(binary):
    """The size of `binary` without symbols (a stripped copy's; the file's own when the
    release profile has stripped it already or `strip` is missing)."""
    if not shutil.which("strip"):
        return os.path.getsize(binary)
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "stripped")
        subprocess.run(["strip", "-o", copy, binary], check=True)
        return os.path.getsize(copy)


def summary(label, values, unit, scale=1.0, digits=0):
    v = [x * scale for x in values]
    return (f"{label}: median {statistics.median(v):.{digits}f} {unit} "
            f"(min {min(v):.{digits}f}, max {max(v):.{digits}f}) over {len(v)} runs")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("app", help="the app binary, e.g. target/release/houston-desktop")
    ap.add_argument("baseline", nargs="?", help="the bare Tauri window, e.g. target/release/hello-tauri")
    ap.add_argument("--runs", type=int, default=5, help="launches of each binary (default 5)")
    ap.add_argument("--json", help="write the figures here, in the benchmark format")
    args = ap.parse_args()
    binaries = [os.path.abspath(args.app)] + ([os.path.abspath(args.baseline)] if args.baseline else [])
    results = {b: {"paint": [], "rss": [], "pss": []} for b in binaries}
    for _ in range(max(1, min(args.runs, 50))):
        for b in binaries:
            paint, rss, pss = launch_once(b)
            results[b]["paint"].append(paint)
            results[b]["rss"].append(rss)
            results[b]["pss"].append(pss)
    for b in binaries:
        r = results[b]
        print(os.path.basename(b))
        print("  " + summary("launch to first paint", r["paint"], "ms", 1000))
        print("  " + summary("memory (RSS, app + WebKit processes)", r["rss"], "MiB"))
        print("  " + summary("memory (PSS, app + WebKit processes)", r["pss"], "MiB"))
    if not args.json:
        return
    if not args.baseline:
        raise SystemExit("--json needs the baseline binary too")
    app, base = (results[b] for b in binaries)
    labels = ("Houston Desktop", "bare Tauri window (tests/hello-tauri)")

    def row(metric, unit, key, scale, digits, times=None):
        a = round(statistics.median(app[key]) * scale, digits)
        b = round(statistics.median(base[key]) * scale, digits)
        out = {"metric": metric, "unit": unit, "better": "lower",
               "a": {"label": labels[0], "value": a}, "b": {"label": labels[1], "value": b},
               "ratio": round(a / b, 2) if b else None}
        if times is not None:
            out.update(goal=f"a <= {times} x b", met=a <= times * b)
        return out

    sizes = [stripped_size(b) / 1e6 for b in binaries]

    n = len(app["paint"])
    report = {
        "name": "desktop-launch",
        "title": f"Desktop app launch and memory vs a bare Tauri window, {n} cold launches each",
        "rows": [
            row(f"launch to first paint, median of {n}", "ms", "paint", 1000, 0, 1.5),
            row(f"memory, RSS of the app and its WebKit processes, median of {n}", "MiB", "rss", 1, 1, 1.2),
            row(f"memory, PSS of the app and its WebKit processes, median of {n}", "MiB", "pss", 1, 1),
            {"metric": "binary size, stripped (UI and catalogs inside)", "unit": "MB",
             "better": "lower", "a": {"label": labels[0], "value": round(sizes[0], 1)},
             "b": {"label": labels[1], "value": round(sizes[1], 1)},
             "ratio": round(sizes[0] / sizes[1], 2), "goal": "a <= 15 MB", "met": sizes[0] <= 15},
        ],
        "notes": (
            f"{os.cpu_count()} CPUs ({cpu_model()}), Xvfb and WebKitGTK under .ci/session, both built "
            "in release in one cargo run (same tauri 2 artifacts and features: default + "
            "custom-protocol, page embedded). Each launch is a first start on empty XDG data, config "
            "and cache directories, through tauri-driver and WebKitWebDriver, timed from the "
            "WebDriver new-session request to the first-run screen being in the DOM (the app: wasm "
            "loaded, session state read, bundled server opened on a new SQLite file; the baseline: a "
            "static page). Memory read 2 s after first paint. The two binaries are launched "
            "alternately. Ranges: app paint "
            f"{min(app['paint'])*1000:.0f}-{max(app['paint'])*1000:.0f} ms, baseline "
            f"{min(base['paint'])*1000:.0f}-{max(base['paint'])*1000:.0f} ms."
        ),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

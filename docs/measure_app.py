#!/usr/bin/env python3
"""Launch-to-first-paint and memory of the desktop app, as measured for the notes.

Run inside `.ci/session` (virtual display, D-Bus, keyring) after `make app`:

    .ci/session python3 docs/measure_app.py target/release/houston-desktop

It starts tauri-driver, opens a session that launches the app on a fresh data
directory, and times how long until the UI's shell reports `data-ready="true"` (the
session state has arrived and the first screen is painted). Then it sums the resident
memory of the app and its WebKit processes. Five runs; prints the median and range.
"""
import json, os, socket, statistics, subprocess, sys, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def call(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]

def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total

def descendants(root):
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout.split("\n")
    children = {}
    for line in out:
        if line.strip():
            pid, ppid = map(int, line.split())
            children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            found.append(c); todo.append(c)
    return found

def main():
    app = os.path.abspath(sys.argv[1])
    driver_bin = os.path.expanduser("~/.cargo/bin/tauri-driver")
    paints, memories = [], []
    for _ in range(5):
        home = tempfile.mkdtemp()
        port, native = free_port(), free_port()
        env = dict(os.environ, XDG_DATA_HOME=home)
        driver = subprocess.Popen([driver_bin, "--port", str(port), "--native-port", str(native),
                                   "--native-driver", "/usr/bin/WebKitWebDriver"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close(); break
            except OSError:
                time.sleep(0.05)
        start = time.monotonic()
        sid = call("POST", f"{base}/session", {"capabilities": {"alwaysMatch": {
            "browserName": "wry", "tauri:options": {"application": app}}}})["sessionId"]
        while True:
            found = call("POST", f"{base}/session/{sid}/elements",
                         {"using": "css selector", "value": ".shell[data-ready=\"true\"] #continue"})
            if found:
                break
            time.sleep(0.02)
        paints.append(time.monotonic() - start)
        time.sleep(2)  # let it settle before reading memory
        app_pids = [p for p in descendants(driver.pid)
                    if open(f"/proc/{p}/comm").read().startswith("houston-deskto")]
        pids = app_pids + [d for a in app_pids for d in descendants(a)]
        memories.append(rss_kib(pids) / 1024)
        call("DELETE", f"{base}/session/{sid}")
        driver.kill(); driver.wait()
    print(f"launch to first paint: median {statistics.median(paints)*1000:.0f} ms "
          f"(min {min(paints)*1000:.0f}, max {max(paints)*1000:.0f}), over {len(paints)} runs")
    print(f"memory (app + WebKit processes, RSS): median {statistics.median(memories):.0f} MiB "
          f"(min {min(memories):.0f}, max {max(memories):.0f})")

if __name__ == "__main__":
    main()

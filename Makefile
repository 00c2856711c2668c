# The README's two commands: `make run` and `make test`. Both install what they need first.

.PHONY: run test setup server schema figures

setup:
	@bash .ci/setup

# Builds and runs Houston on the bundled SQLite store. (Until the desktop window lands,
# this is the standalone server; it prints where it listens.)
run: setup
	cargo run --release -p houston-server

# Everything CI checks: formatting, lints, and every test of the workspace.
test: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace

# Regenerates graphql/schema.graphql after a schema change (a test fails until you do).
schema:
	cargo run -q -p houston-server -- --print-schema > graphql/schema.graphql

# The server's figures on this machine (catalog load, createToken, requests per second).
figures:
	cargo bench -p houston-server --bench figures

#!/usr/bin/env bash
# What must hold before a commit: formatting, clippy without warnings, the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked --quiet

#!/usr/bin/env bash
# Regenerates the gogoproto Go code (*.pb.go) and grpc-gateway routes (*.pb.gw.go)
# for every proto/cortd/<module>/v1 package, offline: buf and the two plugins are
# built from pinned versions in tools/go.mod into .bin/ (scripts/install-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-tools.sh proto
rm -rf .proto-out
.bin/buf generate --template buf.gen.yaml --path proto/cortd
# Output lands under its go_package path; move it into the tree.
cp -r .proto-out/github.com/cortnet/cortd/* ./
rm -rf .proto-out

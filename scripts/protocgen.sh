#!/usr/bin/env bash
# Regenerates the gogoproto Go code (*.pb.go) and grpc-gateway routes (*.pb.gw.go)
# for every proto/cortd/<module>/v1 package, and the protobuf-v2 (pulsar) types under
# api/cortd/<module>/v1 (*.pulsar.go, buf.gen.pulsar.yaml says why), offline: buf and
# the plugins are built from pinned versions in tools/go.mod into .bin/
# (scripts/install-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-tools.sh proto
rm -rf .proto-out
.bin/buf generate --template buf.gen.yaml --path proto/cortd
# Output lands under its go_package path; move it into the tree.
cp -r .proto-out/github.com/cortnet/cortd/* ./
rm -rf .proto-out api/cortd
# Only what a tx holds: each module's tx.proto and the types it imports (<module>.proto).
paths=()
for d in proto/cortd/*/v1; do
  m=$(basename "$(dirname "$d")")
  [ -f "$d/tx.proto" ] && paths+=(--path "$d/tx.proto" --path "$d/$m.proto")
done
.bin/buf generate --template buf.gen.pulsar.yaml "${paths[@]}"
cp -r .proto-out/github.com/cortnet/cortd/* ./
rm -rf .proto-out
# protoc-gen-go-pulsar ends the WhichOneof of a message without oneofs with
# panic("unreachable") after a switch whose only case panics, which go vet reports as
# unreachable code: drop exactly that line (the compiler checks the switch terminates).
find api -name '*.pulsar.go' -exec perl -0pi -e \
  's/(\n\t\tpanic\(fmt\.Errorf\("%s is not a oneof field in [^\n]*\n\t\}\n)\tpanic\("unreachable"\)\n/$1/g' {} +

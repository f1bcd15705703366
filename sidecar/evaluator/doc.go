// Package evaluator scores the revealed patches of an x/challenges challenge.
//
// For a challenge whose hidden tests are revealed, Prepare fetches the repository
// snapshot and the tests archive (sizes and sha256 enforced while streaming, see
// sidecar/fetch), unpacks both safely (plain files only, inside the root, size
// caps) and runs the unpatched snapshot with the tests once in the sandbox: the
// baseline, which warms a per-challenge Go build cache and fixes the number of
// tests a patch is measured against. Score then, for each patch:
//
//  1. fails it without running anything if it is empty, over the size cap,
//     malformed, creates a symlink, or touches a test file (CheckPatch);
//  2. in a fresh sandbox (sidecar/sandbox) copies the snapshot, runs
//     `git apply --check` and `git apply` (a patch that does not apply scores 0),
//     copies the hidden tests over the result and runs the challenge's test
//     command (with GOFLAGS=-json, so `go test` reports every test);
//  3. scores passed / max(run, baseline run) in basis points; any limit hit
//     (wall clock, output, CPU) or unparsable output scores 0.
//
// Nothing a patch does reaches the host: the sandbox sees the snapshot, the tests
// and the patch read-only and writes only to its own tmpfs.
package evaluator

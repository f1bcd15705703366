// Package evaluator scores the revealed patches of an x/challenges challenge.
//
// For a challenge whose hidden tests are revealed, Prepare fetches the repository
// snapshot and the tests archive (sizes and sha256 enforced while streaming, see
// sidecar/fetch), unpacks both safely (plain files only, inside the root, size
// caps), lists the hidden tests (top-level TestXxx of the hidden _test.go files:
// what counts), writes the harness (a generated test main per package that runs
// exactly those tests and reports each verdict, MAC'd, on a private descriptor)
// and runs the unpatched snapshot once in the sandbox: the baseline, which warms a
// per-challenge Go build cache. Score then, for each patch:
//
//  1. fails it without running anything if it is empty, over the size cap,
//     malformed, creates a symlink, touches a test file or anything but an
//     ordinary .go file (CheckPatch);
//  2. applies it on the host, in memory (applyPatch: a patch that does not apply
//     scores 0), and checks every patched file against the source policy
//     (CheckGoSource: pure standard-library imports and the module's own, no cgo,
//     no //go:linkname);
//  3. in a fresh sandbox without /proc (sidecar/sandbox) lays the hidden tests and
//     the harness over the patched tree, builds the test binaries, sends the MAC
//     key once they are built, runs them and reads the verdicts (report.go);
//  4. scores hidden tests passed / hidden tests in basis points; a tampered
//     channel or any limit hit (wall clock, output, CPU) scores 0.
//
// A context-selection challenge runs nothing: its revealed file lists are scored
// by F1 against the answer key in its tests archive (context.go).
//
// The Prober (availability.go) probes the /availability of the miners invited to
// challenges in COMMIT (through sidecar/fetch's address rules) and reports the ones
// that do not answer with MsgReportUnavailable.
//
// x/challenges/README.md states the threat model. The Runner scores the patches
// of a challenge in parallel within its evaluation window (runner.go).
package evaluator

// Package challenger makes x/challenges challenges from a validator's own Go repository.
//
// A bugfix challenge injects one small mutation into a function (flip a comparison,
// off-by-one in an integer constant or bound, drop a statement), keeps it only if the
// code still builds, the repository's tests fail with it and pass again without it,
// and packs two archives:
//
//   - the snapshot: the buggy repository without its test files (*_test.go) and without
//     .git, a gzip'd tar with paths relative to the repository root (no leading folder);
//   - the hidden tests: the repository's *_test.go files, same layout, to be extracted
//     over the patched snapshot before the test command runs.
//
// Both archives are deterministic (sorted entries, zero times, fixed modes), so the same
// repository and seed give the same bytes. The tests commitment posted on chain is
// types.TestsCommitment(sha256(tests archive), salt). A codegen challenge comes from a
// spec file (statement, checklist, context paths, test command, test files).
package challenger

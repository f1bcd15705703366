// Package challengeagent is a miner's side of x/challenges: it opts the node in, notices
// invitations (event challenge_posted, with a polling backstop), downloads the snapshot,
// lays out a work folder, runs an agent that writes a unified diff, commits
// sha256(patch ‖ salt) inside the response window and reveals the patch after it closes.
// The patch and salt are saved before the commit is sent, so a restart reveals what an
// earlier run committed.
//
// The snapshot is downloaded with sidecar/fetch, like every download of the sidecar: its
// URL is written on chain by the challenger, so file URLs and loopback, private and
// link-local addresses are refused unless Config.Fetch.AllowLocal (the miner's
// --allow-local-network, for local networks only); the claimed size and sha256 are
// enforced as the bytes arrive. It is unpacked by sidecar/archive, the evaluators'
// unpacker, under the same limits (bytes, entries; regular files and folders only, no
// name leaving repo/), so a snapshot the evaluators would refuse is refused here too.
//
// The work folder given to an agent program (cwd, also $CHALLENGE_DIR):
//
//	repo/             the snapshot, extracted (the repository without its hidden tests)
//	STATEMENT.md      the problem statement
//	CHECKLIST.md      the checklist, one "- item" per line
//	CONTEXT_PATHS     the context paths, one per line (relative to repo/)
//	TEST_COMMAND      the command the evaluators will run in repo/
//	TASK_TYPE         codegen, bugfix or context-selection
//	challenge.json    the whole challenge as the chain returns it
//
// The agent writes its answer, a unified diff against repo/ that `git apply` accepts
// (paths a/… b/…), to $CHALLENGE_PATCH (answer.patch in the folder); if that file is
// missing, its standard output is taken instead. It runs with a timeout; its whole
// process group is killed at the end.
//
// A context-selection challenge (TASK_TYPE_CONTEXT_SELECTION) is answered by the
// Config.Selector instead: by default GrepSelector (the non-test Go files declaring the
// identifiers the statement names), or a Program run the same way with
// $CHALLENGE_TYPE=context-selection that prints the paths, one per line, or writes them
// to $CHALLENGE_ANSWER (answer.txt). The agent sorts them, drops duplicates, checks them
// against the chain's bounds (params max_answer_files, max_path_bytes) and commits to the
// canonical encoding (types.EncodeFileList), revealed as the answer's patch bytes.
package challengeagent

// Package auditor is the validators' audit role: it watches x/audits for audits
// assigned to its validator (events, with a poll of its open audits as a backstop),
// checks each subject off-chain and sends MsgAuditPass or MsgReportFraud; when anyone
// reports fraud it re-runs the check itself and votes with MsgVoteFraud.
//
// Subjects are checked by a Subject per x/audits subject module: "data" (a data
// submission: fetch, checksum, every assigned model's loss and the winner's embedding,
// distance within the threshold) and "sessions" (a session task's committed
// embeddings, and each paid answer replayed under the model: replay.go). The shared
// scoring rule is in score.go; `cortd-sidecar score` uses it too.
package auditor

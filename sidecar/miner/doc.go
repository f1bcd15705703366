// Package miner is the node operator's role: it registers or updates its node,
// heartbeats with the models it has loaded, takes the tasks the chain assigns it
// (block events for speed, polling as the backstop), runs the engine (completion,
// then the result's embedding with the session's model), precommits the result's
// hash and reveals it in the commit phase. An embedding task (prompt_type
// "embedding", the router's /v1/embeddings) skips the completion: the result is
// the prompt itself with its embedding.
//
// Test flags: --faulty commits garbage (redundancy validation rejects it);
// --faulty-embedding commits the honest text with a wrong embedding close enough
// to pass validation (WrongEmbedding), which only an audit re-embedding the text
// catches.
//
// A result is written to disk before its hash is precommitted, so a restart
// reveals exactly what was precommitted and never computes a second result for
// the same task; the chain refuses a second precommit or commit anyway.
package miner

package types

import (
	"crypto/sha256"
	"encoding/binary"
)

// PrecommitDomain prefixes every precommit hash.
const PrecommitDomain = "cortd/sessions/precommit/v1"

// PrecommitHash is the hash a node precommits and its commit must reproduce:
//
//	sha256( "cortd/sessions/precommit/v1"            27 bytes, no length prefix
//	      ‖ task_id                                  uint64 big-endian
//	      ‖ len(node_id) ‖ node_id                   uint32 BE, bytes
//	      ‖ len(result_text) ‖ result_text           uint64 BE, UTF-8 bytes
//	      ‖ len(embedding) ‖ embedding[0..dim)       uint32 BE, each int32 BE two's complement
//	      ‖ prompt_tokens ‖ completion_tokens        uint64 BE each
//	      ‖ salt )                                   32 bytes
//
// Binding the task and node id means a node cannot precommit another node's hash and
// later reveal that node's result; binding the embedding means nobody can pair their own
// text with an embedding copied from another node's commit. Length prefixes make the
// encoding unambiguous.
func PrecommitHash(taskID uint64, nodeID, text string, embedding []int32, promptTokens, completionTokens uint64, salt []byte) []byte {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte(PrecommitDomain))
	binary.BigEndian.PutUint64(b[:], taskID)
	h.Write(b[:])
	binary.BigEndian.PutUint32(b[:4], uint32(len(nodeID)))
	h.Write(b[:4])
	h.Write([]byte(nodeID))
	binary.BigEndian.PutUint64(b[:], uint64(len(text)))
	h.Write(b[:])
	h.Write([]byte(text))
	buf := make([]byte, 4+4*len(embedding))
	binary.BigEndian.PutUint32(buf, uint32(len(embedding)))
	for i, v := range embedding {
		binary.BigEndian.PutUint32(buf[4+4*i:], uint32(v))
	}
	h.Write(buf)
	binary.BigEndian.PutUint64(b[:], promptTokens)
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], completionTokens)
	h.Write(b[:])
	h.Write(salt)
	return h.Sum(nil)
}

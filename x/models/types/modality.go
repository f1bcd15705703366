package types

// ByteTokenizerSHA256 is the sha256 of the byte tokenizer's tokenizer.json: the 256 byte
// symbols of GPT-2's byte-level alphabet with no merges, plus <|endoftext|> (257 tokens),
// as `cortd-sidecar model init --vocab bytes` writes it (sidecar/engine/tokenizer
// ByteLevelJSON; sidecar/auditor's TestByteTokenizerSHA256 pins the two together). The
// chain sees only a model's tokenizer_sha256, so this is how it knows that a model reads
// one token per byte: a MODALITY_BYTES model must carry this digest, and the sidecar
// refuses to load a folder whose tokenizer.json differs from the record.
const ByteTokenizerSHA256 = "5eeb4feb299bb238f94dd5a7c60e3a8d0edaf9e423323ae2e41a25b375b68b24"

// IsBytes reports whether the modality is MODALITY_BYTES (any other value is text).
func (m Modality) IsBytes() bool { return m == MODALITY_BYTES }

// Accepts reports whether a model of this modality can score data of modality data:
// bytes models score anything (text is bytes), text models score text only.
func (m Modality) Accepts(data Modality) bool { return m.IsBytes() || !data.IsBytes() }

// Name is the modality's short name as the CLI and READMEs spell it: "text" (also for
// MODALITY_UNSPECIFIED) or "bytes".
func (m Modality) Name() string {
	if m.IsBytes() {
		return "bytes"
	}
	return "text"
}

package native

import (
	"strings"
	"unicode/utf8"
)

// replacement is what strings.ToValidUTF8 writes for a run of invalid bytes.
const replacement = "\uFFFD"

// textMatcher follows the raw bytes a generation emits against a committed
// answer, which is that raw text with each run of invalid UTF-8 replaced by
// one U+FFFD (miners commit strings.ToValidUTF8(text, "\uFFFD"): a tx
// carries valid UTF-8 only). For valid text this is plain prefix matching.
// It decides output exactly as ToValidUTF8 does on the whole text: bytes
// that may still start a valid character wait for the next token.
type textMatcher struct {
	answer  string
	out     int    // answer bytes matched by the output decided so far
	pend    []byte // trailing raw bytes that may still become a valid character
	invalid bool   // the last decided raw byte was in an invalid run (its U+FFFD is matched)
}

// feed appends raw bytes to the output; false (and nothing changed) when
// the output could no longer be a prefix of the answer.
func (t *textMatcher) feed(b []byte) bool {
	saved := *t
	buf := append(t.pend[:len(t.pend):len(t.pend)], b...) // a copy: pend stays intact
	i, ok := t.decide(buf, false)
	if !ok {
		*t = saved
		return false
	}
	t.pend = buf[i:]
	return true
}

// decide emits the output of buf's bytes; with final false it stops at a
// trailing incomplete character, with final true that becomes invalid
// bytes as at the end of ToValidUTF8's input. It returns how many bytes
// were decided and whether the output still matches.
func (t *textMatcher) decide(buf []byte, final bool) (int, bool) {
	i := 0
	for i < len(buf) {
		c := buf[i]
		if c < utf8.RuneSelf {
			if !t.emit(buf[i : i+1]) {
				return i, false
			}
			t.invalid = false
			i++
			continue
		}
		if !final && !utf8.FullRune(buf[i:]) {
			break
		}
		_, w := utf8.DecodeRune(buf[i:])
		if w == 1 { // an invalid byte: one U+FFFD per run
			if !t.invalid && !t.emit([]byte(replacement)) {
				return i, false
			}
			t.invalid = true
			i++
			continue
		}
		if !t.emit(buf[i : i+w]) {
			return i, false
		}
		t.invalid = false
		i += w
	}
	return i, true
}

func (t *textMatcher) emit(piece []byte) bool {
	if !strings.HasPrefix(t.answer[t.out:], string(piece)) {
		return false
	}
	t.out += len(piece)
	return true
}

// covered reports whether the output, if the generation ended now, would
// be exactly the answer.
func (t *textMatcher) covered() bool {
	c := *t
	c.pend = nil // decide does not write to its input
	_, ok := c.decide(t.pend, true)
	return ok && c.out == len(c.answer)
}

// rest is the answer text not yet matched (pending raw bytes are not
// matched yet, so a draft from here may repeat their character).
func (t *textMatcher) rest() string { return t.answer[t.out:] }

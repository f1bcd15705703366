package native

import (
	"bytes"
	"unicode/utf8"
)

// findStop returns where the earliest stop sequence starts in out.
func findStop(out []byte, stops []string) (int, bool) {
	best := -1
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := bytes.Index(out, []byte(s)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best, best >= 0
}

// safePrefix is how much of out can be streamed: it excludes a tail that
// is a prefix of some stop sequence and an incomplete UTF-8 character.
func safePrefix(out []byte, stops []string) int {
	n := len(out)
	for _, s := range stops {
		for k := min(len(s)-1, len(out)); k > 0; k-- {
			if bytes.HasSuffix(out, []byte(s[:k])) {
				n = min(n, len(out)-k)
				break
			}
		}
	}
	// Back off to a rune boundary if the tail is an unfinished character.
	for i := n - 1; i >= 0 && i >= n-3; i-- {
		if utf8.RuneStart(out[i]) {
			if !utf8.FullRune(out[i:n]) {
				n = i
			}
			break
		}
	}
	return n
}

// Package text holds the chain's rules for free text kept in state.
package text

import (
	"unicode"
	"unicode/utf8"
)

// Printable reports whether s is valid UTF-8 without control characters: free text
// that ends up in state, events, the CLI and the dashboard (a newline or an escape
// sequence has no place in it).
func Printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

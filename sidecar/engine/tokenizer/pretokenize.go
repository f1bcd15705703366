package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// splitGPT2 splits text the way GPT-2's pattern does:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Go's regexp has no lookahead, so this is a hand-written scanner. Invalid
// UTF-8 bytes count as "other" (neither letter, number nor space) so
// arbitrary bytes still round-trip.
func splitGPT2(s string, emit func(string)) {
	i := 0
	for i < len(s) {
		if n := contraction(s[i:]); n > 0 {
			emit(s[i : i+n])
			i += n
			continue
		}
		j := i
		if s[j] == ' ' && j+1 < len(s) {
			if c := class(s[j+1:]); c != clsSpace {
				j++
			}
		}
		c := class(s[j:])
		if c != clsSpace {
			k := j
			for k < len(s) && class(s[k:]) == c {
				_, w := utf8.DecodeRuneInString(s[k:])
				k += w
			}
			emit(s[i:k])
			i = k
			continue
		}
		// Whitespace run i..k. If more text follows, the last whitespace
		// character is left for the next token (the (?!\S) lookahead).
		k := i
		lastW := 0
		for k < len(s) && class(s[k:]) == clsSpace {
			_, w := utf8.DecodeRuneInString(s[k:])
			lastW = w
			k += w
		}
		if k < len(s) && k-lastW > i {
			k -= lastW
		}
		emit(s[i:k])
		i = k
	}
}

const (
	clsSpace = iota
	clsLetter
	clsNumber
	clsOther
)

func class(s string) int {
	r, w := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && w <= 1 {
		return clsOther
	}
	switch {
	case unicode.IsSpace(r):
		return clsSpace
	case unicode.IsLetter(r):
		return clsLetter
	case unicode.IsNumber(r):
		return clsNumber
	}
	return clsOther
}

func contraction(s string) int {
	if len(s) < 2 || s[0] != '\'' {
		return 0
	}
	switch s[1] {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if len(s) >= 3 && s[2] == 'e' {
			return 3
		}
	case 'l':
		if len(s) >= 3 && s[2] == 'l' {
			return 3
		}
	}
	return 0
}

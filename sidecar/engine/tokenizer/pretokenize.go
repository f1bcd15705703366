package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The published Split patterns this package implements. A Split
// pre-tokenizer with any other pattern is refused at load.
const (
	gpt2Pattern   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	qwen2Pattern  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// splitFunc returns the scanner for a split kind: "gpt2", "llama3" or
// "qwen2" (nil for any other).
func splitFunc(kind string) func(string, func(string)) {
	switch kind {
	case "gpt2":
		return splitGPT2
	case "llama3":
		return func(s string, emit func(string)) { splitLlama3(s, 3, emit) }
	case "qwen2":
		return func(s string, emit func(string)) { splitLlama3(s, 1, emit) }
	}
	return nil
}

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
		if n := contraction(s[i:], false); n > 0 {
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
		k := whitespaceLookahead(s, i)
		emit(s[i:k])
		i = k
	}
}

// whitespaceLookahead matches \s+(?!\S)|\s+ at i (s[i] is whitespace): the
// whole run when it ends the text or is one character long, else the run
// without its last character, which is left to prefix the next token.
func whitespaceLookahead(s string, i int) int {
	k, lastW := i, 0
	for k < len(s) && class(s[k:]) == clsSpace {
		_, w := utf8.DecodeRuneInString(s[k:])
		lastW = w
		k += w
	}
	if k < len(s) && k-lastW > i {
		k -= lastW
	}
	return k
}

// splitLlama3 implements the Split regex of Llama 3 (maxDigits 3) and of
// Qwen2/Qwen2.5/Qwen3 (maxDigits 1):
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// with Isolated behaviour (every match is its own piece; the pattern
// matches every character, so there are no gaps).
func splitLlama3(s string, maxDigits int, emit func(string)) {
	i := 0
	for i < len(s) {
		if n := contraction(s[i:], true); n > 0 {
			emit(s[i : i+n])
			i += n
			continue
		}
		r, w := decode(s[i:])
		c := classOf(r, w)
		// [^\r\n\p{L}\p{N}]?\p{L}+
		if c != clsLetter && c != clsNumber && r != '\r' && r != '\n' && i+w < len(s) && class(s[i+w:]) == clsLetter {
			k := runEnd(s, i+w, clsLetter)
			emit(s[i:k])
			i = k
			continue
		}
		switch c {
		case clsLetter:
			k := runEnd(s, i, clsLetter)
			emit(s[i:k])
			i = k
			continue
		case clsNumber:
			k := i
			for n := 0; n < maxDigits && k < len(s) && class(s[k:]) == clsNumber; n++ {
				_, w := utf8.DecodeRuneInString(s[k:])
				k += w
			}
			emit(s[i:k])
			i = k
			continue
		}
		// ` ?[^\s\p{L}\p{N}]+[\r\n]*`
		j := i
		if r == ' ' && i+1 < len(s) && class(s[i+1:]) == clsOther {
			j = i + 1
		}
		if class(s[j:]) == clsOther {
			k := runEnd(s, j, clsOther)
			for k < len(s) && (s[k] == '\r' || s[k] == '\n') {
				k++
			}
			emit(s[i:k])
			i = k
			continue
		}
		// c is whitespace. \s*[\r\n]+: up to the last newline of the run.
		end, lastNL := i, -1
		for end < len(s) && class(s[end:]) == clsSpace {
			if s[end] == '\r' || s[end] == '\n' {
				lastNL = end
			}
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
		}
		if lastNL >= 0 {
			emit(s[i : lastNL+1])
			i = lastNL + 1
			continue
		}
		k := whitespaceLookahead(s, i)
		emit(s[i:k])
		i = k
	}
}

func runEnd(s string, k, c int) int {
	for k < len(s) && class(s[k:]) == c {
		_, w := utf8.DecodeRuneInString(s[k:])
		k += w
	}
	return k
}

const (
	clsSpace = iota
	clsLetter
	clsNumber
	clsOther
)

func decode(s string) (rune, int) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	return utf8.DecodeRuneInString(s)
}

func class(s string) int {
	r, w := decode(s)
	return classOf(r, w)
}

func classOf(r rune, w int) int {
	if r < utf8.RuneSelf {
		switch {
		case r == ' ' || (r >= '\t' && r <= '\r'):
			return clsSpace
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			return clsLetter
		case r >= '0' && r <= '9':
			return clsNumber
		}
		return clsOther
	}
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

// contraction matches 's|'t|'re|'ve|'m|'ll|'d at the start of s, ignoring
// case when fold is set (Unicode simple folding: ſ matches s, K (Kelvin)
// matches nothing here).
func contraction(s string, fold bool) int {
	if len(s) < 2 || s[0] != '\'' {
		return 0
	}
	c := s[1]
	if fold && c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	low := func(i int) byte {
		if i >= len(s) {
			return 0
		}
		b := s[i]
		if fold && b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		return b
	}
	switch c {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if low(2) == 'e' {
			return 3
		}
	case 'l':
		if low(2) == 'l' {
			return 3
		}
	case 0xC5: // ſ (U+017F) folds to s
		if fold && len(s) >= 3 && s[2] == 0xBF {
			return 3
		}
	}
	return 0
}

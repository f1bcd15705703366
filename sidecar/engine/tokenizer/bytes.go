package tokenizer

// byteToRune is GPT-2's reversible map from bytes to printable code points:
// printable Latin-1 bytes map to themselves and the rest to U+0100 onwards,
// so every byte sequence has a text form without spaces or control codes.
var byteToRune [256]rune

// runeToByte inverts byteToRune; -1 marks code points that are not bytes.
var runeToByte = map[rune]byte{}

func init() {
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(256 + n)
			n++
		}
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// ByteSymbol returns the vocabulary string GPT-2 uses for byte b.
func ByteSymbol(b byte) string { return string(byteToRune[b]) }

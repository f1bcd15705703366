package tokenizer_test

import (
	"testing"
	"unicode/utf8"
)

// FuzzGPT2RoundTrip: any byte string must encode to valid ids that decode
// back to exactly the same bytes.
func FuzzGPT2RoundTrip(f *testing.F) {
	for _, c := range gpt2Cases {
		f.Add(c.text)
	}
	f.Add("\xff\xfe\x00 'll 've\n\n\n x")
	tok := gpt2(f)
	f.Fuzz(func(t *testing.T, s string) {
		ids := tok.Encode(s)
		if len(ids) > len(s) {
			t.Fatalf("%d ids for %d bytes", len(ids), len(s))
		}
		back, err := tok.Decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if back != s {
			t.Fatalf("round trip %q -> %q", s, back)
		}
		if utf8.ValidString(s) != utf8.ValidString(back) {
			t.Fatal("validity changed")
		}
	})
}

package text

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrintable(t *testing.T) {
	for _, ok := range []string{"", "NVIDIA H200", "Llama 3.1 8B — instruct", "模型"} {
		require.True(t, Printable(ok), ok)
	}
	for _, bad := range []string{"a\nb", "\x1b[31mred", "tab\there", "\xff\xfe", "nul\x00", "\u0085next line"} {
		require.False(t, Printable(bad), "%q", bad)
	}
}

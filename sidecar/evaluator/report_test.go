package evaluator

import (
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// keySink records the key the report sends; done closes with it.
type keySink struct {
	strings.Builder
	closed bool
	done   chan struct{}
}

func newKeySink() *keySink { return &keySink{done: make(chan struct{})} }

func (k *keySink) Close() error { k.closed = true; close(k.done); return nil }

// runReport feeds lines to a report of n tests; lines may use {KEY} to be
// MAC'd with the key the report chose (the harness's behaviour).
func runReport(t *testing.T, n int, lines ...string) (*report, *keySink) {
	t.Helper()
	sink := newKeySink()
	r := newReport(n, sink)
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() { r.read(pr); close(done) }()
	for _, l := range lines {
		if strings.HasSuffix(l, " MAC") && r.key != nil {
			f := strings.Fields(l)
			id, _ := strconv.Atoi(f[1])
			l = strings.TrimSuffix(l, "MAC") + hex.EncodeToString(reportMAC(r.key, id, f[2]))
		}
		_, err := io.WriteString(pw, l+"\n")
		require.NoError(t, err)
		if l == "B" {
			<-sink.done // the key is chosen: later lines can be MAC'd with it
		}
	}
	require.NoError(t, pw.Close())
	<-done
	return r, sink
}

func TestReportAcceptsTheHarnessProtocol(t *testing.T) {
	r, sink := runReport(t, 3, "B", "R 0 P MAC", "R 2 F MAC", "R 1 P MAC")
	require.NoError(t, r.err)
	require.True(t, sink.closed)
	key, err := hex.DecodeString(strings.TrimSpace(sink.String()))
	require.NoError(t, err)
	require.Equal(t, r.key, key)
	passed, reported := r.count()
	require.Equal(t, 2, passed)
	require.Equal(t, 3, reported)

	// Missing verdicts are simply not passed (a crashed or unbuilt package).
	r, _ = runReport(t, 3, "B", "R 1 P MAC")
	require.NoError(t, r.err)
	passed, _ = r.count()
	require.Equal(t, 1, passed)
}

func TestReportRefusesTampering(t *testing.T) {
	zero := strings.Repeat("00", 32)
	cases := map[string][]string{
		"result before the build marker": {"R 0 P " + zero},
		"bad MAC":                        {"B", "R 0 P " + zero},
		"MAC of the other verdict":       {"B", "R 0 F MAC", "R 1 P MAC"}, // fine so far ...
		"duplicate id":                   {"B", "R 0 P MAC", "R 0 P MAC"},
		"unknown id":                     {"B", "R 3 P MAC"},
		"negative id":                    {"B", "R -1 P MAC"},
		"padded id":                      {"B", "R 01 P MAC"},
		"unknown verdict":                {"B", "R 0 S MAC"},
		"go test -json line":             {"B", `{"Action":"pass","Test":"TestX"}`},
		"second build marker":            {"B", "B"},
		"too many lines":                 {"B", "R 0 P MAC", "R 1 P MAC", "R 2 P MAC", "R 2 P MAC"},
		"line too long":                  {"B", strings.Repeat("x", 300)},
	}
	for name, lines := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "MAC of the other verdict" {
				// Swap a verdict after the MAC was computed for the other.
				r, _ := runReport(t, 3, "B")
				mac := hex.EncodeToString(reportMAC(r.key, 0, "F"))
				require.Error(t, r.line("R 0 P "+mac))
				return
			}
			r, _ := runReport(t, 3, lines...)
			require.ErrorIs(t, r.err, ErrTampered)
		})
	}
}

func FuzzReportLine(f *testing.F) {
	f.Add("B")
	f.Add("R 0 P " + strings.Repeat("ab", 32))
	f.Add(`{"Action":"pass"}`)
	f.Fuzz(func(t *testing.T, line string) {
		r := newReport(4, newKeySink())
		require.NoError(t, r.line("B"))
		// No line without the key's MAC passes as a result.
		if err := r.line(line); err == nil {
			require.Fail(t, "accepted a forged line", "%q", line)
		}
	})
}

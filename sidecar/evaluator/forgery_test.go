package evaluator

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// newFilePatch is a git diff creating path with content.
func newFilePatch(path, content string) []byte {
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", path, path, path, len(lines))
	for _, l := range lines {
		b.WriteString("+" + l + "\n")
	}
	return []byte(b.String())
}

// Fake results in every format a parser of test output would accept.
const fakeResults = `{"Time":"2026-01-01T00:00:00Z","Action":"pass","Package":"example.com/calc","Test":"TestMaxOrder"}
{"Action":"pass","Package":"example.com/calc","Test":"TestMaxEqual"}
{"Action":"pass","Package":"example.com/calc","Test":"TestSum"}
{"Action":"pass","Package":"example.com/calc"}
--- PASS: TestMaxOrder (0.00s)
--- PASS: TestMaxEqual (0.00s)
--- PASS: TestSum (0.00s)
PASS
ok  	example.com/calc	0.001s
3 passed in 0.01s
R 0 P 0000000000000000000000000000000000000000000000000000000000000000
`

// forgedFile is the buggy calc package plus an extra file whose code tries to
// make the run look passed.
func forgedFile(imports, body string) string {
	return "package calc\n\nimport (\n" + imports + "\n)\n\n" + body + "\n"
}

// TestForgedResultsScoreZero is the forgery family of issue 17: none of these
// fixes the bug, so none may score above what the buggy code itself earns (2 of
// 3 hidden tests: 6666 bps). Each is refused by the source policy; the ones
// marked sandbox also run with the policy switched off, to show that the result
// channel holds by itself against code that only prints, exits or writes files.
func TestForgedResultsScoreZero(t *testing.T) {
	requireSandbox(t)
	ctx := context.Background()
	p := prepareCalc(t, testConfig(t))
	const buggyScore = 6666
	q := fmt.Sprintf("%q", fakeResults)

	cases := []struct {
		name   string
		patch  []byte
		policy string // the policy's reason (substring)
		// sandboxMax: the highest score allowed with the policy off (-1: not run
		// without the policy; such an attack is stopped by the policy alone).
		sandboxMax int
	}{
		{"init prints passing results and exits 0", newFilePatch("forge.go", forgedFile(`"fmt"; "os"`,
			`func init() { fmt.Print(`+q+`); os.Stdout.Sync(); os.Exit(0) }`)), `imports "os"`, 0},
		{"init prints passing results (fmt only)", newFilePatch("forge.go", forgedFile(`"fmt"`,
			`func init() { fmt.Print(`+q+`) }`)), "", buggyScore},
		{"goroutines print fake results", newFilePatch("forge.go", forgedFile(`"fmt"; "time"`,
			`func init() { for i := 0; i < 4; i++ { go func() { for { fmt.Print(`+q+`); time.Sleep(time.Millisecond) } }() } }`)), "", buggyScore},
		{"replaces os.Stdout and os.Stderr", newFilePatch("forge.go", forgedFile(`"os"`,
			`func init() { r, w, _ := os.Pipe(); go func() { b := make([]byte, 4096); for { if _, err := r.Read(b); err != nil { return } } }(); os.Stdout, os.Stderr = w, w; os.NewFile(1, "").WriteString(`+q+`) }`)),
			`imports "os"`, buggyScore},
		{"TestMain in an ordinary file", newFilePatch("main_hook.go", forgedFile(`"fmt"; "os"; "testing"`,
			`func TestMain(m *testing.M) { fmt.Print(`+q+`); os.Exit(0) }`)), `imports "os"`, 0},
		{"a test file under another name", newFilePatch("calc_tests.go", forgedFile(`"testing"`,
			`func TestMaxOrder(t *testing.T) {}`)), `imports "testing"`, -1},
		{"a test file behind a build tag", newFilePatch("extra_test.go", "//go:build ignore\n\npackage calc\n"), "patch touches test files: extra_test.go", -1},
		{"go.mod replace", []byte("diff --git a/go.mod b/go.mod\n--- a/go.mod\n+++ b/go.mod\n@@ -1,3 +1,5 @@\n module example.com/calc\n \n go 1.22\n+\n+replace example.com/calc => /tmp\n"),
			"go.mod is not a Go source file", -1},
		{"go.mod toolchain", []byte("diff --git a/go.mod b/go.mod\n--- a/go.mod\n+++ b/go.mod\n@@ -1,3 +1,4 @@\n module example.com/calc\n \n go 1.22\n+toolchain go1.99.0\n"),
			"go.mod is not a Go source file", -1},
		{"vendor directory", newFilePatch("vendor/example.com/x/x.go", "package x\n"), "is under vendor/", -1},
		{"cgo", newFilePatch("cgo.go", "package calc\n\n// #include <stdio.h>\nimport \"C\"\n"), `imports "C"`, -1},
		{"C source", newFilePatch("hack.c", "int x;\n"), "hack.c is not a Go source file", -1},
		{"assembly", newFilePatch("hack_amd64.s", "TEXT ·x(SB),0,$0\n"), "is not a Go source file", -1},
		{"linkname into testing", newFilePatch("link.go", forgedFile(`_ "unsafe"`,
			"//go:linkname matchString testing.matchString\nfunc matchString(a, b string) (bool, error)")), `imports "unsafe"`, -1},
		{"linkname without unsafe", newFilePatch("link.go", "package calc\n\n//go:linkname x runtime.x\nvar x int\n"), "carries a //go:linkname directive", -1},
		{"kills the parent", newFilePatch("kill.go", forgedFile(`"os"; "syscall"`,
			`func init() { syscall.Kill(os.Getppid(), syscall.SIGKILL); syscall.Kill(1, syscall.SIGKILL) }`)), `imports "os"`, buggyScore},
		{"writes forged lines into the result descriptor", newFilePatch("fd.go", forgedFile(`"os"`,
			`func init() { f := os.NewFile(4, ""); for i := 0; i < 3; i++ { f.WriteString("R " + string(rune('0'+i)) + " P 00\n") } }`)), `imports "os"`, 0},
		{"writes into the result paths", newFilePatch("fd.go", forgedFile(`"os"`,
			`func init() { for _, p := range []string{"/dev/fd/4", "/proc/self/fd/4", "/dev/stdout"} { os.WriteFile(p, []byte("R 0 P 00\n"), 0o644) } }`)), `imports "os"`, buggyScore},
		// Under go test the hidden test files join the package, so an ordinary
		// file could reach their package-level names; the package must build
		// on its own first (this one would otherwise score 10000).
		{"refers to a hidden test from an ordinary file", []byte(string(replacePatch("calc.go", buggyCalc, goodCalc)) +
			string(newFilePatch("peek.go", "package calc\n\nvar peek = TestSum\n"))), "", 0},
		{"reads the key", newFilePatch("key.go", forgedFile(`"io"; "os"`,
			`func init() { io.ReadAll(os.NewFile(3, "")) }`)), `imports "os"`, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := p.Score(ctx, tc.patch)
			if tc.policy == "" {
				// Allowed code: it runs, and its tricks change nothing.
				require.Equal(t, "scored", o.Reason, "%+v", o)
				require.Equal(t, uint32(min(buggyScore, tc.sandboxMax)), o.ScoreBps, "%+v", o)
				return
			}
			require.Zero(t, o.ScoreBps, "%+v", o)
			require.Contains(t, o.Reason, tc.policy, "%+v", o)
			require.True(t, strings.Contains(o.Reason, "source policy") || strings.Contains(o.Reason, "test files"), "%+v", o)
			if tc.sandboxMax < 0 {
				return
			}
			p.skipSourcePolicy = true
			defer func() { p.skipSourcePolicy = false }()
			o = p.Score(ctx, tc.patch)
			t.Logf("without the policy: %+v", o)
			require.LessOrEqual(t, int(o.ScoreBps), tc.sandboxMax, "%+v", o)
		})
	}
}

package challenger

import (
	"bytes"
	"context"
	"go/scanner"
	"go/token"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A tiny module with tests: the e2e creates the same kind of repository.
var sampleFiles = map[string]string{
	"go.mod": "module example.com/sample\n\ngo 1.22\n",
	"sum.go": `package sample

// Clamp limits v to [lo, hi].
func Clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// SumFirst adds the first n values of xs.
func SumFirst(xs []int, n int) int {
	total := 0
	for i := 0; i < n && i < len(xs); i++ {
		total += xs[i]
	}
	return total
}

type Counter struct{ n int }

// Inc counts one.
func (c *Counter) Inc() { c.n++ }
`,
	"sum_test.go": `package sample

import "testing"

func TestClamp(t *testing.T) {
	cases := [][4]int{{5, 0, 10, 5}, {-1, 0, 10, 0}, {11, 0, 10, 10}, {0, 0, 10, 0}, {10, 0, 10, 10}}
	for _, c := range cases {
		if got := Clamp(c[0], c[1], c[2]); got != c[3] {
			t.Errorf("Clamp(%d, %d, %d) = %d, want %d", c[0], c[1], c[2], got, c[3])
		}
	}
}

func TestSumFirst(t *testing.T) {
	if got := SumFirst([]int{1, 2, 3, 4}, 2); got != 3 {
		t.Errorf("got %d", got)
	}
	if got := SumFirst([]int{1, 2}, 5); got != 3 {
		t.Errorf("got %d", got)
	}
}

func TestCounter(t *testing.T) {
	var c Counter
	c.Inc()
	c.Inc()
	if c.n != 2 {
		t.Errorf("got %d", c.n)
	}
}
`,
}

func writeRepo(t testing.TB) string {
	dir := t.TempDir()
	for name, body := range sampleFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

func goAvailable(t testing.TB) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("these tests need the go tool on PATH: %v", err)
	}
}

func TestFindSitesEachKind(t *testing.T) {
	dir := writeRepo(t)
	sites, err := FindSites(dir)
	require.NoError(t, err)
	byKind := map[Kind]int{}
	for _, s := range sites {
		require.Equal(t, "sum.go", s.File, "test files are never mutated")
		byKind[s.Kind]++
	}
	// Clamp: v<lo, v>hi; SumFirst: i<n, i<len(xs) → 4 comparisons.
	require.Equal(t, 4, byKind[FlipComparison])
	// total := 0 and i := 0 are definitions (not operands): no literal operand exists,
	// so no off-by-one site in this file.
	require.Equal(t, 0, byKind[OffByOne])
	// total += xs[i], i++ (the loop's post statement is not in a block), c.n++.
	require.Equal(t, 2, byKind[DropStatement])
	again, err := FindSites(dir)
	require.NoError(t, err)
	require.Equal(t, sites, again, "the walk is deterministic")
}

// TestMutateEachKindCompiles applies every site of a file holding every kind and checks
// the result differs from the original as described and still compiles.
func TestMutateEachKindCompiles(t *testing.T) {
	goAvailable(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644))
	src := `package m

func Window(xs []int, k int) []int {
	out := []int{}
	for i := 0; i+2 <= len(xs); i++ {
		if xs[i] == k {
			out = append(out, xs[1:3]...)
		}
		k += 1
	}
	return out
}
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.go"), []byte(src), 0o644))
	sites, err := FindSites(dir)
	require.NoError(t, err)
	seen := map[Kind]bool{}
	for _, s := range sites {
		seen[s.Kind] = true
		mutated, original, err := Mutate(dir, s)
		require.NoError(t, err, s.String())
		require.Equal(t, src, string(original))
		require.NotEqual(t, string(original), string(mutated), s.String())
		switch s.Kind {
		case FlipComparison:
			from, to, _ := strings.Cut(s.Desc, " → ")
			before, after := opCounts([]byte(src)), opCounts(mutated)
			require.Equal(t, before[from]-1, after[from], s.String())
			require.Equal(t, before[to]+1, after[to], s.String())
		case DropStatement:
			stmt := []byte(strings.TrimPrefix(s.Desc, "drop "))
			require.Equal(t, bytes.Count(original, stmt)-1, bytes.Count(mutated, stmt), s.String())
		}
		// Compiles: gofmt'd source in a scratch copy, built with the go tool.
		scratch := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(scratch, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(scratch, "m.go"), mutated, 0o644))
		cmd := exec.Command("go", "build", "./...")
		cmd.Dir = scratch
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s does not compile:\n%s\n%s", s, mutated, out)
	}
	require.True(t, seen[FlipComparison] && seen[OffByOne] && seen[DropStatement], "kinds seen: %v", seen)
}

// opCounts counts the operator tokens of a source.
func opCounts(src []byte) map[string]int {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("m.go", -1, len(src)), src, nil, 0)
	out := map[string]int{}
	for {
		_, tok, _ := sc.Scan()
		if tok == token.EOF {
			return out
		}
		if tok.IsOperator() {
			out[tok.String()]++
		}
	}
}

func TestMutateRejectsStaleSite(t *testing.T) {
	dir := writeRepo(t)
	sites, err := FindSites(dir)
	require.NoError(t, err)
	s := sites[0]
	s.Kind = DropStatement // sites[0] is a comparison
	_, _, err = Mutate(dir, s)
	require.ErrorContains(t, err, "file changed?")
	s = sites[0]
	s.Index = 1000
	_, _, err = Mutate(dir, s)
	require.ErrorContains(t, err, "no site 1000")
}

func TestMakeBugfix(t *testing.T) {
	goAvailable(t)
	if testing.Short() {
		t.Skip("runs go test several times")
	}
	repo := writeRepo(t)
	before, err := PackTarGz(repo, func(string) bool { return true })
	require.NoError(t, err)
	b, err := MakeBugfix(context.Background(), BugfixOptions{Repo: repo, Seed: 7})
	require.NoError(t, err)
	require.Equal(t, "sum.go", b.Site.File)
	// The validator's repository is untouched.
	after, err := PackTarGz(repo, func(string) bool { return true })
	require.NoError(t, err)
	require.Equal(t, before, after)

	snap := untar(t, b.Snapshot)
	tests := untar(t, b.Tests)
	require.ElementsMatch(t, []string{"go.mod", "sum.go"}, keys(snap))
	require.ElementsMatch(t, []string{"sum_test.go"}, keys(tests))
	require.NotEqual(t, sampleFiles["sum.go"], snap["sum.go"], "the snapshot holds the bug")
	require.Equal(t, sampleFiles["sum_test.go"], tests["sum_test.go"])

	// The snapshot plus the tests fails; with the original file back it passes.
	work := t.TempDir()
	for name, body := range snap {
		require.NoError(t, os.WriteFile(filepath.Join(work, name), []byte(body), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(work, "sum_test.go"), []byte(tests["sum_test.go"]), 0o644))
	run := ShellRunner(2 * time.Minute)
	ok, _, err := run(context.Background(), work, "go test ./...")
	require.NoError(t, err)
	require.False(t, ok, "tests must fail on the buggy snapshot")
	require.NoError(t, os.WriteFile(filepath.Join(work, "sum.go"), []byte(sampleFiles["sum.go"]), 0o644))
	ok, _, err = run(context.Background(), work, "go test ./...")
	require.NoError(t, err)
	require.True(t, ok)

	// Same seed, same challenge, byte for byte.
	again, err := MakeBugfix(context.Background(), BugfixOptions{Repo: repo, Seed: 7})
	require.NoError(t, err)
	require.Equal(t, b.Site, again.Site)
	require.Equal(t, b.Snapshot, again.Snapshot)
	require.Equal(t, b.Tests, again.Tests)
}

func TestMakeBugfixRejectsFailingRepo(t *testing.T) {
	goAvailable(t)
	repo := writeRepo(t)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "bad_test.go"),
		[]byte("package sample\n\nimport \"testing\"\n\nfunc TestBad(t *testing.T) { t.Fatal(\"x\") }\n"), 0o644))
	_, err := MakeBugfix(context.Background(), BugfixOptions{Repo: repo, Seed: 1})
	require.ErrorContains(t, err, "tests fail before any mutation")
}

// Bugs are planted only where a patch may fix them: the evaluator refuses
// patched files that import os (and the rest of its source policy).
func TestFixableSitesFollowTheEvaluatorPolicy(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pure.go"), []byte("package m\n\nfunc Max(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "io.go"), []byte("package m\n\nimport \"os\"\n\nfunc Big() bool {\n\treturn len(os.Args) > 2\n}\n"), 0o644))
	sites, err := FindSites(dir)
	require.NoError(t, err)
	files := map[string]bool{}
	for _, s := range sites {
		files[s.File] = true
	}
	require.True(t, files["io.go"] && files["pure.go"], "both files have sites: %v", files)
	kept := fixableSites(dir, sites, slog.Default())
	require.NotEmpty(t, kept)
	for _, s := range kept {
		require.Equal(t, "pure.go", s.File)
	}
}

package evaluator

import (
	"go/format"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFindHiddenTests(t *testing.T) {
	files := map[string][]byte{
		"calc_test.go": []byte(`package calc

import tst "testing"

func TestA(t *tst.T)             {}
func Test(t *tst.T)              {}
func Testlower(t *tst.T)         {} // not a test: lower case after Test
func TestTwo(a, b *tst.T)        {}
func TestResult(t *tst.T) error  { return nil }
func TestBench(b *tst.B)         {}
func TestGeneric[T any](t *tst.T) {}
func (x) TestMethod(t *tst.T)    {}
func helper(t *tst.T)            {}
func BenchmarkA(b *tst.B)        {}
`),
		"ext_test.go":         []byte("package calc_test\n\nimport \"testing\"\n\nfunc TestExt(t *testing.T) {}\n"),
		"sub/sub_test.go":     []byte("package sub\n\nimport \"testing\"\n\nfunc TestSub(t *testing.T) {}\n"),
		"sub/testdata/x.txt":  []byte("not go"),
		"notests/a_test.go":   []byte("package notests\n\nfunc helper() {}\n"),
		"README.md":           []byte("# tests"),
		"sub/sub_notatest.go": []byte("package sub\n\nimport \"testing\"\n\nfunc TestNo(t *testing.T) {}\n"),
	}
	all, pkgs, err := findHiddenTests(files)
	require.NoError(t, err)
	require.Equal(t, []HiddenTest{
		{ID: 0, Dir: ".", Name: "TestA"},
		{ID: 1, Dir: ".", Name: "Test"},
		{ID: 2, Dir: ".", External: true, Name: "TestExt"},
		{ID: 3, Dir: "sub", Name: "TestSub"},
	}, all)
	require.Len(t, pkgs, 2)
	require.Equal(t, "calc", pkgs[0].Internal)
	require.Equal(t, "calc_test", pkgs[0].External)

	// The harness of a directory with external tests lives in the external
	// package and reaches the internal tests through an import.
	src, err := harnessSource(pkgs[0], "example.com/calc")
	require.NoError(t, err)
	_, err = format.Source(src)
	require.NoError(t, err)
	require.Contains(t, string(src), "package calc_test")
	require.Contains(t, string(src), `cortdevalpkg "example.com/calc"`)
	require.Contains(t, string(src), "cortdevalpkg.TestA")
	require.Contains(t, string(src), "{2, \"TestExt\", TestExt}")
	src, err = harnessSource(pkgs[1], "example.com/calc")
	require.NoError(t, err)
	require.Contains(t, string(src), "package sub\n")
	require.NotContains(t, string(src), "cortdevalpkg")

	script := runnerScript(pkgs)
	require.Contains(t, script, "go build -o /dev/null './sub' && go test -c -vet=off -o /tmp/cortd-bin/t1 './sub'")
	require.Contains(t, script, "printf 'B\\n' >&4\nIFS= read -r k <&3 || exit 96\nexec 3<&-\n")
}

func TestFindHiddenTestsRefuses(t *testing.T) {
	cases := map[string]map[string][]byte{
		"no tests":       {"a_test.go": []byte("package a\n")},
		"own TestMain":   {"a_test.go": []byte("package a\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\nfunc TestA(t *testing.T) {}\n")},
		"does not parse": {"a_test.go": []byte("package a\n\nfunc (\n")},
		"quote in a dir": {"a'b/a_test.go": []byte("package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n")},
		"main with external tests": {
			"a_test.go": []byte("package main\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n"),
			"b_test.go": []byte("package main_test\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) {}\n"),
		},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := findHiddenTests(files)
			require.ErrorIs(t, err, ErrBadTests)
		})
	}
}

func TestCheckTestCommand(t *testing.T) {
	for _, ok := range []string{"go test ./...", "go test", "go test ./calc ./sub/..."} {
		require.NoError(t, checkTestCommand(ok), ok)
	}
	for _, bad := range []string{"", "pytest", "sh -c 'go test ./...'", "go test ./... ; echo ok", "go test -exec /bin/true ./...",
		"go test $(echo ./...)", "go vet ./..."} {
		require.ErrorIs(t, checkTestCommand(bad), ErrBadTests, bad)
	}
}

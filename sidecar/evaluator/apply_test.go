package evaluator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func snapshotDir(t *testing.T, files map[string]string) string {
	t.Helper()
	d := t.TempDir()
	for n, c := range files {
		p := filepath.Join(d, n)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(c), 0o644))
	}
	return d
}

func TestApplyPatch(t *testing.T) {
	snap := snapshotDir(t, map[string]string{"calc.go": buggyCalc, "old.go": "package calc\n", "go.mod": "module example.com/calc\n"})

	changes, err := applyPatch(snap, replacePatch("calc.go", buggyCalc, goodCalc))
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"calc.go": []byte(goodCalc)}, changes)

	changes, err = applyPatch(snap, newFilePatch("sub/new.go", "package sub\n"))
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"sub/new.go": []byte("package sub\n")}, changes)

	changes, err = applyPatch(snap, []byte("diff --git a/old.go b/old.go\ndeleted file mode 100644\n--- a/old.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-package calc\n"))
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"old.go": nil}, changes)

	changes, err = applyPatch(snap, []byte("diff --git a/old.go b/renamed.go\nsimilarity index 100%\nrename from old.go\nrename to renamed.go\n"))
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"old.go": nil, "renamed.go": []byte("package calc\n")}, changes)

	// A traditional diff (diff -ruN, as agents write them) applies with -p1.
	trad := "diff -ruN a/calc.go b/calc.go\n--- a/calc.go\t2026-12-04 17:36:15.521586801 +0000\n+++ b/calc.go\t2026-12-04 17:36:15.521586801 +0000\n" +
		string(replacePatch("calc.go", buggyCalc, goodCalc)[len("diff --git a/calc.go b/calc.go\n--- a/calc.go\n+++ b/calc.go\n"):])
	tradChanges, err := applyPatch(snap, []byte(trad))
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"calc.go": []byte(goodCalc)}, tradChanges)
	_, err = applyPatch(snap, append([]byte(trad), newFilePatch("x.go", "package calc\n")...))
	require.ErrorIs(t, err, ErrMalformedPatch, "mixed headers")

	// The patched tree is the snapshot with the changes.
	dst := filepath.Join(t.TempDir(), "tree")
	require.NoError(t, writePatchedTree(snap, dst, changes))
	_, err = os.Stat(filepath.Join(dst, "old.go"))
	require.ErrorIs(t, err, os.ErrNotExist)
	b, err := os.ReadFile(filepath.Join(dst, "renamed.go"))
	require.NoError(t, err)
	require.Equal(t, "package calc\n", string(b))

	for name, patch := range map[string][]byte{
		"context differs":      replacePatch("calc.go", goodCalc, buggyCalc),
		"missing file":         replacePatch("nope.go", "a\n", "b\n"),
		"creates an existing":  newFilePatch("old.go", "package calc\n"),
		"deletes a missing":    []byte("diff --git a/x.go b/x.go\ndeleted file mode 100644\n--- a/x.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"),
		"edits a hidden place": replacePatch("sub", "a\n", "b\n"),
	} {
		_, err := applyPatch(snap, patch)
		require.ErrorIs(t, err, ErrDoesNotApply, name)
	}
	_, err = applyPatch(snap, []byte("diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc\n"))
	require.ErrorIs(t, err, ErrSymlinkPatch)
	_, err = applyPatch(snap, []byte("not a patch\n"))
	require.ErrorIs(t, err, ErrMalformedPatch)
}

func FuzzApplyPatch(f *testing.F) {
	f.Add(replacePatch("calc.go", buggyCalc, goodCalc))
	f.Add(newFilePatch("x/y.go", "package y\n"))
	f.Add([]byte("diff --git a/old.go b/renamed.go\nrename from old.go\nrename to renamed.go\n"))
	snap := f.TempDir()
	for n, c := range map[string]string{"calc.go": buggyCalc, "old.go": "package calc\n"} {
		require.NoError(f, os.WriteFile(filepath.Join(snap, n), []byte(c), 0o644))
	}
	f.Fuzz(func(t *testing.T, patch []byte) {
		changes, err := applyPatch(snap, patch)
		if err != nil {
			return
		}
		for p := range changes {
			c, err := filepath.Rel(".", p)
			require.NoError(t, err)
			require.False(t, filepath.IsAbs(p) || c == ".." || len(c) > 2 && c[:3] == "../", "escaped: %q", p)
		}
	})
}

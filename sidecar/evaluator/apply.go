package evaluator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// ErrDoesNotApply: the patch does not apply to the snapshot (a context or
// removed line differs, a file it changes does not exist, one it creates does).
var ErrDoesNotApply = errors.New("patch does not apply")

// applyPatch applies a git diff to the snapshot in memory, on the host: the
// result is what the policy checks and exactly what the sandbox then builds (no
// git runs in the sandbox, so no second reading of the patch can differ from
// this one). It returns the changed files (path → new content; nil for a
// deletion). Paths are the cleaned, checked ones of PatchPaths.
func applyPatch(snapshot string, patch []byte) (map[string][]byte, error) {
	files, _, err := gitdiff.Parse(bytes.NewReader(patch))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedPatch, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no file headers", ErrMalformedPatch)
	}
	// go-gitdiff strips a/ and b/ from git headers only; a traditional diff
	// (diff -ruN) keeps them. git apply strips one component (-p1) from both, so
	// do the same, and refuse a patch that mixes the two kinds.
	gitHeaders := bytes.Count(patch, []byte("\ndiff --git "))
	if bytes.HasPrefix(patch, []byte("diff --git ")) {
		gitHeaders++
	}
	traditional := gitHeaders == 0
	if !traditional && gitHeaders != len(files) {
		return nil, fmt.Errorf("%w: git and traditional file headers mixed", ErrMalformedPatch)
	}
	out := map[string][]byte{}
	read := func(p string) ([]byte, bool, error) {
		if b, ok := out[p]; ok {
			return b, b != nil, nil
		}
		b, err := readInside(snapshot, p)
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, nil
		}
		return b, err == nil, err
	}
	for _, f := range files {
		if f.IsBinary {
			return nil, fmt.Errorf("%w: binary change to %s", ErrPolicy, f.NewName)
		}
		if m := f.NewMode & 0o170000; m != 0 && m != 0o100000 {
			return nil, ErrSymlinkPatch // git's 120000 (symlink) and 160000 (gitlink)
		}
		if traditional {
			if f.OldName, err = stripComponent(f.OldName); err == nil {
				f.NewName, err = stripComponent(f.NewName)
			}
			if err != nil {
				return nil, err
			}
		}
		oldName, newName, err := cleanNames(f)
		if err != nil {
			return nil, err
		}
		var src []byte
		if !f.IsNew {
			b, ok, err := read(oldName)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%w: %s does not exist", ErrDoesNotApply, oldName)
			}
			src = b
		} else if _, ok, err := read(newName); err != nil {
			return nil, err
		} else if ok {
			return nil, fmt.Errorf("%w: %s already exists", ErrDoesNotApply, newName)
		}
		var dst bytes.Buffer
		if err := gitdiff.Apply(&dst, bytes.NewReader(src), f); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrDoesNotApply, newName, err)
		}
		switch {
		case f.IsDelete:
			out[oldName] = nil
		case f.IsRename:
			out[oldName] = nil
			out[newName] = dst.Bytes()
		default:
			out[newName] = dst.Bytes()
		}
	}
	return out, nil
}

// stripComponent drops the a/ or b/ of a traditional diff's name ("" stays "").
func stripComponent(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	_, rest, ok := strings.Cut(name, "/")
	if !ok || rest == "" {
		return "", fmt.Errorf("%w: path %q without a/ or b/ prefix", ErrMalformedPatch, name)
	}
	return rest, nil
}

// cleanNames are the patch's old and new paths, relative and inside the root
// (go-gitdiff strips the a/ and b/ prefixes; "" for /dev/null sides).
func cleanNames(f *gitdiff.File) (string, string, error) {
	clean := func(p string) (string, error) {
		if p == "" {
			return "", nil
		}
		c := path.Clean(p)
		if path.IsAbs(c) || c == "." || c == ".." || strings.HasPrefix(c, "../") || strings.ContainsRune(c, 0) {
			return "", fmt.Errorf("%w: path %q leaves the root", ErrMalformedPatch, p)
		}
		return c, nil
	}
	o, err := clean(f.OldName)
	if err != nil {
		return "", "", err
	}
	n, err := clean(f.NewName)
	if err != nil {
		return "", "", err
	}
	if n == "" {
		n = o
	}
	if o == "" {
		o = n
	}
	if n == "" {
		return "", "", fmt.Errorf("%w: a file without a name", ErrMalformedPatch)
	}
	return o, n, nil
}

// readInside reads root/rel when it is a regular file reached without symlinks
// (the unpacked snapshot holds none, but check anyway).
func readInside(root, rel string) ([]byte, error) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if !strings.HasPrefix(p, root+string(filepath.Separator)) {
		return nil, fmt.Errorf("%w: path %q leaves the root", ErrMalformedPatch, rel)
	}
	st, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrDoesNotApply, rel)
	}
	return os.ReadFile(p)
}

// writePatchedTree lays out dst as the snapshot with the changes made.
func writePatchedTree(snapshot, dst string, changes map[string][]byte) error {
	if err := copyTree(snapshot, dst); err != nil {
		return err
	}
	paths := make([]string, 0, len(changes))
	for p := range changes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		to := filepath.Join(dst, filepath.FromSlash(p))
		if changes[p] == nil {
			if err := os.Remove(to); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, changes[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

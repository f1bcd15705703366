package evaluator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Reasons a patch scores zero before (or instead of) its tests running.
var (
	ErrEmptyPatch     = errors.New("empty patch")
	ErrPatchTooLarge  = errors.New("patch too large")
	ErrMalformedPatch = errors.New("malformed patch")
	ErrTouchesTests   = errors.New("patch touches test files")
	ErrSymlinkPatch   = errors.New("patch creates a symlink or submodule")
)

// PatchPaths returns the repository paths a unified (git) diff touches, from its
// `diff --git`, `---`/`+++`, rename and copy lines. It refuses patches whose
// paths are absolute or leave the root, and patches that create symlinks or
// gitlinks (modes 120000 and 160000): a link could redirect where the hidden
// tests are copied.
func PatchPaths(patch []byte) ([]string, error) {
	if len(bytes.TrimSpace(patch)) == 0 {
		return nil, ErrEmptyPatch
	}
	set := map[string]bool{}
	var out []string
	add := func(raw string, strip bool) error {
		p, err := diffPath(raw, strip)
		if err != nil {
			return err
		}
		if p == "" {
			return nil
		}
		if !set[p] {
			set[p] = true
			out = append(out, p)
		}
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(patch))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		var err error
		switch {
		case strings.HasPrefix(line, "diff --git "):
			if p, ok := sameGitPaths(strings.TrimPrefix(line, "diff --git ")); ok {
				err = add(p, true)
			}
		case strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "+++ "):
			f := line[4:]
			if i := strings.IndexByte(f, '\t'); i >= 0 && !strings.HasPrefix(f, `"`) {
				f = f[:i] // a timestamp after a tab
			}
			err = add(f, true)
		case strings.HasPrefix(line, "rename from "), strings.HasPrefix(line, "copy from "),
			strings.HasPrefix(line, "rename to "), strings.HasPrefix(line, "copy to "):
			err = add(strings.SplitN(line, " ", 3)[2], false) // "rename from P", "copy to P"
		case strings.HasSuffix(line, " 120000"), strings.HasSuffix(line, " 160000"):
			if strings.HasPrefix(line, "new file mode ") || strings.HasPrefix(line, "new mode ") ||
				strings.HasPrefix(line, "index ") {
				return nil, ErrSymlinkPatch
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedPatch, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no file headers", ErrMalformedPatch)
	}
	return out, nil
}

// sameGitPaths splits `a/P b/P` (the usual case: same path on both sides).
func sameGitPaths(s string) (string, bool) {
	if strings.HasPrefix(s, `"`) {
		return "", false // quoted: the ---/+++ lines carry the names
	}
	n := len(s)
	if n < 7 || (n-5)%2 != 0 {
		return "", false
	}
	lp := (n - 5) / 2
	if s[:2] != "a/" || s[2+lp:2+lp+3] != " b/" || s[2:2+lp] != s[n-lp:] {
		return "", false
	}
	return s[:2+lp], true
}

// diffPath normalises one path of a diff header: unquotes C-style quoting,
// strips the a/ or b/ prefix (strip), maps /dev/null to "".
func diffPath(raw string, strip bool) (string, error) {
	raw = strings.TrimRight(raw, "\r")
	if strings.HasPrefix(raw, `"`) {
		u, err := strconv.Unquote(raw)
		if err != nil {
			return "", fmt.Errorf("%w: bad quoted path %s", ErrMalformedPatch, raw)
		}
		raw = u
	}
	if raw == "/dev/null" {
		return "", nil
	}
	if strip {
		if !strings.HasPrefix(raw, "a/") && !strings.HasPrefix(raw, "b/") {
			return "", fmt.Errorf("%w: path %q without a/ or b/ prefix", ErrMalformedPatch, raw)
		}
		raw = raw[2:]
	}
	if raw == "" || strings.HasPrefix(raw, "/") || strings.ContainsRune(raw, 0) {
		return "", fmt.Errorf("%w: bad path %q", ErrMalformedPatch, raw)
	}
	for _, part := range strings.Split(raw, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: path %q leaves the root", ErrMalformedPatch, raw)
		}
	}
	return path.Clean(raw), nil
}

// IsTestPath reports whether a patch may not touch p: a hidden test file, any Go
// or Python test file (a new test the miner adds would inflate the count), a
// conftest.py, or anything under a testdata directory.
func IsTestPath(p string, hidden map[string]bool) bool {
	if hidden[p] {
		return true
	}
	base := path.Base(p)
	switch {
	case strings.HasSuffix(base, "_test.go"),
		strings.HasSuffix(base, ".py") && (strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py")),
		base == "conftest.py":
		return true
	}
	for _, part := range strings.Split(p, "/") {
		if part == "testdata" {
			return true
		}
	}
	return false
}

// CheckPatch is the static part of the evaluation: the patch is non-empty, not
// over max bytes, well-formed, touches no test file and only ordinary Go source
// files (checkPatchPath). Whether it applies, and what the patched files import,
// is checked when it is applied on the host (applyPatch, CheckGoSource).
func CheckPatch(patch []byte, max int, hidden map[string]bool) error {
	if len(bytes.TrimSpace(patch)) == 0 {
		return ErrEmptyPatch
	}
	if max > 0 && len(patch) > max {
		return fmt.Errorf("%w: %d bytes > %d", ErrPatchTooLarge, len(patch), max)
	}
	paths, err := PatchPaths(patch)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if IsTestPath(p, hidden) {
			return fmt.Errorf("%w: %s", ErrTouchesTests, p)
		}
		if err := checkPatchPath(p); err != nil {
			return err
		}
	}
	return nil
}

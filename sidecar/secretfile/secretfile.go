// Package secretfile reads and writes files that hold secrets (API keys, keyring
// passphrases) with owner-only permissions, the way ssh treats private keys.
//
// Read refuses a file that its group or other users may read or write: a secret
// that others can read is already leaked, and starting anyway would hide that.
// The error names the file, its mode and the fix (chmod 600), so an operator sees
// it at start-up rather than a silent warning in a log nobody reads.
package secretfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Mode is the permission secrets are written with: read and write by the owner only.
const Mode fs.FileMode = 0o600

// ErrTooOpen is returned (wrapped) by Read for a file others may read or write.
var ErrTooOpen = errors.New("secret file is readable or writable by group or others")

// Check refuses path unless it is a regular file that only its owner may read or
// write (mode 0600 or stricter; 0400 is fine). Symbolic links are followed: what
// matters is the file the bytes come from.
func Check(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: a secret must be a regular file, not %v", path, st.Mode().Type())
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s (mode %04o): %w; run: chmod 600 %s", path, perm, ErrTooOpen, path)
	}
	return nil
}

// Read returns the contents of the secret file at path after Check.
func Read(path string) ([]byte, error) {
	if err := Check(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// Write replaces path with data, mode 0600, atomically: the bytes go to a new
// temporary file in the same folder (created 0600, so they are never readable by
// others, whatever the umask) that is then renamed over path.
func Write(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr, os.Chmod(tmp, Mode)); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

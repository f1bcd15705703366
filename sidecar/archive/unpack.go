// Package archive unpacks the tar.gz archives that arrive from the chain (challenge
// snapshots and hidden tests) for every role that needs them: the validators'
// evaluator and the miners' challenge agent. Their URLs and contents are written by
// others, so unpacking is bounded (bytes, entries) and refuses anything that could
// reach outside the folder: only regular files and directories, relative names
// without "..".
package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrBad: an archive is not a gzip'd tar of plain files and directories inside its
// root, or is over a cap.
var ErrBad = errors.New("bad archive")

// Limits bound what one archive may expand to (a gzip bomb stops at the cap).
type Limits struct {
	MaxBytes int64 // total bytes of file contents
	MaxFiles int   // entries
}

// DefaultLimits fit x/challenges' default max_snapshot_bytes (64 MiB compressed).
var DefaultLimits = Limits{MaxBytes: 256 << 20, MaxFiles: 20000}

// Unpack extracts a tar.gz into dir (which must exist) and returns the slash
// paths of the regular files it wrote. Only regular files and directories are
// accepted: symlinks, hard links, devices and anything else are refused, so
// nothing can point outside dir; names must be relative and stay inside dir
// (no "..", no absolute paths); files are created with O_EXCL and modes 0644 or
// 0755. A zero (or negative) limit is its DefaultLimits value, never "no limit". On
// error dir may hold part of the archive: the caller discards it.
func Unpack(data []byte, dir string, lim Limits) ([]string, error) {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultLimits.MaxBytes
	}
	if lim.MaxFiles <= 0 {
		lim.MaxFiles = DefaultLimits.MaxFiles
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBad, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var files []string
	var total int64
	entries := 0
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBad, err)
		}
		entries++
		if entries > lim.MaxFiles {
			return nil, fmt.Errorf("%w: more than %d entries", ErrBad, lim.MaxFiles)
		}
		rel, err := cleanName(hdr.Name)
		if err != nil {
			return nil, err
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if rel == "." {
				continue
			}
			if err := os.MkdirAll(target, 0o755); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBad, rel, err)
			}
		case tar.TypeReg:
			if rel == "." || seen[rel] {
				return nil, fmt.Errorf("%w: duplicate or empty name %q", ErrBad, hdr.Name)
			}
			seen[rel] = true
			if hdr.Size < 0 || total+hdr.Size > lim.MaxBytes {
				return nil, fmt.Errorf("%w: more than %d bytes unpacked", ErrBad, lim.MaxBytes)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBad, rel, err)
			}
			mode := os.FileMode(0o644)
			if hdr.Mode&0o111 != 0 {
				mode = 0o755
			}
			f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBad, rel, err)
			}
			n, err := io.Copy(f, io.LimitReader(tr, hdr.Size))
			cerr := f.Close()
			if err != nil || cerr != nil || n != hdr.Size {
				return nil, fmt.Errorf("%w: %s: short or failed write (%d of %d bytes)", ErrBad, rel, n, hdr.Size)
			}
			total += n
			files = append(files, rel)
		default:
			return nil, fmt.Errorf("%w: %q is not a regular file or directory (type %q)", ErrBad, hdr.Name, hdr.Typeflag)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no files", ErrBad)
	}
	return files, nil
}

// cleanName turns an archive name into a clean relative slash path, refusing
// anything that could leave the extraction root.
func cleanName(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return "", fmt.Errorf("%w: bad name %q", ErrBad, name)
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("%w: absolute name %q", ErrBad, name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: name %q leaves the root", ErrBad, name)
		}
	}
	return path.Clean(name), nil
}

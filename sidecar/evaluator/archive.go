package evaluator

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

// ErrBadArchive: an archive is not a gzip'd tar of plain files and directories
// inside its root, or is over a size cap.
var ErrBadArchive = errors.New("bad archive")

// UnpackLimits bound what one archive may expand to (a gzip bomb stops at the cap).
type UnpackLimits struct {
	MaxBytes int64 // total bytes of file contents
	MaxFiles int   // entries
}

// DefaultUnpackLimits fit the chain's default snapshot cap (64 MiB compressed).
var DefaultUnpackLimits = UnpackLimits{MaxBytes: 256 << 20, MaxFiles: 20000}

// Unpack extracts a tar.gz into dir (which must exist) and returns the slash
// paths of the regular files it wrote. Only regular files and directories are
// accepted: symlinks, hard links, devices and anything else are refused, so
// nothing can point outside dir; names must be relative and stay inside dir
// (no "..", no absolute paths); files are created with O_EXCL and modes 0644 or
// 0755. On error dir may hold part of the archive: the caller discards it.
func Unpack(data []byte, dir string, lim UnpackLimits) ([]string, error) {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadArchive, err)
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
			return nil, fmt.Errorf("%w: %v", ErrBadArchive, err)
		}
		entries++
		if entries > lim.MaxFiles {
			return nil, fmt.Errorf("%w: more than %d entries", ErrBadArchive, lim.MaxFiles)
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
				return nil, fmt.Errorf("%w: %s: %v", ErrBadArchive, rel, err)
			}
		case tar.TypeReg:
			if rel == "." || seen[rel] {
				return nil, fmt.Errorf("%w: duplicate or empty name %q", ErrBadArchive, hdr.Name)
			}
			seen[rel] = true
			if hdr.Size < 0 || total+hdr.Size > lim.MaxBytes {
				return nil, fmt.Errorf("%w: more than %d bytes unpacked", ErrBadArchive, lim.MaxBytes)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBadArchive, rel, err)
			}
			mode := os.FileMode(0o644)
			if hdr.Mode&0o111 != 0 {
				mode = 0o755
			}
			f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBadArchive, rel, err)
			}
			n, err := io.Copy(f, io.LimitReader(tr, hdr.Size))
			cerr := f.Close()
			if err != nil || cerr != nil || n != hdr.Size {
				return nil, fmt.Errorf("%w: %s: short or failed write (%d of %d bytes)", ErrBadArchive, rel, n, hdr.Size)
			}
			total += n
			files = append(files, rel)
		default:
			return nil, fmt.Errorf("%w: %q is not a regular file or directory (type %q)", ErrBadArchive, hdr.Name, hdr.Typeflag)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no files", ErrBadArchive)
	}
	return files, nil
}

// cleanName turns an archive name into a clean relative slash path, refusing
// anything that could leave the extraction root.
func cleanName(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return "", fmt.Errorf("%w: bad name %q", ErrBadArchive, name)
	}
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("%w: absolute name %q", ErrBadArchive, name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: name %q leaves the root", ErrBadArchive, name)
		}
	}
	return path.Clean(name), nil
}

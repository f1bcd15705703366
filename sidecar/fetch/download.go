package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Download writes the bytes at rawURL to dest when they are exactly size bytes whose
// sha256 is sha256Hex, under the same destination rules as Fetch. The bytes stream into
// dest+".part", which stays on disk when the transfer is cut: the next Download of the
// same dest resumes after the bytes already there with an HTTP Range request (a server
// that answers 200 instead of 206 sends everything again; a file URL is read from the
// offset). The whole file is hashed, the kept part included, and dest appears (renamed
// from the part file) only once size and sha256 match; a mismatch deletes the part file,
// so the next try starts clean. progress, if not nil, is called with the bytes of dest
// present so far (the kept part first). Options.Timeout bounds the call when set; unlike
// Fetch there is no default, since model files take as long as they take.
func Download(ctx context.Context, rawURL, dest string, size uint64, sha256Hex string, o Options, progress func(done uint64)) error {
	if size > maxSize || (o.MaxBytes > 0 && size > o.MaxBytes) {
		return fmt.Errorf("%w: claimed %d bytes > limit %d", ErrTooLarge, size, o.MaxBytes)
	}
	want, err := hex.DecodeString(sha256Hex)
	if err != nil || len(want) != sha256.Size {
		return fmt.Errorf("%w: claimed checksum %q is not 64 hex digits", ErrChecksum, sha256Hex)
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	if progress == nil {
		progress = func(uint64) {}
	}
	// A server that stops sending (connection open, no bytes) would hold the download
	// for ever: cancel after downloadStall without a byte. The part file stays.
	part := dest + ".part"
	h := sha256.New()
	have, err := hashPart(part, size, h) // local reading: before the stall clock starts
	if err != nil {
		return err
	}
	progress(have)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(downloadStall, func() { cancel(errStalled) })
	defer stall.Stop()
	progress0 := progress
	progress = func(n uint64) { stall.Reset(downloadStall); progress0(n) }
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if have < size {
		body, restart, err := openAt(ctx, rawURL, have, policy{allowLocal: o.AllowLocal, trusted: o.trusted})
		if err != nil {
			return err
		}
		defer body.Close()
		if restart { // the server ignored the Range: start over
			have = 0
			h.Reset()
			if err := f.Truncate(0); err != nil {
				return err
			}
		}
		if _, err := f.Seek(int64(have), io.SeekStart); err != nil {
			return err
		}
		have, err = copyLimited(ctx, f, h, body, have, size, progress)
		if errors.Is(err, ErrTooLarge) {
			f.Close()
			os.Remove(part) // not the claimed file: nothing to resume
		}
		if err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if have != size {
		return fmt.Errorf("%w: %d bytes, claimed %d", ErrSizeMismatch, have, size)
	}
	if got := h.Sum(nil); !equalBytes(got, want) {
		os.Remove(part)
		return fmt.Errorf("%w: got %x, claimed %s", ErrChecksum, got, sha256Hex)
	}
	return os.Rename(part, dest)
}

func equalBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// downloadStall is how long Download waits for a byte before giving up (a variable for tests).
var downloadStall = time.Minute

var errStalled = errors.New("no data received for too long")

// hashPart feeds an existing part file into h and returns its length; a part longer
// than size (a different file was there) is deleted.
func hashPart(part string, size uint64, h hash.Hash) (uint64, error) {
	pf, err := os.Open(part)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer pf.Close()
	st, err := pf.Stat()
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() || uint64(st.Size()) > size {
		pf.Close()
		return 0, os.Remove(part)
	}
	n, err := io.Copy(h, pf)
	if err != nil {
		return 0, err
	}
	return uint64(n), nil
}

// openAt opens rawURL from byte offset. restart reports that the source sends from byte
// 0 after all (an HTTP server that does not do ranges).
func openAt(ctx context.Context, rawURL string, offset uint64, p policy) (io.ReadCloser, bool, error) {
	u, err := p.checkURL(rawURL)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if u.Scheme == "file" {
		f, err := os.Open(u.Path)
		if err != nil {
			return nil, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if _, err := f.Seek(int64(offset), io.SeekStart); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return f, false, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatUint(offset, 10)+"-")
	}
	res, err := clientFor(p).Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	switch {
	case res.StatusCode == http.StatusOK:
		return res.Body, offset > 0, nil
	case res.StatusCode == http.StatusPartialContent && offset > 0:
		// The range must start where we are; anything else would splice wrong bytes.
		var start uint64
		if _, err := fmt.Sscanf(res.Header.Get("Content-Range"), "bytes %d-", &start); err != nil || start != offset {
			res.Body.Close()
			return nil, false, fmt.Errorf("%w: GET %s: Content-Range %q does not start at %d", ErrUnavailable,
				res.Request.URL.Redacted(), res.Header.Get("Content-Range"), offset)
		}
		return res.Body, false, nil
	default:
		res.Body.Close()
		return nil, false, fmt.Errorf("%w: GET %s: %s", ErrUnavailable, res.Request.URL.Redacted(), res.Status)
	}
}

// copyLimited appends r to w and h from have on, failing as soon as more than size bytes
// in all arrive. It returns the bytes present after the copy.
func copyLimited(ctx context.Context, w io.Writer, h hash.Hash, r io.Reader, have, size uint64, progress func(uint64)) (uint64, error) {
	buf := make([]byte, 256<<10)
	lr := io.LimitReader(r, int64(size-have)+1)
	for {
		n, err := lr.Read(buf)
		if n > 0 {
			if have+uint64(n) > size {
				return have, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, size)
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return have, werr
			}
			h.Write(buf[:n])
			have += uint64(n)
			progress(have)
		}
		if err == io.EOF {
			return have, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			return have, fmt.Errorf("%w: after %d bytes: %v", ErrUnavailable, have, err)
		}
	}
}

// FetchUpTo is Fetch for bytes whose size is not claimed, only bounded: at most limit
// bytes whose sha256 is sha256Hex (a model manifest named by its hash on chain).
func FetchUpTo(ctx context.Context, rawURL string, limit uint64, sha256Hex string, o Options) ([]byte, error) {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	want, err := hex.DecodeString(sha256Hex)
	if err != nil || len(want) != sha256.Size || limit > maxSize {
		return nil, fmt.Errorf("%w: claimed checksum %q is not 64 hex digits", ErrChecksum, sha256Hex)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	body, err := open(ctx, rawURL, policy{allowLocal: o.AllowLocal, trusted: o.trusted})
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: after %d bytes: %v", ErrUnavailable, len(data), err)
	}
	if uint64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if got := sha256.Sum256(data); !equalBytes(got[:], want) {
		return nil, fmt.Errorf("%w: got %x, claimed %s", ErrChecksum, got, sha256Hex)
	}
	return data, nil
}

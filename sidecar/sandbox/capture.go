package sandbox

import "sync"

// capWriter keeps the first max bytes written to it and signals full once more
// arrive, so the run can be killed instead of printing gigabytes into a pipe.
type capWriter struct {
	mu        sync.Mutex
	max       int64
	buf       []byte
	truncated bool
	full      chan struct{}
}

func newCapWriter(max int64) *capWriter {
	return &capWriter{max: max, full: make(chan struct{})}
}

// Write never fails: failing would make os/exec stop copying and the child block
// on a full pipe; excess bytes are dropped instead.
func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	room := w.max - int64(len(w.buf))
	if int64(len(p)) <= room {
		w.buf = append(w.buf, p...)
		return len(p), nil
	}
	if room > 0 {
		w.buf = append(w.buf, p[:room]...)
	}
	if !w.truncated {
		w.truncated = true
		close(w.full)
	}
	return len(p), nil
}

func (w *capWriter) bytes() ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]byte(nil), w.buf...), w.truncated
}

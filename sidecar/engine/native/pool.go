package native

import "sync"

// statePool keeps a few states per model so requests reuse their KV cache
// buffers instead of allocating tens of megabytes each time.
type statePool struct {
	mu   sync.Mutex
	free []*State
}

// The pool keeps at most maxPooled states and maxPooledBytes of them (a
// batch of short texts returns many small states at once).
const (
	maxPooled      = 16
	maxPooledBytes = 512 << 20
)

// bytes is the memory the state holds.
func (s *State) bytes() int64 {
	var n int
	for l := range s.kc {
		for h := range s.kc[l] {
			n += len(s.kc[l][h].Data) + len(s.vc[l][h].Data)
		}
	}
	if sc := s.sc; sc != nil {
		n += len(sc.x) + len(sc.h) + len(sc.q) + len(sc.k) + len(sc.v) + len(sc.att) + len(sc.tmp) + len(sc.ff) + len(sc.ff2) + len(sc.scores)
	}
	return 4 * int64(n)
}

func (m *Model) getState(n int) (*State, error) {
	m.pool.mu.Lock()
	for i, s := range m.pool.free {
		if s.cap >= n {
			m.pool.free = append(m.pool.free[:i], m.pool.free[i+1:]...)
			m.pool.mu.Unlock()
			s.Reset()
			return s, nil
		}
	}
	m.pool.mu.Unlock()
	// Round up so a state fits later requests of similar size.
	c := min(m.Cfg.MaxPos, (n+127)/128*128)
	return m.NewState(c)
}

func (m *Model) putState(s *State) {
	m.pool.mu.Lock()
	defer m.pool.mu.Unlock()
	m.pool.free = append(m.pool.free, s)
	var total int64
	for _, f := range m.pool.free {
		total += f.bytes()
	}
	for len(m.pool.free) > maxPooled || (total > maxPooledBytes && len(m.pool.free) > 1) {
		total -= m.pool.free[0].bytes()
		m.pool.free[0] = nil
		m.pool.free = m.pool.free[1:]
	}
}

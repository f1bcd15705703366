package native

import "sync"

// statePool keeps a few states per model so requests reuse their KV cache
// buffers instead of allocating tens of megabytes each time.
type statePool struct {
	mu   sync.Mutex
	free []*State
}

const maxPooled = 4

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
	if len(m.pool.free) >= maxPooled {
		m.pool.free = m.pool.free[1:]
	}
	m.pool.free = append(m.pool.free, s)
}

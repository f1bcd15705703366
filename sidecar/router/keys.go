package router

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cortnet/cortd/sidecar/secretfile"
)

// LoadKeys reads API keys (bearer tokens), one per line; blank lines and lines
// starting with # are ignored. Like a keyring passphrase, the file must be
// readable by its owner only (secretfile.Check): a key others can read spends
// the router's funds.
func LoadKeys(path string) (map[string]bool, error) {
	if err := secretfile.Check(path); err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	defer f.Close()
	keys := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keys[line] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("api keys: %s holds no key", path)
	}
	return keys, nil
}

// limiter is a token bucket per API key: Burst requests at once, refilled at
// PerMinute per minute.
type limiter struct {
	perMinute, burst float64
	mu               sync.Mutex
	buckets          map[string]*bucket
	now              func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{perMinute: float64(perMinute), burst: float64(max(burst, 1)), buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes one token for key; false means the key is over its rate.
func (l *limiter) allow(key string) bool {
	if l.perMinute <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Minutes()*l.perMinute)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

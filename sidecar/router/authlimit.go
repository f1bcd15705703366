package router

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// AuthLimit bounds failed authentications per client address: after Failures
// failures within Window, every request from that address (even with a valid
// key, so that a guess cannot be confirmed) is answered 429 until the window that
// began with its first failure ends. Addresses are remote IPs as the router sees
// them (X-Forwarded-For is not trusted); IPv6 clients are grouped by /64, the
// block one host usually holds. The table keeps at most TableSize addresses,
// evicting the least recently failed: memory stays bounded whatever the number
// of attacking addresses.
type AuthLimit struct {
	Failures  int           // 0: no limit
	Window    time.Duration // default 5 min
	TableSize int           // default 10,000
}

type authEntry struct {
	start    time.Time
	failures int
}

type authLimiter struct {
	cfg   AuthLimit
	mu    sync.Mutex
	table *simplelru.LRU[netip.Prefix, *authEntry]
}

func newAuthLimiter(cfg AuthLimit) *authLimiter {
	if cfg.Failures <= 0 {
		return nil
	}
	if cfg.Window <= 0 {
		cfg.Window = 5 * time.Minute
	}
	if cfg.TableSize <= 0 {
		cfg.TableSize = 10_000
	}
	t, err := simplelru.NewLRU[netip.Prefix, *authEntry](cfg.TableSize, nil)
	if err != nil { // only for a size ≤ 0, excluded above
		panic(err)
	}
	return &authLimiter{cfg: cfg, table: t}
}

// clientPrefix is the address a request's failures are counted against.
func clientPrefix(remoteAddr string) netip.Prefix {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{} // unparseable: all such clients share one entry
	}
	ip = ip.Unmap().WithZone("")
	bitsKept := 32
	if ip.Is6() {
		bitsKept = 64
	}
	p, _ := ip.Prefix(bitsKept)
	return p
}

// blocked reports whether the address has used up its failures, and for how long.
func (a *authLimiter) blocked(p netip.Prefix, now time.Time) (time.Duration, bool) {
	if a == nil {
		return 0, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.table.Peek(p)
	if !ok {
		return 0, false
	}
	end := e.start.Add(a.cfg.Window)
	if !now.Before(end) {
		a.table.Remove(p)
		return 0, false
	}
	if e.failures < a.cfg.Failures {
		return 0, false
	}
	return end.Sub(now), true
}

// fail counts one failed authentication from the address.
func (a *authLimiter) fail(p netip.Prefix, now time.Time) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.table.Get(p)
	if !ok || !now.Before(e.start.Add(a.cfg.Window)) {
		a.table.Add(p, &authEntry{start: now, failures: 1})
		return
	}
	e.failures++
}

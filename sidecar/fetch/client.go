package fetch

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// maxRedirects bounds a redirect chain (each hop is checked like the first URL).
const maxRedirects = 5

// newClient builds the HTTP client of one policy. The address rule runs in the
// dialer's Control hook, after DNS resolution and on the exact address about to be
// connected, so a name that resolves to 127.0.0.1 (or re-resolves to it between a check
// and the connect: DNS rebinding) is refused, and every redirect hop dials through it.
//
// Proxy is nil on purpose: with a proxy from the environment (HTTP_PROXY, ...) the dial
// would be to the proxy, which would then reach internal addresses on our behalf, out of
// the hook's sight. Validators that need an egress proxy should enforce the same rule there.
func newClient(p policy) *http.Client {
	d := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			if network != "tcp4" && network != "tcp6" {
				return fmt.Errorf("%w: network %s", ErrRefused, network)
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: address %q: %v", ErrRefused, address, err)
			}
			return p.checkAddrPort(ap)
		},
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil, // see above: a proxy would bypass the dial check
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			ResponseHeaderTimeout: 30 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			IdleConnTimeout:       30 * time.Second,
			MaxIdleConnsPerHost:   4,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrRefused, maxRedirects)
			}
			// The scheme (no file://, ftp://, ...) and IP literals; names are dialled
			// through the hook above.
			return p.checkParsed(req.URL)
		},
	}
}

// The two clients every caller shares (connection reuse); tests build their own.
var (
	publicClient = sync.OnceValue(func() *http.Client { return newClient(policy{}) })
	localClient  = sync.OnceValue(func() *http.Client { return newClient(policy{allowLocal: true}) })
)

func clientFor(p policy) *http.Client {
	switch {
	case p.trusted != nil:
		return newClient(p)
	case p.allowLocal:
		return localClient()
	default:
		return publicClient()
	}
}

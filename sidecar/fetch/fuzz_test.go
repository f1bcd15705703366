package fetch

import (
	"net/netip"
	"testing"
)

// FuzzCheckURL: whatever the string, a URL the default policy accepts is http or https
// with a host, and a host written as an IP address is a public one; with AllowLocal,
// file URLs name no other host. (Names are judged at dial time, not here.)
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.com/x", "http://127.0.0.1:80/", "file:///etc/passwd", "FILE://localhost/x",
		"http://[::ffff:127.0.0.1]/", "http://[fe80::1%25eth0]/", "gopher://x/", "data:,x", "http://0x7f.1/", "http://2130706433/",
		"http://[64:ff9b::a00:1]:8080/", "HtTp://8.8.8.8/", "http://user:pw@10.0.0.1/", "http://example.com@127.0.0.1/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := policy{}.checkURL(s)
		if err == nil {
			if u.Scheme != "http" && u.Scheme != "https" {
				t.Fatalf("%q accepted with scheme %q", s, u.Scheme)
			}
			if u.Hostname() == "" {
				t.Fatalf("%q accepted without a host", s)
			}
			if a, perr := netip.ParseAddr(u.Hostname()); perr == nil && !isPublic(a) {
				t.Fatalf("%q accepted with the non-public address %s", s, a)
			}
		}
		if u, err := (policy{allowLocal: true}).checkURL(s); err == nil && u.Scheme == "file" && u.Host != "" && u.Host != "localhost" {
			t.Fatalf("%q: file URL with host %q accepted", s, u.Host)
		}
	})
}

// Package urlrule is the chain's rule for URLs that validators' sidecars download
// (x/data submissions, x/challenges snapshots and tests). A URL in a transaction is a
// request its sender makes every validator send, so the chain admits only http and
// https to hosts that are not obviously the validator's own; the fetcher
// (sidecar/fetch) applies the full rule to the resolved addresses, since only it sees
// DNS. file:// and local hosts exist for local networks, behind each module's
// allow_local_urls param. Pure and deterministic: no lookups, no clock.
package urlrule

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ValidateShape is the stateless part: 1..max bytes of printable ASCII without
// spaces, a lowercase scheme of http, https or file, a host for http(s), no user info
// (`http://good.example@10.0.0.1/` reads as one host and dials another; credentials do
// not belong in state), no host but localhost for file. Whether file and local hosts
// are allowed is CheckLocal's.
func ValidateShape(raw string, max int) error {
	if len(raw) == 0 || len(raw) > max {
		return fmt.Errorf("length %d not in 1..%d", len(raw), max)
	}
	for _, c := range []byte(raw) {
		if c <= ' ' || c > '~' {
			return errors.New("only printable ASCII without spaces")
		}
	}
	// Exact lowercase prefixes: url.Parse would lowercase FILE:// into file://.
	if !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "file://") {
		return errors.New("scheme must be http:// or https:// (file:// where params allow)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse: %v", err)
	}
	if u.User != nil {
		return errors.New("user info (user@host) is not allowed")
	}
	if u.Scheme == "file" {
		if u.Host != "" && u.Host != "localhost" {
			return fmt.Errorf("file URL with host %q", u.Host)
		}
		return nil
	}
	if u.Hostname() == "" {
		return errors.New("no host")
	}
	return nil
}

// CheckLocal is the stateful part: unless allowLocal, a URL must not be file:// nor
// name a local host (localhost, *.localhost, or an IP address that is not public
// unicast). It expects a URL that passed ValidateShape.
func CheckLocal(raw string, allowLocal bool) error {
	if allowLocal {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse: %v", err)
	}
	if u.Scheme == "file" {
		return errors.New("file:// URLs are refused (params.allow_local_urls is false): validators would read their own disk")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("host %q is the validator's own (params.allow_local_urls is false)", host)
	}
	if a, err := netip.ParseAddr(host); err == nil && !IsPublicAddr(a) {
		return fmt.Errorf("host %s is not a public unicast address (params.allow_local_urls is false)", a)
	}
	return nil
}

// localPrefixes are the ranges, besides those netip classifies (loopback, private,
// link-local, multicast, unspecified), that are not public unicast. sidecar/fetch
// refuses a superset at dial time (its tests check the two agree).
var localPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, broadcast
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments (Teredo, ...)
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

var global6 = netip.MustParsePrefix("2000::/3")

// IsPublicAddr reports whether a (an IP literal in a URL) may be a public unicast
// address. IPv4-mapped IPv6 is judged as its IPv4 address; other IPv6 must be in
// 2000::/3.
func IsPublicAddr(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	if a.Is6() && !global6.Contains(a) {
		return false
	}
	for _, p := range localPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

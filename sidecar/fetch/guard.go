package fetch

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
)

// ErrRefused: the URL's scheme or the address it resolves to (or redirects to) is not
// one a validator's sidecar may reach. It always comes wrapped together with
// ErrUnavailable, so callers that only tell "fetched" from "not fetched" need nothing new.
var ErrRefused = errors.New("destination refused")

// Why: a URL on chain is written by anyone. Without these rules a submitter makes every
// validator read its own files (file:///etc/passwd), call services bound to loopback or
// the private network, or the cloud metadata endpoint, and learns from the outcome
// whether they answered. Only public unicast addresses are dialled unless the operator
// says the network is local (Options.AllowLocal).

// refusedPrefixes are the ranges that are not public unicast: loopback, private,
// shared (CGNAT), link-local, documentation, benchmarking, multicast, reserved, and the
// IPv6 special-purpose blocks inside the global unicast range (IANA special-purpose
// address registries). IPv6 outside 2000::/3 is refused as a whole (isPublic).
var refusedPrefixes = mustPrefixes(
	"0.0.0.0/8",       // "this network", including the unspecified 0.0.0.0
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (carrier-grade NAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, including the cloud metadata 169.254.169.254
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, including the broadcast 255.255.255.255
	"2001::/23",       // IETF protocol assignments (Teredo, ORCHID, benchmarking, ...)
	"2001:db8::/32",   // documentation
	"3fff::/20",       // documentation
)

// metadataAddrs are cloud instance-metadata endpoints. They stay refused even with
// AllowLocal: no local network serves data or archives from them, and they hand out
// credentials.
var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("169.254.169.254"): true, // AWS, GCP, Azure, OpenStack, ...
	netip.MustParseAddr("169.254.170.2"):   true, // AWS ECS task metadata
	netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"):   true, // AWS over IPv6
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64: IPv4 in the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // 6to4: IPv4 in bits 16..48
	global6   = netip.MustParsePrefix("2000::/3")     // the only IPv6 global unicast range
)

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// embeddedV4 returns the IPv4 address an IPv6 address carries by a translation scheme
// (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::), so that such
// a form of 127.0.0.1 or 10.0.0.1 is judged as that IPv4 address.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	if a.Is4In6() {
		return a.Unmap(), true
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// isPublic reports whether a is a public unicast address.
func isPublic(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" { // a zone only scopes link-local addresses
		return false
	}
	if v4, ok := embeddedV4(a); ok {
		return isPublic(v4)
	}
	if a.Is6() && !global6.Contains(a) {
		return false // ::, ::1, IPv4-compatible, discard, unique-local, link-local, multicast, ...
	}
	for _, p := range refusedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// policy is the rule one fetch applies to destinations.
type policy struct {
	allowLocal bool
	// trusted, set only by this package's tests, marks addresses (test servers on
	// loopback) as public so redirects from them to refused targets can be tested.
	trusted func(netip.AddrPort) bool
}

// checkAddrPort says whether a resolved address may be dialled.
func (p policy) checkAddrPort(ap netip.AddrPort) error {
	if p.trusted != nil && p.trusted(ap) {
		return nil
	}
	return checkAddr(ap.Addr(), p.allowLocal)
}

// checkAddr says whether an address may be dialled.
func checkAddr(a netip.Addr, allowLocal bool) error {
	u := a.WithZone("")
	if v4, ok := embeddedV4(u); ok {
		u = v4
	}
	if metadataAddrs[u] {
		return fmt.Errorf("%w: %s is a cloud metadata address", ErrRefused, a)
	}
	if allowLocal || isPublic(a) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a public unicast address (loopback, private, link-local, shared, multicast, unspecified or reserved); local networks pass --allow-local-network", ErrRefused, a)
}

// checkURL applies the rules that need no DNS: printable ASCII, a scheme of http or
// https (file too with allowLocal), a host for http(s), and, when the host is an IP
// literal, the address rule (names are checked after resolution, at dial time).
func (p policy) checkURL(raw string) (*url.URL, error) {
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c > '~' {
			return nil, fmt.Errorf("%w: URL has a space, control or non-ASCII byte at %d", ErrRefused, i)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: url: %v", ErrRefused, err)
	}
	if err := p.checkParsed(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkParsed is checkURL's rule on a parsed URL (a redirect's target arrives parsed).
func (p policy) checkParsed(u *url.URL) error {
	// url.Parse lowercases the scheme, so FILE:// is judged as file://.
	port := uint16(80)
	switch u.Scheme {
	case "http":
	case "https":
		port = 443
	case "file":
		if !p.allowLocal {
			return fmt.Errorf("%w: file URLs read the validator's own disk; local networks pass --allow-local-network", ErrRefused)
		}
		if u.Host != "" && u.Host != "localhost" {
			return fmt.Errorf("%w: file URL with host %q", ErrRefused, u.Host)
		}
		return nil
	default:
		return fmt.Errorf("%w: scheme %q (want http or https)", ErrRefused, u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: URL has no host", ErrRefused)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name: judged on the addresses it resolves to, at dial time
	}
	if s := u.Port(); s != "" {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return fmt.Errorf("%w: port %q", ErrRefused, s)
		}
		port = uint16(n)
	}
	return p.checkAddrPort(netip.AddrPortFrom(a, port))
}

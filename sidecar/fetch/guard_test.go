package fetch

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	datatypes "github.com/cortnet/cortd/x/data/types"
)

// TestCheckAddr: every non-public range is refused, public unicast is allowed, and the
// IPv6 forms that carry an IPv4 address are judged as that address.
func TestCheckAddr(t *testing.T) {
	refused := []string{
		"0.0.0.0", "0.1.2.3", "::", // unspecified / "this network"
		"127.0.0.1", "127.255.255.254", "::1", // loopback
		"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", // RFC 1918
		"169.254.1.1", "169.254.169.254", "fe80::1", "fe80::1%eth0", // link-local, metadata
		"fc00::1", "fd12:3456::1", "fd00:ec2::254", // unique-local fc00::/7
		"100.64.0.1", "100.127.255.254", // CGNAT 100.64/10
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1", // multicast
		"240.0.0.1", "255.255.255.255", // reserved, broadcast
		"192.0.0.8", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "192.88.99.1",
		"2001:db8::1", "2001::1", "3fff::1", "100::1", "fec0::1", // IPv6 special-purpose
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0", // IPv4-mapped
		"::127.0.0.1",                       // IPv4-compatible (deprecated)
		"64:ff9b::7f00:1", "64:ff9b::a00:1", // NAT64 of 127.0.0.1, 10.0.0.1
		"64:ff9b:1::1",                   // local-use NAT64
		"2002:7f00:1::1", "2002:a00:1::", // 6to4 of 127.0.0.1, 10.0.0.1
	}
	for _, s := range refused {
		require.ErrorIs(t, checkAddr(netip.MustParseAddr(s), false), ErrRefused, s)
	}
	public := []string{"8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.32.0.1",
		"2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}
	for _, s := range public {
		require.NoError(t, checkAddr(netip.MustParseAddr(s), false), s)
	}

	// AllowLocal lets local addresses through, but never the cloud metadata endpoints.
	for _, s := range []string{"127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "fd12::1", "169.254.1.1", "0.0.0.0"} {
		require.NoError(t, checkAddr(netip.MustParseAddr(s), true), s)
	}
	for _, s := range []string{"169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200"} {
		require.ErrorIs(t, checkAddr(netip.MustParseAddr(s), true), ErrRefused, s)
	}
}

// TestCheckURL: only http and https (file with AllowLocal), whatever the spelling.
func TestCheckURL(t *testing.T) {
	refused := []string{
		"file:///etc/passwd", "file://localhost/etc/passwd", "FILE:///etc/passwd", "File:///proc/self/environ",
		"ftp://example.com/x", "gopher://example.com/1", "data:text/plain,hello", "javascript:alert(1)",
		"ws://example.com/", "example.com/data.txt", "//example.com/data.txt", "/etc/passwd", "",
		" http://example.com/x", "http://example.com/x ", "http://exa mple.com/", "\thttp://example.com/",
		"http://example.com/\x00", "http://example.com/\u00e9", "http:///x", "https://", "http://:80/",
		"http://127.0.0.1/", "http://[::1]:8080/", "HTTP://127.0.0.1/", "http://0.0.0.0/", "http://[::]/",
		"http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1%25eth0]/",
		"http://10.0.0.1:99999/",
	}
	for _, s := range refused {
		_, err := policy{}.checkURL(s)
		require.ErrorIs(t, err, ErrRefused, "%q", s)
	}
	for _, s := range []string{"https://example.com/data.txt", "http://example.com:8080/a?b=c", "HTTPS://Example.COM/x",
		"http://8.8.8.8/x", "http://[2606:4700::1111]/x", "http://localhost/x"} { // names wait for the dial
		_, err := policy{}.checkURL(s)
		require.NoError(t, err, s)
	}

	local := policy{allowLocal: true}
	for _, s := range []string{"file:///etc/hostname", "file://localhost/tmp/x", "FILE:///tmp/x", "http://127.0.0.1:8080/x", "http://[::1]/"} {
		_, err := local.checkURL(s)
		require.NoError(t, err, s)
	}
	for _, s := range []string{"file://other-host/x", "ftp://127.0.0.1/x", "gopher://localhost/", "data:,x", "http://169.254.169.254/"} {
		_, err := local.checkURL(s)
		require.ErrorIs(t, err, ErrRefused, s)
	}
}

// TestChainRuleIsWithinFetchRule: every IP literal x/data refuses on chain is refused by
// the fetcher too (the fetcher's rule is the wider one: the chain's is a first filter).
func TestChainRuleIsWithinFetchRule(t *testing.T) {
	var addrs []netip.Addr
	for _, s := range []string{"0.0.0.0", "127.0.0.1", "10.0.0.1", "100.64.0.1", "169.254.169.254", "172.16.0.1",
		"192.0.0.1", "192.168.0.1", "198.18.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "8.8.8.8",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:8.8.8.8", "64:ff9b::7f00:1", "100::1", "2001::1", "2001:db8::1",
		"2606:4700::1111", "fc00::1", "fe80::1", "ff02::1"} {
		addrs = append(addrs, netip.MustParseAddr(s))
	}
	// And a sweep of the first byte of IPv4 and the first 16 bits of IPv6.
	for i := 0; i < 256; i++ {
		addrs = append(addrs, netip.AddrFrom4([4]byte{byte(i), 1, 2, 3}), netip.AddrFrom4([4]byte{byte(i), 255, 0, 1}))
	}
	for i := 0; i < 1<<16; i += 97 {
		addrs = append(addrs, netip.AddrFrom16([16]byte{byte(i >> 8), byte(i), 15: 1}))
	}
	for _, a := range addrs {
		if !datatypes.IsPublicAddr(a) {
			require.ErrorIs(t, checkAddr(a, false), ErrRefused, "%s: refused on chain, allowed by fetch", a)
		}
	}
}

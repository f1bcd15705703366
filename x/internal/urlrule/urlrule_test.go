package urlrule

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateShapeAndCheckLocal(t *testing.T) {
	for _, ok := range []string{"https://example.org/x.tar.gz", "http://93.184.216.34:8080/x", "http://[2606:4700::1111]/x"} {
		require.NoError(t, ValidateShape(ok, 512), ok)
		require.NoError(t, CheckLocal(ok, false), ok)
	}
	for _, bad := range []string{"", "example.org/x", "ftp://example.org/x", "FILE:///etc/passwd", "HTTP://example.org/",
		"https://exa mple.org/", "https://user@example.org/", "http:///x", "file://host/etc/passwd", "javascript:alert(1)",
		"data:text/plain,x", "gopher://example.org/"} {
		require.Error(t, ValidateShape(bad, 512), bad)
	}
	require.Error(t, ValidateShape("https://example.org/"+string(make([]byte, 600)), 512))
	for _, local := range []string{"file:///etc/passwd", "file://localhost/etc/passwd", "http://localhost/x", "http://a.localhost/x",
		"http://127.0.0.1/x", "http://[::1]/x", "http://0.0.0.0/x", "http://[::]/x", "http://10.0.0.1/x", "http://172.16.0.1/x",
		"http://192.168.1.1/x", "http://169.254.169.254/latest/", "http://100.64.0.1/x", "http://[fc00::1]/x",
		"http://[fe80::1]/x", "http://[::ffff:127.0.0.1]/x", "http://224.0.0.1/x"} {
		require.NoError(t, ValidateShape(local, 512), local)
		require.Error(t, CheckLocal(local, false), local)
		require.NoError(t, CheckLocal(local, true), local)
	}
	require.True(t, IsPublicAddr(netip.MustParseAddr("8.8.8.8")))
	require.False(t, IsPublicAddr(netip.MustParseAddr("2001:db8::1")))
}

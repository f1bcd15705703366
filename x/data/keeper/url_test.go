package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/data/types"
)

// refusedURLs are URLs a submitter could use to make every auditor read its own disk or
// call its own network; all are refused with default params.
var refusedURLs = map[string]string{
	"file":                   "file:///etc/passwd",
	"file localhost":         "file://localhost/etc/passwd",
	"file proc":              "file:///proc/self/environ",
	"FILE upper case":        "FILE:///etc/passwd",
	"File mixed case":        "File:///etc/passwd",
	"HTTP upper case":        "HTTP://example.org/data.txt",
	"ftp":                    "ftp://example.org/data.txt",
	"gopher":                 "gopher://example.org/1",
	"data":                   "data:text/plain,hello",
	"javascript":             "javascript:alert(1)",
	"no scheme":              "example.org/data.txt",
	"scheme-relative":        "//example.org/data.txt",
	"leading space":          " https://example.org/data.txt",
	"trailing newline":       "https://example.org/data.txt\n",
	"tab inside":             "https://example.org/\tdata.txt",
	"space in host":          "https://exa mple.org/data.txt",
	"non-ASCII":              "https://example.org/d\u00e9j\u00e0.txt",
	"no host":                "https:///data.txt",
	"user info":              "https://example.org@10.0.0.1/data.txt",
	"v4 loopback":            "http://127.0.0.1:8080/data.txt",
	"v4 loopback 127/8":      "http://127.9.9.9/data.txt",
	"v6 loopback":            "http://[::1]:8080/data.txt",
	"localhost":              "http://localhost:8080/data.txt",
	"localhost upper, dot":   "http://LOCALHOST./data.txt",
	"sub.localhost":          "http://blobs.localhost/data.txt",
	"unspecified v4":         "http://0.0.0.0:8080/data.txt",
	"unspecified v6":         "http://[::]:8080/data.txt",
	"private 10/8":           "http://10.1.2.3/data.txt",
	"private 172.16/12":      "https://172.20.0.1/data.txt",
	"private 192.168/16":     "http://192.168.0.10/data.txt",
	"link-local":             "http://169.254.1.1/data.txt",
	"cloud metadata":         "http://169.254.169.254/latest/meta-data/",
	"link-local v6":          "http://[fe80::1]/data.txt",
	"unique-local fc00::/7":  "http://[fd00::1]/data.txt",
	"CGNAT":                  "http://100.64.0.1/data.txt",
	"multicast":              "http://224.0.0.1/data.txt",
	"broadcast":              "http://255.255.255.255/data.txt",
	"v4-mapped v6 loopback":  "http://[::ffff:127.0.0.1]/data.txt",
	"v4-mapped v6 private":   "http://[::ffff:10.0.0.1]/data.txt",
	"v6 outside 2000::/3":    "http://[100::1]/data.txt",
	"file with another host": "file://example.org/etc/passwd",
}

// TestSubmitRefusesLocalURLs: each refused URL fails with ErrInvalidURL and changes nothing.
func TestSubmitRefusesLocalURLs(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	f.startEpoch(t, 1)
	for name, u := range refusedURLs {
		t.Run(name, func(t *testing.T) {
			before := f.snapshot(t)
			m := f.validMsg(t, 1)
			m.Url = u
			_, err := f.msg.SubmitData(f.Ctx, m)
			require.ErrorIs(t, err, types.ErrInvalidURL)
			require.Equal(t, before, f.snapshot(t))
			f.invariant(t)
		})
	}
	// Public hosts by name or address are accepted (the auditors' fetcher judges what
	// the names resolve to).
	for i, u := range []string{"https://example.org/data.txt", "http://93.184.216.34:8080/d", "https://[2606:4700::1111]/d"} {
		m := f.validMsg(t, uint64(i+1))
		m.Url = u
		_, err := f.msg.SubmitData(f.Ctx, m)
		require.NoError(t, err, u)
		f.invariant(t)
	}
}

// TestAllowLocalURLsParam: governance turns on file:// and local hosts for a local
// network; other schemes and malformed URLs stay refused.
func TestAllowLocalURLsParam(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	f.startEpoch(t, 1)
	m := f.validMsg(t, 1)
	m.Url = "file:///tmp/cortd/data.txt"
	_, err := f.msg.SubmitData(f.Ctx, m)
	require.ErrorIs(t, err, types.ErrInvalidURL)

	p := types.DefaultParams()
	p.EmbeddingDim, p.TargetsPerEpoch, p.ModelsPerTarget, p.MaxDataBytes = dim, 2, 2, 10_000
	p.AllowLocalUrls = true
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)

	for _, bad := range []string{"ftp://127.0.0.1/d", "gopher://localhost/", "data:,x", "javascript:alert(1)", "FILE:///tmp/d",
		" file:///tmp/d", "127.0.0.1/d", "file://example.org/d", "http://user@127.0.0.1/d"} {
		before := f.snapshot(t)
		m := f.validMsg(t, 1)
		m.Url = bad
		_, err := f.msg.SubmitData(f.Ctx, m)
		require.ErrorIs(t, err, types.ErrInvalidURL, bad)
		require.Equal(t, before, f.snapshot(t))
	}
	for i, u := range []string{"file:///tmp/cortd/data.txt", "http://127.0.0.1:8080/d"} {
		m := f.validMsg(t, uint64(i+1))
		m.Url = u
		_, err := f.msg.SubmitData(f.Ctx, m)
		require.NoError(t, err, u)
	}
	f.invariant(t)
}

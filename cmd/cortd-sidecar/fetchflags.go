package main

import "github.com/spf13/pflag"

// registerAllowLocalNetwork adds --allow-local-network to a role that downloads what a
// URL on chain names (sidecar/fetch.Options.AllowLocal). Off by default: anyone writes
// those URLs, and a validator must not fetch its own files or internal services.
func registerAllowLocalNetwork(fs *pflag.FlagSet, v *bool) {
	fs.BoolVar(v, "allow-local-network", false, "local networks only: allow file:// URLs and loopback, private and link-local "+
		"addresses in downloads (refused by default, since anyone can put a URL on chain)")
}

package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/secretfile"
)

func init() { roleCommands = append(roleCommands, newAPIKeyCmd) }

func newAPIKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "api-key",
		Short: "Router API keys (bearer tokens) in an owner-only file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "add FILE",
		Short: "Append a new random API key to FILE (created mode 0600) and print it once",
		Long: `add draws a new API key (sk- and 48 hex digits, 192 random bits), appends it to FILE
(the router's --api-keys file; created mode 0600, refused when its group or others can
read it) and prints it on stdout, once: hand it to the client over a secure channel. The
router reads FILE at start, so restart it to take the key into use; revoke a key by
deleting its line.`,
		Example: "cortd-sidecar api-key add /etc/cortd/router-api-keys",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := addAPIKey(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), key)
			return nil
		},
	})
	return cmd
}

// addAPIKey appends a fresh key to path through secretfile, so the file is
// owner-only after the write whatever it was created with.
func addAPIKey(path string) (string, error) {
	old, err := secretfile.Read(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("api keys: %w", err)
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := "sk-" + hex.EncodeToString(b[:])
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	if err := secretfile.Write(path, append(old, key+"\n"...)); err != nil {
		return "", fmt.Errorf("api keys: %w", err)
	}
	return key, nil
}

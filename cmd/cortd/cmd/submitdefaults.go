package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Flags of `cortd tx sessions submit` that get defaults here.
const (
	flagTemperature = "temperature"
	flagTopP        = "top-p"
	flagMaxTokens   = "max-tokens"
)

// addSubmitDefaults gives `tx sessions submit` OpenAI's sampling defaults: --temperature
// and --top-p take the defaults x/sessions/autocli.go declares (autocli shows them but
// leaves decimal flags unset), and --max-tokens the session's max_tokens, read from the
// chain before signing. The chain has no default: a task with max_tokens 0 or an unset
// decimal is refused (SamplingParams.Validate).
func addSubmitDefaults(txCmd *cobra.Command) {
	submit, _, err := txCmd.Find([]string{"sessions", "submit"})
	if err != nil || submit.Name() != "submit" {
		return // built without x/sessions: nothing to default
	}
	submit.PreRunE = applySubmitDefaults
}

func applySubmitDefaults(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	for _, name := range []string{flagTemperature, flagTopP} {
		fl := f.Lookup(name)
		if fl == nil || fl.Changed || fl.Value.String() != "" || fl.DefValue == "" {
			continue
		}
		if err := f.Set(name, fl.DefValue); err != nil {
			return fmt.Errorf("default --%s %s: %w", name, fl.DefValue, err)
		}
	}
	if maxTokens, err := f.GetUint32(flagMaxTokens); err != nil || maxTokens != 0 || len(args) == 0 {
		return nil // given (or not this command's flag): autocli checks the rest
	}
	if offline, _ := f.GetBool(flags.FlagOffline); offline {
		return fmt.Errorf("--%s is required with --%s: the session's max_tokens cannot be read from the chain", flagMaxTokens, flags.FlagOffline)
	}
	id, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("argument [session-id]: %q is not a session id (a whole number)", args[0])
	}
	clientCtx, err := client.GetClientQueryContext(cmd)
	if err != nil {
		return err
	}
	res, err := sessionstypes.NewQueryClient(clientCtx).Session(cmd.Context(), &sessionstypes.QuerySessionRequest{SessionId: id})
	if err != nil {
		return fmt.Errorf("--%s not given, and session %d's max_tokens could not be read: %w\n"+
			"what to do: check the session with `cortd q sessions session %d`, or pass --%s", flagMaxTokens, id, err, id, flagMaxTokens)
	}
	return f.Set(flagMaxTokens, strconv.FormatUint(uint64(res.Session.MaxTokens), 10))
}

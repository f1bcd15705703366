package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"

	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// Three modules take a mint_share of every block's provision into their rewards pools
// (x/nodes, then x/challenges, then x/data, in BeginBlock order), each capped at what the
// fee collector still holds. Their shares must sum to at most 1, or the later pools would
// be paid less than their params say. Each module's MsgUpdateParams checks the rule
// (x/internal/mintshare.CheckTotal) through mintShares below; genesis is checked here,
// by InitChainer and `cortd genesis validate`. app/ cannot import x/internal, so the
// sum is restated in checkMintShareTotal.

// mintShares is every pool's current mint_share, read from the keepers at call time.
type mintShares struct{ app *App }

// VisitMintShares implements the pool modules' types.MintShares, in BeginBlock order.
func (m mintShares) VisitMintShares(ctx context.Context, fn func(module string, share sdkmath.LegacyDec)) error {
	np, err := m.app.NodesKeeper.GetParams(ctx)
	if err != nil {
		return err
	}
	cp, err := m.app.ChallengesKeeper.GetParams(ctx)
	if err != nil {
		return err
	}
	dp, err := m.app.DataKeeper.Params.Get(ctx)
	if err != nil {
		return err
	}
	fn(nodestypes.ModuleName, np.MintShare)
	fn(challengestypes.ModuleName, cp.MintShare)
	fn(datatypes.ModuleName, dp.MintShare)
	return nil
}

// wireMintShares lets each pool module ask for the others' shares.
func (app *App) wireMintShares() {
	s := mintShares{app: app}
	app.NodesKeeper.SetMintShares(s)
	app.ChallengesKeeper.SetMintShares(s)
	app.DataKeeper.SetMintShares(s)
}

// ValidateMintShares checks that the mint_share params of x/nodes, x/challenges and x/data
// in an app genesis state sum to at most 1. A module absent from the state is not
// initialised and takes no share. Each module validates its own section (share in [0, 1]);
// an undecodable section is reported here too.
func ValidateMintShares(cdc codec.JSONCodec, genesis map[string]json.RawMessage) error {
	var shares []moduleShare
	read := func(module string, gs codec.ProtoMarshaler, share func() sdkmath.LegacyDec) error {
		raw, ok := genesis[module]
		if !ok || len(raw) == 0 {
			return nil
		}
		if err := cdc.UnmarshalJSON(raw, gs); err != nil {
			return fmt.Errorf("decoding %s genesis: %w", module, err)
		}
		shares = append(shares, moduleShare{module, share()})
		return nil
	}
	var ng nodestypes.GenesisState
	var cg challengestypes.GenesisState
	var dg datatypes.GenesisState
	if err := read(nodestypes.ModuleName, &ng, func() sdkmath.LegacyDec { return ng.Params.MintShare }); err != nil {
		return err
	}
	if err := read(challengestypes.ModuleName, &cg, func() sdkmath.LegacyDec { return cg.Params.MintShare }); err != nil {
		return err
	}
	if err := read(datatypes.ModuleName, &dg, func() sdkmath.LegacyDec { return dg.Params.MintShare }); err != nil {
		return err
	}
	return checkMintShareTotal(shares)
}

type moduleShare struct {
	module string
	share  sdkmath.LegacyDec
}

// checkMintShareTotal is x/internal/mintshare.CheckTotal's rule: each share set and in
// [0, 1], the sum at most 1.
func checkMintShareTotal(shares []moduleShare) error {
	total := sdkmath.LegacyZeroDec()
	parts := make([]string, 0, len(shares))
	for _, s := range shares {
		if s.share.IsNil() || s.share.IsNegative() || s.share.GT(sdkmath.LegacyOneDec()) {
			return fmt.Errorf("%s mint_share must be in [0, 1], got %v", s.module, s.share)
		}
		total = total.Add(s.share)
		parts = append(parts, s.module+" "+s.share.String())
	}
	if total.GT(sdkmath.LegacyOneDec()) {
		return fmt.Errorf("mint shares sum to %s > 1 (%s)", total, strings.Join(parts, ", "))
	}
	return nil
}

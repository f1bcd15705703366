package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/baseapp"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/app"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

const genesisTestChain = "cort-genesis-1"

func newGenesisTestApp(t *testing.T) *app.App {
	t.Helper()
	return app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()),
		baseapp.SetChainID(genesisTestChain))
}

// setField sets one field of a module's genesis section, by JSON path.
func setField(t *testing.T, gs map[string]json.RawMessage, mod string, value any, path ...string) {
	t.Helper()
	var section map[string]any
	require.NoError(t, json.Unmarshal(gs[mod], &section))
	m := section
	for _, p := range path[:len(path)-1] {
		m = m[p].(map[string]any)
	}
	m[path[len(path)-1]] = value
	bz, err := json.Marshal(section)
	require.NoError(t, err)
	gs[mod] = bz
}

// TestInitChainRefusesWhatGenesisValidateRejects boots InitChain with a genesis that
// `cortd genesis validate` rejects, one per custom module (the duplicate model id of the
// issue among them), and expects an error naming the module with the validator's own
// message, before any module writes its state.
func TestInitChainRefusesWhatGenesisValidateRejects(t *testing.T) {
	a := newGenesisTestApp(t)
	owner := sdk.AccAddress(make([]byte, 20)).String()
	model := modelstypes.Model{Id: "gpt2-tiny", Name: "tiny", Architecture: "gpt2", WeightsUri: "https://example.org/w",
		WeightsSha256: strings.Repeat("a", 64), TokenizerSha256: strings.Repeat("b", 64), EmbeddingDim: 64,
		MemoryMib: 512, Owner: owner, Status: modelstypes.MODEL_STATUS_ACTIVE, Deposit: sdk.NewInt64Coin("ucor", 0)}
	twoModels, err := a.AppCodec().MarshalJSON(&modelstypes.GenesisState{Params: modelstypes.DefaultParams(),
		Models: []modelstypes.Model{model, model}})
	require.NoError(t, err)

	for _, tc := range []struct {
		module string
		mutate func(map[string]json.RawMessage)
		says   string
	}{
		{"models", func(gs map[string]json.RawMessage) { gs["models"] = twoModels }, `duplicate model id "gpt2-tiny"`},
		{"models", func(gs map[string]json.RawMessage) { gs["models"] = json.RawMessage(`[]`) }, "decoding models genesis"},
		{"nodes", func(gs map[string]json.RawMessage) { setField(t, gs, "nodes", "0", "period", "number") }, "period number"},
		{"sessions", func(gs map[string]json.RawMessage) { setField(t, gs, "sessions", "0", "next_session_id") }, "ids start at 1"},
		{"payments", func(gs map[string]json.RawMessage) { setField(t, gs, "payments", "", "params", "denom") }, "denom"},
		{"data", func(gs map[string]json.RawMessage) { setField(t, gs, "data", "0", "next_target_id") }, "next_target_id"},
		{"audits", func(gs map[string]json.RawMessage) { setField(t, gs, "audits", "0", "next_audit_id") }, "next_audit_id"},
		{"challenges", func(gs map[string]json.RawMessage) { setField(t, gs, "challenges", "0", "epoch") }, "epoch start at 1"},
	} {
		t.Run(tc.module+"/"+tc.says, func(t *testing.T) {
			gs := a.DefaultGenesis()
			tc.mutate(gs)
			// what `cortd genesis validate` runs rejects it ...
			want := a.BasicModuleManager.ValidateGenesis(a.AppCodec(), a.TxConfig(), gs)
			require.ErrorContains(t, want, tc.says)
			// ... and so does InitChain, naming the module
			bz, err := json.Marshal(gs)
			require.NoError(t, err)
			fresh := newGenesisTestApp(t)
			_, err = fresh.InitChain(&abci.RequestInitChain{ChainId: genesisTestChain, InitialHeight: 1,
				AppStateBytes: bz, ConsensusParams: simtestutil.DefaultConsensusParams})
			require.ErrorContains(t, err, "genesis of module "+tc.module+" rejected: "+want.Error())
		})
	}

	// the default genesis passes the check: InitChain goes on to the modules and stops only
	// because it has no validator
	bz, err := json.Marshal(a.DefaultGenesis())
	require.NoError(t, err)
	_, err = newGenesisTestApp(t).InitChain(&abci.RequestInitChain{ChainId: genesisTestChain, InitialHeight: 1,
		AppStateBytes: bz, ConsensusParams: simtestutil.DefaultConsensusParams})
	require.ErrorContains(t, err, "validator set is empty")
	require.NotContains(t, err.Error(), "rejected")
}

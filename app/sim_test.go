package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"

	"github.com/cortnet/cortd/app"
)

// The app simulation (make sim / make sim-long): the SDK's simulator runs the app from a
// randomized genesis (every module's GenerateGenesisState) for -NumBlocks blocks of
// random operations (every module's WeightedOperations, ours driving the multi-step
// flows), and every invariant of our modules (app.Invariants) is checked at the end of
// every -Period-th block and on the final state. The SDK's flags apply (-Seed, -NumBlocks,
// -BlockSize, -Verbose...); -Enabled runs it, so `make test` skips it. The genesis time
// is fixed, so a seed reproduces a run.
//
//	go test ./app -run 'TestAppSimulation$' -Enabled -NumBlocks=300 -BlockSize=100 -Seed=1 -Period=5 -v

func init() {
	simcli.GetSimulatorFlags()
}

// simGenesisTime is the genesis time of every simulation (reproducible runs).
var simGenesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// defaultInvariantPeriod is the invariant period when -Period is 0.
const defaultInvariantPeriod = 10

// simConfig is the SDK's config from the flags with our chain id and genesis time.
func simConfig(t *testing.T) simtypes.Config {
	t.Helper()
	if !simcli.FlagEnabledValue {
		t.Skip("app simulation: run with -Enabled (make sim)")
	}
	cfg := simcli.NewConfigFromFlags()
	cfg.ChainID = simsx.SimAppChainID
	cfg.GenesisTime = simGenesisTime
	return cfg
}

// opCounts implements app.SimRecorder: what each operation of our modules did, and why
// the chain rejected what it rejected.
type opCounts struct {
	mu       sync.Mutex
	n        map[string]map[string]int // type URL -> outcome -> count
	rejected map[string]map[string]int // type URL -> rejection reason -> count
}

func (c *opCounts) Record(typeURL, outcome, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n, c.rejected = map[string]map[string]int{}, map[string]map[string]int{}
	}
	if c.n[typeURL] == nil {
		c.n[typeURL], c.rejected[typeURL] = map[string]int{}, map[string]int{}
	}
	c.n[typeURL][outcome]++
	if outcome == "rejected" {
		c.rejected[typeURL][reasonKey(reason)]++
	}
}

// reasonKey keeps a rejection's registered error (the last part of the wrapped message)
// so rejections group by cause, not by the ids in their text.
func reasonKey(reason string) string {
	if i := strings.LastIndex(reason, ": "); i >= 0 {
		reason = reason[i+2:]
	}
	return reason
}

// reasons lists every rejection cause, by message type.
func (c *opCounts) reasons() string {
	keys := make([]string, 0, len(c.rejected))
	for k := range c.rejected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		causes := make([]string, 0, len(c.rejected[k]))
		for r := range c.rejected[k] {
			causes = append(causes, r)
		}
		sort.Strings(causes)
		for _, r := range causes {
			fmt.Fprintf(&b, "rejected %-40s %5d × %s\n", k, c.rejected[k][r], r)
		}
	}
	return b.String()
}

func (c *opCounts) table() string {
	keys := make([]string, 0, len(c.n))
	for k := range c.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%-46s %9s %9s %9s\n", "message", "delivered", "rejected", "skipped")
	for _, k := range keys {
		fmt.Fprintf(&b, "%-46s %9d %9d %9d\n", k, c.n[k]["delivered"], c.n[k]["rejected"], c.n[k]["skipped"])
	}
	return b.String()
}

// simRun is one simulation: the app, what its operations did, its invariant checks.
type simRun struct {
	ops        opCounts
	period     int64
	checks     int
	lastHeight int64
	appHash    []byte
	blocks     int64
	elapsed    time.Duration
}

// appFactory builds the app with an end blocker that runs our invariants every period
// blocks; a broken invariant fails the block, which stops the simulation with the
// invariant's name and message.
func (s *simRun) appFactory(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, opts ...func(*baseapp.BaseApp)) *app.App {
	a := app.New(logger, db, false, appOpts, opts...)
	a.SetSimRecorder(&s.ops)
	a.SetEndBlocker(func(ctx sdk.Context) (sdk.EndBlock, error) {
		res, err := a.EndBlocker(ctx)
		if err != nil {
			return res, err
		}
		s.lastHeight = ctx.BlockHeight()
		if ctx.BlockHeight()%s.period == 0 {
			s.checks++
			if broken := a.CheckInvariants(ctx); len(broken) > 0 {
				return res, fmt.Errorf("invariants broken at height %d:\n%s", ctx.BlockHeight(), strings.Join(broken, "\n"))
			}
		}
		return res, nil
	})
	if loadLatest {
		if err := a.LoadLatestVersion(); err != nil {
			panic(err)
		}
	}
	return a
}

// longSigningWindow is the x/slashing signed-blocks window of the simulation's genesis:
// the simulator makes validators miss blocks at random, and with the short random windows
// of x/slashing's own generator long runs jail every validator for downtime and stop
// ("empty validator set") before our modules' flows have run for long.
const longSigningWindow = 10_000

func stateFactory(a *app.App) simsx.SimStateFactory {
	cdc := a.AppCodec()
	return simsx.SimStateFactory{
		Codec: cdc,
		AppStateFn: simtestutil.AppStateFnWithExtendedCb(cdc, a.SimulationManager(), a.DefaultGenesis(),
			func(raw map[string]json.RawMessage) {
				var gs slashingtypes.GenesisState
				cdc.MustUnmarshalJSON(raw[slashingtypes.ModuleName], &gs)
				gs.Params.SignedBlocksWindow = max(gs.Params.SignedBlocksWindow, longSigningWindow)
				raw[slashingtypes.ModuleName] = cdc.MustMarshalJSON(&gs)
			}),
		BlockedAddr:   app.BlockedAddresses(),
		AccountSource: a.AccountKeeper,
		BalanceSource: a.BankKeeper,
	}
}

// runSim runs one simulation of cfg and checks the invariants on the final state.
func runSim(t *testing.T, cfg simtypes.Config) *simRun {
	t.Helper()
	s := &simRun{period: int64(simcli.FlagPeriodValue)}
	if s.period <= 0 {
		s.period = defaultInvariantPeriod
	}
	start := time.Now()
	// The simulator skips (t.Skip) when every validator is gone; in a subtest that reads
	// as a pass, so a run that did not reach its last block fails below.
	t.Run(fmt.Sprintf("seed=%d", cfg.Seed), func(t *testing.T) {
		simsx.RunWithSeed(t, cfg, s.appFactory, stateFactory, cfg.Seed, nil,
			func(tb testing.TB, ti simsx.TestInstance[*app.App], _ []simtypes.Account) {
				s.elapsed = time.Since(start)
				a := ti.App
				ctx := a.NewContextLegacy(true, cmtproto.Header{Height: a.LastBlockHeight()})
				broken := a.CheckInvariants(ctx)
				require.Empty(tb, broken, "invariants broken on the final state")
				s.checks++
				s.appHash = a.LastCommitID().Hash
				s.blocks = a.LastBlockHeight()
			})
	})
	require.GreaterOrEqual(t, s.blocks, int64(cfg.NumBlocks),
		"seed %d stopped at height %d of %d (the simulator runs out of validators with some seeds' slashing draws: pick another seed)",
		cfg.Seed, s.lastHeight, cfg.NumBlocks)
	return s
}

// customMsgs are the type URLs of every message of our modules.
func customMsgs(t *testing.T) []string {
	t.Helper()
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	var out []string
	for _, url := range a.InterfaceRegistry().ListImplementations(sdk.MsgInterfaceProtoName) {
		if strings.HasPrefix(url, "/cortd.") {
			out = append(out, url)
		}
	}
	sort.Strings(out)
	return out
}

// TestAppSimulation runs the simulation and requires that every message of our modules
// was attempted, that the multi-step flows went through (their last steps delivered),
// and that no invariant broke. It prints the blocks per second and the operations table.
func TestAppSimulation(t *testing.T) {
	cfg := simConfig(t)
	s := runSim(t, cfg)
	bps := float64(s.blocks) / s.elapsed.Seconds()
	fmt.Fprintf(os.Stdout, "\nsimulation: seed %d, %d blocks (block size %d) in %s: %.2f blocks/s; invariants checked %d times (every %d blocks and at the end)\n%s\n",
		cfg.Seed, s.blocks, cfg.BlockSize, s.elapsed.Round(time.Millisecond), bps, s.checks, s.period, s.ops.table())
	fmt.Fprintf(os.Stdout, "%s\n", s.ops.reasons())

	for _, url := range customMsgs(t) {
		c := s.ops.n[url]
		require.NotNil(t, c, "no simulation operation ran for %s", url)
	}
	if cfg.NumBlocks < 200 {
		return // too short for every flow to finish
	}
	for _, url := range []string{
		"/cortd.models.v1.MsgRegisterModel", "/cortd.nodes.v1.MsgRegisterNode", "/cortd.nodes.v1.MsgHeartbeat",
		// session -> task -> precommit -> commit, paid out
		"/cortd.sessions.v1.MsgCreateSession", "/cortd.sessions.v1.MsgSubmitTask",
		"/cortd.sessions.v1.MsgPrecommit", "/cortd.sessions.v1.MsgCommit", "/cortd.payments.v1.MsgWithdrawPayments",
		// data submission -> audit -> vote, claimed
		"/cortd.data.v1.MsgSubmitData", "/cortd.audits.v1.MsgAuditPass", "/cortd.audits.v1.MsgReportFraud",
		"/cortd.audits.v1.MsgVoteFraud", "/cortd.data.v1.MsgClaimReward",
		// challenge post -> commit -> reveal -> tests -> score
		"/cortd.challenges.v1.MsgSetOptIn", "/cortd.challenges.v1.MsgPostChallenge", "/cortd.challenges.v1.MsgCommitPatch",
		"/cortd.challenges.v1.MsgRevealPatch", "/cortd.challenges.v1.MsgRevealTests", "/cortd.challenges.v1.MsgSubmitScores",
		"/cortd.challenges.v1.MsgWithdrawRewards",
	} {
		require.Positive(t, s.ops.n[url]["delivered"], "%s never delivered", url)
	}
}

// TestAppSimulationDeterminism runs the same seed twice and requires the same app hash.
func TestAppSimulationDeterminism(t *testing.T) {
	cfg := simConfig(t)
	first := runSim(t, cfg)
	second := runSim(t, cfg)
	require.NotEmpty(t, first.appHash)
	require.Equal(t, first.blocks, second.blocks)
	require.Equal(t, fmt.Sprintf("%X", first.appHash), fmt.Sprintf("%X", second.appHash),
		"seed %d: two runs of %d blocks end with different app hashes", cfg.Seed, first.blocks)
	fmt.Fprintf(os.Stdout, "\ndeterminism: seed %d, %d blocks twice, app hash %X\n", cfg.Seed, first.blocks, first.appHash)
}

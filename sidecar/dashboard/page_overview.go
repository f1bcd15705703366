package dashboard

import (
	"context"
	"net/http"
	"time"

	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
)

// Overview is the overview page's data.
type Overview struct {
	ChainID      string
	Height       int64
	BlockTime    time.Time
	BlockSeconds float64 // since the previous block
	Validators   uint64
	Census       Census
	Rates        Rates
	Escrow       string // payments module account balance
	Denom        string
	OpenTargets  uint64
	OpenAudits   uint64
	Voting       []auditstypes.Audit // open audits in their fraud vote (first page)
	LevelChart   any
}

func (s *Server) overview(ctx context.Context, r *http.Request) (*view, error) {
	if len(r.URL.Query()) > 0 && r.URL.Query().Get("format") == "" {
		return nil, badRequest("the overview takes no query parameters but format")
	}
	o := Overview{Census: s.census.get(), Rates: s.Live.Rates()}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	blk, err := s.b.Comet.GetLatestBlock(qc, &cmtservice.GetLatestBlockRequest{})
	if err != nil {
		return nil, queryErr("latest block", err)
	}
	if blk.SdkBlock != nil {
		o.Height, o.BlockTime, o.ChainID = blk.SdkBlock.Header.Height, blk.SdkBlock.Header.Time, blk.SdkBlock.Header.ChainID
	}
	if o.Height > 1 {
		prev, err := s.b.Comet.GetBlockByHeight(qc, &cmtservice.GetBlockByHeightRequest{Height: o.Height - 1})
		if err == nil && prev.SdkBlock != nil {
			o.BlockSeconds = o.BlockTime.Sub(prev.SdkBlock.Header.Time).Seconds()
		}
	}
	vals, err := s.b.Comet.GetLatestValidatorSet(qc, &cmtservice.GetLatestValidatorSetRequest{Pagination: &query.PageRequest{Limit: 1, CountTotal: true}})
	if err != nil {
		return nil, queryErr("validator set", err)
	}
	if vals.Pagination != nil {
		o.Validators = vals.Pagination.Total
	}
	np, err := s.b.Nodes.Params(qc, &nodestypes.QueryParamsRequest{})
	if err != nil {
		return nil, queryErr("node params", err)
	}
	o.Denom = np.Params.Denom
	escrow, err := s.b.Bank.Balance(qc, &banktypes.QueryBalanceRequest{
		Address: authtypes.NewModuleAddress(paymentstypes.ModuleName).String(), Denom: o.Denom})
	if err != nil {
		return nil, queryErr("escrow balance", err)
	}
	if escrow.Balance != nil {
		o.Escrow = escrow.Balance.Amount.String()
	}
	targets, err := s.b.Data.Targets(qc, &datatypes.QueryTargetsRequest{Status: datatypes.TARGET_STATUS_OPEN,
		Pagination: &query.PageRequest{Limit: 1, CountTotal: true}})
	if err != nil {
		return nil, queryErr("open targets", err)
	}
	if targets.Pagination != nil {
		o.OpenTargets = targets.Pagination.Total
	}
	audits, err := s.b.Audits.OpenAudits(qc, &auditstypes.QueryOpenAuditsRequest{Pagination: &query.PageRequest{Limit: 20, CountTotal: true}})
	if err != nil {
		return nil, queryErr("open audits", err)
	}
	if audits.Pagination != nil {
		o.OpenAudits = audits.Pagination.Total
	}
	for _, a := range audits.Audits {
		if a.Status == auditstypes.AUDIT_STATUS_VOTING {
			o.Voting = append(o.Voting, a)
		}
	}
	var bars []Bar
	for lvl, n := range o.Census.ByLevel {
		bars = append(bars, Bar{Label: "level " + itoa(lvl), Value: float64(n)})
	}
	o.LevelChart = BarChart(bars, 0, -1, "")
	return &view{Title: "Overview", Data: o, JSON: []field{
		{"chain_id", o.ChainID}, {"height", o.Height}, {"block_time", o.BlockTime}, {"block_seconds", o.BlockSeconds},
		{"validators", o.Validators}, {"census", o.Census}, {"rates", o.Rates},
		{"escrow", escrow}, {"open_targets", o.OpenTargets}, {"open_audits", audits},
	}}, nil
}

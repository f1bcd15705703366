package dashboard

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/sidecar/chain"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// fakeChain serves paged answers from memory, like the modules' query servers:
// the fast tests' and the benchmark's backend. Unimplemented methods of the
// embedded clients are never called by the dashboard's pages.
type fakeChain struct {
	height   atomic.Int64
	nodes    []nodestypes.Node // id order
	byID     map[string]int
	periods  int // settled periods per node
	sessions int
	tasksPer int // tasks per session
	down     atomic.Bool
	calls    atomic.Int64
	// periodCalls counts NodePeriods queries (the census reads them only on change).
	periodCalls atomic.Int64
}

func newFake(nodes, sessions, tasksPer, periods int) *fakeChain {
	f := &fakeChain{sessions: sessions, tasksPer: tasksPer, periods: periods, byID: map[string]int{}}
	f.height.Store(1000)
	for i := range nodes {
		f.byID[fmt.Sprintf("node-%06d", i)] = i
		f.nodes = append(f.nodes, nodestypes.Node{
			Id: fmt.Sprintf("node-%06d", i), Operator: sdk.AccAddress(fmt.Appendf(nil, "op%017d", i)).String(),
			PoolId: 3, Stake: sdkmath.NewInt(6_000_000_000), Status: nodestypes.NODE_STATUS_ACTIVE, Level: uint32(i % 11),
			LastHeartbeatHeight: 990, Reputation: sdkmath.LegacyNewDecWithPrec(int64(i%100), 2),
			AccruedRewards: sdkmath.NewInt(int64(i * 7 % 1000)), Models: []string{"tiny"}, LoadedModels: []string{"tiny"},
		})
	}
	return f
}

func (f *fakeChain) backend() Backend {
	return Backend{Comet: fakeComet{f: f}, Bank: fakeBank{f: f}, Nodes: fakeNodes{f: f}, Sessions: fakeSessions{f: f},
		Payments: fakePayments{f: f}, Data: fakeData{f: f}, Audits: fakeAudits{f: f}, Challenges: fakeChallenges{f: f}}
}

// enter counts a call and fails it while the chain is "down".
func (f *fakeChain) enter() error {
	f.calls.Add(1)
	if f.down.Load() {
		return status.Error(codes.Unavailable, "connection refused")
	}
	return nil
}

// page cuts [0, total) like the SDK's paginate: key is the big-endian index.
func page(total int, pr *query.PageRequest) (idx []int, res *query.PageResponse) {
	if pr == nil {
		pr = &query.PageRequest{}
	}
	limit := int(pr.Limit)
	if limit == 0 {
		limit = 100
	}
	start := int(pr.Offset)
	if len(pr.Key) == 8 {
		start = int(binary.BigEndian.Uint64(pr.Key))
	}
	res = &query.PageResponse{}
	if pr.CountTotal {
		res.Total = uint64(total)
	}
	for i := start; i < total && len(idx) < limit; i++ {
		j := i
		if pr.Reverse {
			j = total - 1 - i
		}
		idx = append(idx, j)
	}
	if next := start + len(idx); next < total {
		res.NextKey = binary.BigEndian.AppendUint64(nil, uint64(next))
	}
	return idx, res
}

type fakeComet struct {
	cmtservice.ServiceClient
	f *fakeChain
}

func (c fakeComet) block(h int64) *cmtservice.Block {
	return &cmtservice.Block{Header: cmtservice.Header{ChainID: "fake-1", Height: h, Time: time.Unix(1_700_000_000+h, 0)}}
}

func (c fakeComet) GetLatestBlock(context.Context, *cmtservice.GetLatestBlockRequest, ...grpc.CallOption) (*cmtservice.GetLatestBlockResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	return &cmtservice.GetLatestBlockResponse{SdkBlock: c.block(c.f.height.Load())}, nil
}

func (c fakeComet) GetBlockByHeight(_ context.Context, r *cmtservice.GetBlockByHeightRequest, _ ...grpc.CallOption) (*cmtservice.GetBlockByHeightResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	return &cmtservice.GetBlockByHeightResponse{SdkBlock: c.block(r.Height)}, nil
}

func (c fakeComet) GetLatestValidatorSet(context.Context, *cmtservice.GetLatestValidatorSetRequest, ...grpc.CallOption) (*cmtservice.GetLatestValidatorSetResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	return &cmtservice.GetLatestValidatorSetResponse{Pagination: &query.PageResponse{Total: 4}}, nil
}

type fakeBank struct {
	banktypes.QueryClient
	f *fakeChain
}

func (b fakeBank) Balance(_ context.Context, r *banktypes.QueryBalanceRequest, _ ...grpc.CallOption) (*banktypes.QueryBalanceResponse, error) {
	if err := b.f.enter(); err != nil {
		return nil, err
	}
	c := sdk.NewInt64Coin(r.Denom, 123456789)
	return &banktypes.QueryBalanceResponse{Balance: &c}, nil
}

type fakeNodes struct {
	nodestypes.QueryClient
	f *fakeChain
}

func (n fakeNodes) find(id string) (nodestypes.Node, error) {
	if i, ok := n.f.byID[id]; ok {
		return n.f.nodes[i], nil
	}
	return nodestypes.Node{}, status.Error(codes.NotFound, "node "+id+" not found")
}

func (n fakeNodes) Params(context.Context, *nodestypes.QueryParamsRequest, ...grpc.CallOption) (*nodestypes.QueryParamsResponse, error) {
	if err := n.f.enter(); err != nil {
		return nil, err
	}
	p := nodestypes.DefaultParams()
	return &nodestypes.QueryParamsResponse{Params: p}, nil
}

func (n fakeNodes) Node(_ context.Context, r *nodestypes.QueryNodeRequest, _ ...grpc.CallOption) (*nodestypes.QueryNodeResponse, error) {
	if err := n.f.enter(); err != nil {
		return nil, err
	}
	x, err := n.find(r.NodeId)
	if err != nil {
		return nil, err
	}
	return &nodestypes.QueryNodeResponse{Node: x}, nil
}

func (n fakeNodes) Nodes(_ context.Context, r *nodestypes.QueryNodesRequest, _ ...grpc.CallOption) (*nodestypes.QueryNodesResponse, error) {
	if err := n.f.enter(); err != nil {
		return nil, err
	}
	idx, res := page(len(n.f.nodes), r.Pagination)
	out := &nodestypes.QueryNodesResponse{Pagination: res}
	for _, i := range idx {
		out.Nodes = append(out.Nodes, n.f.nodes[i])
	}
	return out, nil
}

// record is node id's period p+1: scores vary by node and period, so sorting by them
// means something.
func (n fakeNodes) record(id string, p int) nodestypes.PeriodRecord {
	score := sdkmath.LegacyNewDecWithPrec(int64((n.f.byID[id]*31+p*17)%100), 2)
	rec := nodestypes.PeriodRecord{NodeId: id, Period: uint64(p + 1), Stats: nodestypes.PeriodStats{Validated: uint64(p + 3), Assigned: uint64(p + 4), Slashes: uint64(p % 3)},
		Uptime: sdkmath.LegacyOneDec(), PrecommitScore: score, CommitScore: score, ValidationAccuracy: score, TotalScore: score,
		Reputation: score, RewardEntitled: sdkmath.NewInt(20_000_000), RewardPaid: sdkmath.NewInt(20_000_000), LevelAfter: uint32(p % 11), Paid: true}
	switch p {
	case 2, 3: // the rewards pool was short in periods 3 and 4
		rec.RewardPaid = sdkmath.NewInt(12_500_000)
	case 5: // period 6 is scored, its payout still to come
		rec.RewardPaid, rec.Paid = sdkmath.ZeroInt(), false
	}
	return rec
}

func (n fakeNodes) NodePeriods(_ context.Context, r *nodestypes.QueryNodePeriodsRequest, _ ...grpc.CallOption) (*nodestypes.QueryNodePeriodsResponse, error) {
	if err := n.f.enter(); err != nil {
		return nil, err
	}
	n.f.periodCalls.Add(1)
	idx, res := page(n.f.periods, r.Pagination)
	out := &nodestypes.QueryNodePeriodsResponse{Pagination: res}
	for _, i := range idx {
		out.Records = append(out.Records, n.record(r.NodeId, i))
	}
	return out, nil
}

func (n fakeNodes) LevelHistory(_ context.Context, r *nodestypes.QueryLevelHistoryRequest, _ ...grpc.CallOption) (*nodestypes.QueryLevelHistoryResponse, error) {
	if err := n.f.enter(); err != nil {
		return nil, err
	}
	idx, res := page(n.f.periods, r.Pagination)
	out := &nodestypes.QueryLevelHistoryResponse{Pagination: res, Reputation: sdkmath.LegacyZeroDec()}
	for _, i := range idx {
		rec := n.record(r.NodeId, i)
		out.History = append(out.History, nodestypes.LevelEntry{Period: rec.Period, LevelAfter: rec.LevelAfter, TotalScore: rec.TotalScore, Reputation: rec.Reputation})
	}
	return out, nil
}

func (n fakeNodes) CurrentPeriod(context.Context, *nodestypes.QueryCurrentPeriodRequest, ...grpc.CallOption) (*nodestypes.QueryCurrentPeriodResponse, error) {
	if err := n.f.enter(); err != nil {
		return nil, err
	}
	return &nodestypes.QueryCurrentPeriodResponse{Period: nodestypes.Period{Number: uint64(n.f.periods + 1), StartHeight: 900}}, nil
}

type fakeSessions struct {
	sessionstypes.QueryClient
	f *fakeChain
}

func (s fakeSessions) session(id uint64) sessionstypes.Session {
	return sessionstypes.Session{Id: id, Owner: sdk.AccAddress(fmt.Appendf(nil, "owner%015d", id)).String(), ModelId: "tiny", Redundancy: 2, Quorum: 2,
		PricePerTask: sdkmath.NewInt(1000), Status: sessionstypes.SESSION_STATUS_ACTIVE, TasksSubmitted: uint64(s.f.tasksPer), TasksValidated: uint64(s.f.tasksPer)}
}

func (s fakeSessions) taskOf(id uint64) sessionstypes.Task {
	emb := []int32{600000, 800000}
	return sessionstypes.Task{Id: id, SessionId: (id-1)/uint64(s.f.tasksPer) + 1, ModelId: "tiny", Status: sessionstypes.TASK_STATUS_VALIDATED,
		Reserved: sdkmath.ZeroInt(), Paid: sdkmath.NewInt(2000), ConsensusNode: "node-000001", SubmittedHeight: 10, EndedHeight: 14,
		ResultText: "hello <b>world</b>", ResultSha256: []byte{1, 2, 3},
		Assignments: []sessionstypes.Assignment{
			{NodeId: "node-000001", Status: sessionstypes.ASSIGNMENT_STATUS_VALIDATED, AssignedHeight: 10, PrecommitHeight: 11, CommitHeight: 13, Embedding: emb, CompletionTokens: 7},
			{NodeId: "node-000002", Status: sessionstypes.ASSIGNMENT_STATUS_REJECTED, AssignedHeight: 10, PrecommitHeight: 12, CommitHeight: 13, Embedding: []int32{1000000, 0}, CompletionTokens: 7},
		}}
}

func (s fakeSessions) Session(_ context.Context, r *sessionstypes.QuerySessionRequest, _ ...grpc.CallOption) (*sessionstypes.QuerySessionResponse, error) {
	if err := s.f.enter(); err != nil {
		return nil, err
	}
	if r.SessionId == 0 || r.SessionId > uint64(s.f.sessions) {
		return nil, status.Error(codes.NotFound, "no session")
	}
	return &sessionstypes.QuerySessionResponse{Session: s.session(r.SessionId)}, nil
}

func (s fakeSessions) Task(_ context.Context, r *sessionstypes.QueryTaskRequest, _ ...grpc.CallOption) (*sessionstypes.QueryTaskResponse, error) {
	if err := s.f.enter(); err != nil {
		return nil, err
	}
	if r.TaskId == 0 || r.TaskId > uint64(s.f.sessions*s.f.tasksPer) {
		return nil, status.Error(codes.NotFound, "no task")
	}
	return &sessionstypes.QueryTaskResponse{Task: s.taskOf(r.TaskId)}, nil
}

func (s fakeSessions) TasksBySession(_ context.Context, r *sessionstypes.QueryTasksBySessionRequest, _ ...grpc.CallOption) (*sessionstypes.QueryTasksBySessionResponse, error) {
	if err := s.f.enter(); err != nil {
		return nil, err
	}
	idx, res := page(s.f.tasksPer, r.Pagination)
	out := &sessionstypes.QueryTasksBySessionResponse{Pagination: res}
	for _, i := range idx {
		out.Tasks = append(out.Tasks, s.taskOf((r.SessionId-1)*uint64(s.f.tasksPer)+uint64(i)+1))
	}
	return out, nil
}

func (s fakeSessions) NodeAssignments(_ context.Context, r *sessionstypes.QueryNodeAssignmentsRequest, _ ...grpc.CallOption) (*sessionstypes.QueryNodeAssignmentsResponse, error) {
	if err := s.f.enter(); err != nil {
		return nil, err
	}
	idx, res := page(3, r.Pagination)
	out := &sessionstypes.QueryNodeAssignmentsResponse{Pagination: res}
	for _, i := range idx {
		t := s.taskOf(uint64(i) + 1)
		t.Assignments[0].NodeId = r.NodeId
		out.Tasks = append(out.Tasks, t)
	}
	return out, nil
}

func (s fakeSessions) QueueLength(_ context.Context, r *sessionstypes.QueryQueueLengthRequest, _ ...grpc.CallOption) (*sessionstypes.QueryQueueLengthResponse, error) {
	if err := s.f.enter(); err != nil {
		return nil, err
	}
	return &sessionstypes.QueryQueueLengthResponse{Total: 42, Session: r.SessionId % 5}, nil
}

func (s fakeSessions) Params(context.Context, *sessionstypes.QueryParamsRequest, ...grpc.CallOption) (*sessionstypes.QueryParamsResponse, error) {
	if err := s.f.enter(); err != nil {
		return nil, err
	}
	return &sessionstypes.QueryParamsResponse{Params: sessionstypes.Params{SimilarityThreshold: sdkmath.LegacyMustNewDecFromStr("0.85"),
		NormTolerance: sdkmath.LegacyZeroDec(), MinPricePerTask: sdkmath.ZeroInt()}}, nil
}

type fakePayments struct {
	paymentstypes.QueryClient
	f *fakeChain
}

func (p fakePayments) SessionBalance(_ context.Context, r *paymentstypes.QuerySessionBalanceRequest, _ ...grpc.CallOption) (*paymentstypes.QuerySessionBalanceResponse, error) {
	if err := p.f.enter(); err != nil {
		return nil, err
	}
	return &paymentstypes.QuerySessionBalanceResponse{Balance: paymentstypes.SessionBalance{SessionId: r.SessionId,
		Free: sdkmath.NewInt(int64(r.SessionId) * 1000), Reserved: sdkmath.ZeroInt(), Deposited: sdkmath.NewInt(1_000_000), Paid: sdkmath.NewInt(5000)}}, nil
}

func (p fakePayments) PendingPayments(context.Context, *paymentstypes.QueryPendingPaymentsRequest, ...grpc.CallOption) (*paymentstypes.QueryPendingPaymentsResponse, error) {
	if err := p.f.enter(); err != nil {
		return nil, err
	}
	return &paymentstypes.QueryPendingPaymentsResponse{Amount: sdkmath.NewInt(777)}, nil
}

type fakeData struct {
	datatypes.QueryClient
	f *fakeChain
}

func (d fakeData) Pool(context.Context, *datatypes.QueryPoolRequest, ...grpc.CallOption) (*datatypes.QueryPoolResponse, error) {
	if err := d.f.enter(); err != nil {
		return nil, err
	}
	return &datatypes.QueryPoolResponse{Accounting: datatypes.Accounting{Pool: sdkmath.NewInt(5), Bonds: sdkmath.NewInt(6), Reserved: sdkmath.NewInt(7)},
		Epoch: datatypes.EpochState{Epoch: 3, Threshold: sdkmath.LegacyMustNewDecFromStr("0.5"), Opened: 4, Filled: 1}}, nil
}

func (d fakeData) Targets(_ context.Context, r *datatypes.QueryTargetsRequest, _ ...grpc.CallOption) (*datatypes.QueryTargetsResponse, error) {
	if err := d.f.enter(); err != nil {
		return nil, err
	}
	idx, res := page(2, r.Pagination)
	out := &datatypes.QueryTargetsResponse{Pagination: res}
	for _, i := range idx {
		st := []datatypes.TargetStatus{datatypes.TARGET_STATUS_OPEN, datatypes.TARGET_STATUS_AUDITING}[i]
		out.Targets = append(out.Targets, datatypes.Target{Id: uint64(i + 1), Epoch: 3, Models: []string{"tiny"}, Status: st,
			Threshold: sdkmath.LegacyMustNewDecFromStr("0.5"), Reward: sdkmath.NewInt(100), AuditId: uint64(i)})
	}
	return out, nil
}

func (d fakeData) Submission(_ context.Context, r *datatypes.QuerySubmissionRequest, _ ...grpc.CallOption) (*datatypes.QuerySubmissionResponse, error) {
	if err := d.f.enter(); err != nil {
		return nil, err
	}
	return &datatypes.QuerySubmissionResponse{Submission: datatypes.Submission{TargetId: r.TargetId, Submitter: "cor1submitter", Bond: sdkmath.NewInt(4242),
		Reward: sdkmath.ZeroInt(), DistanceSq: 17}}, nil
}

type fakeAudits struct {
	auditstypes.QueryClient
	f *fakeChain
}

func (a fakeAudits) OpenAudits(_ context.Context, r *auditstypes.QueryOpenAuditsRequest, _ ...grpc.CallOption) (*auditstypes.QueryAuditsResponse, error) {
	if err := a.f.enter(); err != nil {
		return nil, err
	}
	idx, res := page(1, r.Pagination)
	out := &auditstypes.QueryAuditsResponse{Pagination: res}
	for range idx {
		out.Audits = append(out.Audits, auditstypes.Audit{Id: 1, SubjectModule: "data", SubjectId: "2", Auditor: "cor1auditor", Status: auditstypes.AUDIT_STATUS_VOTING})
	}
	return out, nil
}

func (a fakeAudits) tally() auditstypes.Tally {
	return auditstypes.Tally{YesStake: sdkmath.NewInt(70), NoStake: sdkmath.NewInt(10), TotalStake: sdkmath.NewInt(100), YesVoters: 2, NoVoters: 1}
}

// auditStatuses are the fake's audits by id: one of every status (7 and up do not exist).
var auditStatuses = map[uint64]auditstypes.AuditStatus{
	1: auditstypes.AUDIT_STATUS_VOTING, 2: auditstypes.AUDIT_STATUS_PENDING, 3: auditstypes.AUDIT_STATUS_PASSED,
	4: auditstypes.AUDIT_STATUS_FRAUD, 5: auditstypes.AUDIT_STATUS_CLEARED, 6: auditstypes.AUDIT_STATUS_MISSED,
}

func (a fakeAudits) audit(id uint64) (auditstypes.Audit, bool) {
	st, ok := auditStatuses[id]
	if !ok {
		return auditstypes.Audit{}, false
	}
	x := auditstypes.Audit{Id: id, SubjectModule: "data", SubjectId: "2", Auditor: "cor1auditor", Status: st, OpenedHeight: 900, DeadlineHeight: 950}
	switch st {
	case auditstypes.AUDIT_STATUS_VOTING:
		x.VotingEndHeight = 1100
		x.Report = &auditstypes.FraudReport{FailedCheck: "distance", ReportedHeight: 940}
	case auditstypes.AUDIT_STATUS_FRAUD, auditstypes.AUDIT_STATUS_CLEARED:
		t := a.tally()
		if st == auditstypes.AUDIT_STATUS_CLEARED {
			t.YesStake, t.Fraud = sdkmath.NewInt(40), false
		} else {
			t.Fraud = true
		}
		x.Tally, x.VotingEndHeight, x.DecidedHeight = &t, 990, 991
		x.Report = &auditstypes.FraudReport{FailedCheck: "distance", ReportedHeight: 940}
	case auditstypes.AUDIT_STATUS_PASSED:
		x.DecidedHeight = 930
	case auditstypes.AUDIT_STATUS_MISSED:
		x.DecidedHeight = 951
	}
	return x, true
}

// Tally answers like x/audits' query server: the stored tally of a decided vote, the
// live one of a vote in progress, FailedPrecondition for an audit with no vote.
func (a fakeAudits) Tally(_ context.Context, r *auditstypes.QueryTallyRequest, _ ...grpc.CallOption) (*auditstypes.QueryTallyResponse, error) {
	if err := a.f.enter(); err != nil {
		return nil, err
	}
	x, ok := a.audit(r.AuditId)
	switch {
	case !ok:
		return nil, status.Error(codes.NotFound, "no audit")
	case x.Tally != nil:
		return &auditstypes.QueryTallyResponse{Tally: *x.Tally, Status: x.Status, VotingEndHeight: x.VotingEndHeight}, nil
	case x.Status == auditstypes.AUDIT_STATUS_VOTING:
		return &auditstypes.QueryTallyResponse{Tally: a.tally(), Status: x.Status, VotingEndHeight: x.VotingEndHeight}, nil
	}
	return nil, status.Errorf(codes.FailedPrecondition, "audit %d is %s: no fraud vote", x.Id, x.Status)
}

func (a fakeAudits) Audit(_ context.Context, r *auditstypes.QueryAuditRequest, _ ...grpc.CallOption) (*auditstypes.QueryAuditResponse, error) {
	if err := a.f.enter(); err != nil {
		return nil, err
	}
	x, ok := a.audit(r.Id)
	if !ok {
		return nil, status.Error(codes.NotFound, "no audit")
	}
	return &auditstypes.QueryAuditResponse{Audit: x}, nil
}

func (a fakeAudits) Votes(_ context.Context, r *auditstypes.QueryVotesRequest, _ ...grpc.CallOption) (*auditstypes.QueryVotesResponse, error) {
	if err := a.f.enter(); err != nil {
		return nil, err
	}
	return &auditstypes.QueryVotesResponse{Votes: []auditstypes.Vote{{AuditId: 1, Voter: "cor1voter", Option: auditstypes.VOTE_OPTION_YES, Height: 1001}}, Pagination: &query.PageResponse{}}, nil
}

type fakeChallenges struct {
	challengestypes.QueryClient
	f *fakeChain
}

func (c fakeChallenges) Challenges(_ context.Context, r *challengestypes.QueryChallengesRequest, _ ...grpc.CallOption) (*challengestypes.QueryChallengesResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	return &challengestypes.QueryChallengesResponse{Challenges: []challengestypes.Challenge{{Id: 1, Epoch: 2, Status: challengestypes.CHALLENGE_STATUS_SCORED,
		TaskType: challengestypes.TASK_TYPE_CODEGEN, Invited: []string{"node-000001", "node-000002"}, Commits: 2, Reveals: 2, Evaluators: 3}}, Pagination: &query.PageResponse{}}, nil
}

func (c fakeChallenges) Challenge(_ context.Context, r *challengestypes.QueryChallengeRequest, _ ...grpc.CallOption) (*challengestypes.QueryChallengeResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	if r.Id != 1 {
		return nil, status.Error(codes.NotFound, "no challenge")
	}
	return &challengestypes.QueryChallengeResponse{Challenge: challengestypes.Challenge{Id: 1, Epoch: 2, Status: challengestypes.CHALLENGE_STATUS_SCORED}}, nil
}

func (c fakeChallenges) Answers(context.Context, *challengestypes.QueryAnswersRequest, ...grpc.CallOption) (*challengestypes.QueryAnswersResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	return &challengestypes.QueryAnswersResponse{Answers: []challengestypes.Answer{{ChallengeId: 1, NodeId: "node-000001", Revealed: true, Scored: true, ScoreBps: 6500}}, Pagination: &query.PageResponse{}}, nil
}

func (c fakeChallenges) Submissions(context.Context, *challengestypes.QuerySubmissionsRequest, ...grpc.CallOption) (*challengestypes.QuerySubmissionsResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	var subs []challengestypes.ScoreSubmission
	for i, v := range []uint32{6000, 6500, 9000} {
		subs = append(subs, challengestypes.ScoreSubmission{ChallengeId: 1, Evaluator: fmt.Sprintf("cor1evaluator%d", i), Scores: []challengestypes.MinerScore{{NodeId: "node-000001", ScoreBps: v}}})
	}
	return &challengestypes.QuerySubmissionsResponse{Submissions: subs, Pagination: &query.PageResponse{}}, nil
}

func (c fakeChallenges) Weights(_ context.Context, r *challengestypes.QueryWeightsRequest, _ ...grpc.CallOption) (*challengestypes.QueryWeightsResponse, error) {
	if err := c.f.enter(); err != nil {
		return nil, err
	}
	w := sdkmath.LegacyNewDecWithPrec(int64(r.Epoch)*10, 2)
	return &challengestypes.QueryWeightsResponse{Weights: []challengestypes.Weight{{Epoch: r.Epoch, TaskType: r.TaskType, NodeId: "node-000001", N: 1,
		Avg: w, Bayesian: w, Weight: w}}, Pagination: &query.PageResponse{}}, nil
}

func testServer(f *fakeChain) *Server {
	enc, err := chain.NewEncoding()
	if err != nil {
		panic(err)
	}
	s, err := New(Config{Backend: f.backend(), Codec: enc.Codec, QueryTimeout: 2 * time.Second})
	if err != nil {
		panic(err)
	}
	return s
}

package dashboard

import (
	"context"
	"sync"
	"time"

	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/types/query"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// censusPage is the page size of the census walk.
const censusPage = 200

// maxRankNodes bounds the nodes the census keeps for the rank table (in id order):
// past it the walk still counts nodes for the overview, and the rank table says
// that it ranks the first maxRankNodes only.
var maxRankNodes = 10_000 // a var so a test can lower it

// Census is the overview's count of nodes by level, taken by walking the node
// list in pages in the background, so that rendering the overview costs a few
// queries however many nodes there are.
type Census struct {
	Height  int64     `json:"height"`
	Taken   time.Time `json:"taken"`
	Total   int       `json:"total"`
	Online  int       `json:"online"`
	ByLevel []int     `json:"online_by_level"` // index: level 0..10
}

// Ranking is every node (up to maxRankNodes) with what the rank table sorts by,
// as of one census walk. No query orders nodes by score, so the table's global
// order comes from here.
type Ranking struct {
	Height    int64
	Taken     time.Time
	Rows      []NodeRow // id order; Records left empty (the page reads its rows' records)
	Truncated bool      // more nodes than maxRankNodes exist

	mu     sync.Mutex
	orders map[string][]int // "key order" -> row indices, filled by sorted
}

// recSummary is what the ranking keeps of a node's newest period records, and the
// settled period it was read for: records change only when a period settles (and,
// once more, when its payout is recorded), so a walk re-reads a node's records only
// when its last_settled_period moved or its newest record was not yet paid.
type recSummary struct {
	settled   uint64
	final     bool
	latest    *nodestypes.PeriodRecord
	validated uint64
}

type census struct {
	mu    sync.Mutex
	last  Census
	rank  *Ranking
	walk  sync.Mutex            // one walk at a time
	recs  map[string]recSummary // guarded by walk
	heatN int                   // records read per node (the heatmap's periods)
}

func (c *census) get() Census {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func (c *census) ranking() *Ranking {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rank
}

// online mirrors x/nodes/keeper.Inactive: a node is online while it is bonded and
// has heartbeated within max_missed_heartbeats intervals.
func online(p nodestypes.Params, n nodestypes.Node, height int64) bool {
	if n.Status != nodestypes.NODE_STATUS_ACTIVE || n.LastHeartbeatHeight == 0 {
		return false
	}
	return height-n.LastHeartbeatHeight <= int64(p.MaxMissedHeartbeats)*p.HeartbeatIntervalBlocks
}

// ensureRanking walks now when no walk has completed yet (the first request for a
// sorted table after start), so a sorted page never shows a partial order.
func (c *census) ensureRanking(ctx context.Context, b Backend, timeout time.Duration) (*Ranking, error) {
	if r := c.ranking(); r != nil {
		return r, nil
	}
	c.walk.Lock()
	defer c.walk.Unlock()
	if r := c.ranking(); r != nil { // a walk finished while this one waited
		return r, nil
	}
	if err := c.walkLocked(ctx, b, timeout); err != nil {
		return nil, err
	}
	return c.ranking(), nil
}

func (c *census) refresh(ctx context.Context, b Backend, timeout time.Duration) error {
	c.walk.Lock()
	defer c.walk.Unlock()
	return c.walkLocked(ctx, b, timeout)
}

func (c *census) walkLocked(ctx context.Context, b Backend, timeout time.Duration) error {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	blk, err := b.Comet.GetLatestBlock(qctx, &cmtservice.GetLatestBlockRequest{})
	cancel()
	if err != nil {
		return err
	}
	qctx, cancel = context.WithTimeout(ctx, timeout)
	params, err := b.Nodes.Params(qctx, &nodestypes.QueryParamsRequest{})
	cancel()
	if err != nil {
		return err
	}
	if c.recs == nil {
		c.recs = map[string]recSummary{}
	}
	heatN := max(c.heatN, 1)
	out := Census{Height: blockHeight(blk), ByLevel: make([]int, 11)}
	rank := &Ranking{Height: out.Height}
	seen := map[string]bool{}
	var key []byte
	for {
		qctx, cancel := context.WithTimeout(ctx, timeout)
		res, err := b.Nodes.Nodes(qctx, &nodestypes.QueryNodesRequest{Pagination: &query.PageRequest{Key: key, Limit: censusPage}})
		cancel()
		if err != nil {
			return err
		}
		for _, n := range res.Nodes {
			out.Total++
			on := online(params.Params, n, out.Height)
			if on {
				out.Online++
				out.ByLevel[min(int(n.Level), 10)]++
			}
			if len(rank.Rows) >= maxRankNodes {
				rank.Truncated = true
				continue
			}
			sum, ok := c.recs[n.Id]
			if !ok || !sum.final || sum.settled != n.LastSettledPeriod {
				// Kept as it is read, so that a walk cut short still saves later ones work.
				if sum, err = readRecs(ctx, b, timeout, n, heatN); err != nil {
					return err
				}
				c.recs[n.Id] = sum
			}
			seen[n.Id] = true
			rank.Rows = append(rank.Rows, NodeRow{Node: n, Online: on, Latest: sum.latest, Validated: sum.validated})
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	for id := range c.recs {
		if !seen[id] {
			delete(c.recs, id) // a node that left the list (or the bound)
		}
	}
	out.Taken = time.Now()
	rank.Taken = out.Taken
	c.mu.Lock()
	c.last, c.rank = out, rank
	c.mu.Unlock()
	return nil
}

// readRecs reads a node's newest records, as the rank table shows them.
func readRecs(ctx context.Context, b Backend, timeout time.Duration, n nodestypes.Node, heatN int) (recSummary, error) {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pr, err := b.Nodes.NodePeriods(qctx, &nodestypes.QueryNodePeriodsRequest{NodeId: n.Id,
		Pagination: &query.PageRequest{Limit: uint64(heatN), Reverse: true}})
	if err != nil {
		return recSummary{}, err
	}
	sum := recSummary{settled: n.LastSettledPeriod, final: true}
	for i := range pr.Records {
		sum.validated += pr.Records[i].Stats.Validated
	}
	if len(pr.Records) > 0 {
		latest := pr.Records[0]
		sum.latest = &latest
		sum.final = latest.Paid
	}
	return sum, nil
}

func blockHeight(b *cmtservice.GetLatestBlockResponse) int64 {
	if b == nil || b.SdkBlock == nil {
		return 0
	}
	return b.SdkBlock.Header.Height
}

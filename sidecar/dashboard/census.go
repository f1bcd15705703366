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

type census struct {
	mu   sync.Mutex
	last Census
}

func (c *census) get() Census {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// online mirrors x/nodes/keeper.Inactive: a node is online while it is bonded and
// has heartbeated within max_missed_heartbeats intervals.
func online(p nodestypes.Params, n nodestypes.Node, height int64) bool {
	if n.Status != nodestypes.NODE_STATUS_ACTIVE || n.LastHeartbeatHeight == 0 {
		return false
	}
	return height-n.LastHeartbeatHeight <= int64(p.MaxMissedHeartbeats)*p.HeartbeatIntervalBlocks
}

func (c *census) refresh(ctx context.Context, b Backend, timeout time.Duration) error {
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
	out := Census{Height: blockHeight(blk), ByLevel: make([]int, 11)}
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
			if online(params.Params, n, out.Height) {
				out.Online++
				out.ByLevel[min(int(n.Level), 10)]++
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	out.Taken = time.Now()
	c.mu.Lock()
	c.last = out
	c.mu.Unlock()
	return nil
}

func blockHeight(b *cmtservice.GetLatestBlockResponse) int64 {
	if b == nil || b.SdkBlock == nil {
		return 0
	}
	return b.SdkBlock.Header.Height
}

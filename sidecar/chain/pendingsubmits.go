package chain

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	streamtypes "github.com/cortnet/cortd/app/stream/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// maxPendingMessage bounds one PendingSubmits message: one tx's submissions, which
// CometBFT's max_tx_bytes (1 MiB by default) bounds on the node.
const maxPendingMessage = 8 << 20

// FollowPendingSubmits calls f with the task submissions of every tx the node's
// mempool admits (cortd.stream.v1.Stream/PendingSubmits), with how many the node
// dropped for this subscriber since the last call, until ctx ends. It resubscribes
// after an error, with a backoff. A node that does not serve the stream (an older
// cortd) makes it return at once with an error saying so: the hints are an
// optimisation, and nothing depends on them.
func (c *Client) FollowPendingSubmits(ctx context.Context, f func(submits []sessionstypes.MsgSubmitTask, dropped uint64)) error {
	backoff := time.Second
	for ctx.Err() == nil {
		got, err := c.followPendingOnce(ctx, f)
		if ctx.Err() != nil {
			break
		}
		if status.Code(err) == codes.Unimplemented {
			return errPendingUnsupported
		}
		if got {
			backoff = time.Second
		}
		c.log.Warn("pending submissions stream dropped; resubscribing", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
	return ctx.Err()
}

var errPendingUnsupported = status.Error(codes.Unimplemented, "the node serves no pending submissions stream (cortd.stream.v1.Stream/PendingSubmits)")

// followPendingOnce reads one subscription until it fails; got says whether it
// delivered anything (the next backoff starts over).
func (c *Client) followPendingOnce(ctx context.Context, f func([]sessionstypes.MsgSubmitTask, uint64)) (bool, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := streamtypes.NewStreamClient(c.conn).PendingSubmits(sctx, &streamtypes.PendingSubmitsRequest{},
		grpc.MaxCallRecvMsgSize(maxPendingMessage))
	if err != nil {
		return false, err
	}
	got := false
	for {
		m, err := s.Recv()
		if err != nil {
			return got, err
		}
		got = true
		if !m.Subscribed {
			f(m.Submits, m.Dropped)
		}
	}
}

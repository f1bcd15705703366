package types

import (
	"context"
	"iter"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
)

// ModelsKeeper: a session's model must exist and be active; its embedding_dim fixes the
// size of committed embeddings.
type ModelsKeeper interface {
	GetActiveModel(ctx context.Context, id string) (modelstypes.Model, error)
}

// NodesKeeper is the x/nodes keeper API: candidates for assignment and the stats a task
// reports for each node.
type NodesKeeper interface {
	GetNode(ctx context.Context, id string) (nodestypes.Node, error)
	EligibleNodes(ctx context.Context, modelID string, minLevel uint32) iter.Seq2[nodestypes.Node, error]
	// RecordAssignmentFor counts a task for modelID assigned to the node, and as a warm
	// assignment when the node's last heartbeat claimed modelID loaded (x/nodes'
	// warm_precommit_misses disqualification reads that count).
	RecordAssignmentFor(ctx context.Context, nodeID, modelID string) error
	RecordPrecommit(ctx context.Context, nodeID string, onTime bool) error
	RecordCommit(ctx context.Context, nodeID string, onTime bool) error
	RecordValidated(ctx context.Context, nodeID string) error
	RecordRejected(ctx context.Context, nodeID string) error
	// SlashNode takes fraction of the node's stake (session audit fraud).
	SlashNode(ctx context.Context, nodeID string, fraction sdkmath.LegacyDec, reason string) (sdkmath.Int, error)
}

// PaymentsKeeper is the x/payments escrow API (SessionPayment). Every task end goes
// through Settle (with no payees when nobody is paid), so x/sessions needs no Release.
type PaymentsKeeper interface {
	OpenSession(ctx context.Context, sessionID uint64, owner string) error
	Deposit(ctx context.Context, sessionID uint64, from sdk.AccAddress, amount sdkmath.Int) error
	Reserve(ctx context.Context, sessionID uint64, amount sdkmath.Int) error
	Settle(ctx context.Context, sessionID, taskID uint64, reserved, price sdkmath.Int, payees []string) error
	Refund(ctx context.Context, sessionID uint64) (sdkmath.Int, error)
	GetBalance(ctx context.Context, sessionID uint64) (paymentstypes.SessionBalance, error)
	// Clawback takes up to amount back from operator's pending payments into the session's
	// free balance and returns what it took (session audit fraud).
	Clawback(ctx context.Context, sessionID, taskID uint64, operator string, amount sdkmath.Int) (sdkmath.Int, error)
}

// AuditsKeeper is the x/audits API a subject module uses to open an audit of a task.
type AuditsKeeper interface {
	OpenAudit(ctx context.Context, subjectModule, subjectID string, exclude []sdk.AccAddress, payloadHash []byte) (uint64, error)
	GetAudit(ctx context.Context, id uint64) (auditstypes.Audit, error)
}

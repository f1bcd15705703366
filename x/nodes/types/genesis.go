package types

import (
	"slices"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// DefaultGenesis has default params, no nodes, and period 1 open from genesis.
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params:      DefaultParams(),
		Nodes:       []Node{},
		Operators:   []Operator{},
		Period:      Period{Number: 1},
		Settlements: []Settlement{},
		LiveStats:   []LiveStats{},
		Records:     []PeriodRecord{},
	}
}

// Validate checks params, every record, and the cross references between them.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.Period.Number == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "period number starts at 1")
	}
	nodes := make(map[string]Node, len(gs.Nodes))
	bonded := map[string]uint32{}
	for i, n := range gs.Nodes {
		if _, dup := nodes[n.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate node id %q", n.Id)
		}
		if err := n.Validate(gs.Params); err != nil {
			return errorsmod.Wrapf(err, "nodes[%d]", i)
		}
		nodes[n.Id] = n
		if n.Status == NODE_STATUS_ACTIVE {
			bonded[n.Operator]++
		}
	}
	seenOps := map[string]bool{}
	for _, op := range gs.Operators {
		if seenOps[op.Address] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate operator %s", op.Address)
		}
		seenOps[op.Address] = true
		if err := validAddress("operator", op.Address); err != nil {
			return err
		}
		if !slices.IsSorted(op.Roles) || len(slices.Compact(slices.Clone(op.Roles))) != len(op.Roles) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s roles must be sorted and unique", op.Address)
		}
		for _, r := range op.Roles {
			if err := ValidateRole(r); err != nil {
				return err
			}
		}
		if err := op.validateRewardState(); err != nil {
			return err
		}
		if op.BondedNodes != bonded[op.Address] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s bonded_nodes %d, nodes say %d", op.Address, op.BondedNodes, bonded[op.Address])
		}
	}
	for _, n := range gs.Nodes {
		if n.Status == NODE_STATUS_ACTIVE && !seenOps[n.Operator] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s of bonded node %q has no operator record", n.Operator, n.Id)
		}
	}
	openPeriods := map[uint64]bool{gs.Period.Number: true}
	for _, s := range gs.Settlements {
		if s.Period == 0 || s.Period >= gs.Period.Number || openPeriods[s.Period] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "settlement of period %d", s.Period)
		}
		if s.Phase != SETTLEMENT_PHASE_SCORE && s.Phase != SETTLEMENT_PHASE_ENTITLE && s.Phase != SETTLEMENT_PHASE_PAY {
			return errorsmod.Wrapf(ErrInvalidGenesis, "settlement %d has phase %s", s.Period, s.Phase)
		}
		if s.Owed.IsNil() || s.Owed.IsNegative() || s.Paid.IsNil() || s.Paid.IsNegative() || s.Ratio.IsNil() ||
			s.Available.IsNil() || s.Available.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "settlement %d amounts", s.Period)
		}
		openPeriods[s.Period] = true
	}
	type statKey struct {
		period uint64
		node   string
	}
	seenStats := map[statKey]bool{}
	for _, ls := range gs.LiveStats {
		k := statKey{ls.Period, ls.NodeId}
		if _, ok := nodes[ls.NodeId]; !ok || !openPeriods[ls.Period] || seenStats[k] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "live stats of node %q period %d", ls.NodeId, ls.Period)
		}
		seenStats[k] = true
	}
	seenRecords := map[statKey]bool{}
	for _, r := range gs.Records {
		k := statKey{r.Period, r.NodeId}
		if _, ok := nodes[r.NodeId]; !ok || r.Period == 0 || r.Period >= gs.Period.Number || seenRecords[k] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "record of node %q period %d", r.NodeId, r.Period)
		}
		if r.RewardEntitled.IsNil() || r.RewardPaid.IsNil() || r.RewardPaid.IsNegative() || r.RewardPaid.GT(r.RewardEntitled) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "record of node %q period %d amounts", r.NodeId, r.Period)
		}
		if err := r.validateRewardLines(); err != nil {
			return err
		}
		seenRecords[k] = true
	}
	return nil
}

// Validate checks a stored node record.
func (n Node) Validate(p Params) error {
	if err := ValidateNodeID(n.Id); err != nil {
		return err
	}
	if err := validAddress("operator", n.Operator); err != nil {
		return err
	}
	if err := validAddress("node_address", n.NodeAddress); err != nil {
		return err
	}
	if _, ok := p.Pool(n.PoolId); !ok {
		return errorsmod.Wrapf(ErrUnknownPool, "node %q pool %d", n.Id, n.PoolId)
	}
	d := NodeDescription{Endpoint: n.Endpoint, Spec: n.Spec, MemoryIndexMiB: n.MemoryIndexMib, Models: n.Models}
	if err := d.ValidateStateless(); err != nil {
		return err
	}
	if !slices.IsSorted(n.Models) || !slices.IsSorted(n.LoadedModels) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q model lists must be sorted", n.Id)
	}
	for _, m := range n.LoadedModels {
		if !slices.Contains(n.Models, m) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %q loaded model %q is not served", n.Id, m)
		}
	}
	switch n.Status {
	case NODE_STATUS_ACTIVE:
		if n.UnbondingCompleteHeight != 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "active node %q has an unbonding height", n.Id)
		}
	case NODE_STATUS_UNBONDING:
		if n.UnbondingCompleteHeight <= 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "unbonding node %q has no completion height", n.Id)
		}
	default:
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q has status %s", n.Id, n.Status)
	}
	if n.Stake.IsNil() || n.Stake.IsNegative() || n.AccruedRewards.IsNil() || n.AccruedRewards.IsNegative() {
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q amounts must be >= 0", n.Id)
	}
	if n.Level > MaxLevel {
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q level %d > %d", n.Id, n.Level, MaxLevel)
	}
	if n.Reputation.IsNil() || n.Reputation.IsNegative() || n.Reputation.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "node %q reputation out of [0, 1]", n.Id)
	}
	return n.validateRewardState()
}

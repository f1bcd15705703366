package keeper

import (
	"fmt"
	"slices"
	"strings"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// x/audits holds no funds (the bonds it rules on stay in the subject modules' accounts,
// whose invariants check them): its invariants check the records, the indexes over them,
// the votes and tallies, and the auditors' counts.

// maxInvariantProblems bounds the problems one invariant lists.
const maxInvariantProblems = 10

type problems []string

func (p *problems) add(format string, args ...any) {
	if len(*p) < maxInvariantProblems {
		*p = append(*p, fmt.Sprintf(format, args...))
	}
}

func (p problems) report(route string) (string, bool) {
	if len(p) == 0 {
		return sdk.FormatInvariant(types.ModuleName, route, "ok"), false
	}
	return sdk.FormatInvariant(types.ModuleName, route, strings.Join(p, "; ")), true
}

func isOpen(s types.AuditStatus) bool {
	return s == types.AUDIT_STATUS_PENDING || s == types.AUDIT_STATUS_VOTING
}

// IndexInvariant checks that every audit has exactly its index entries: one queue entry
// at its QueueHeight, its subject and auditor entries, and (while PENDING or VOTING) its
// Open and OpenBySubject entries; that no index entry names a missing audit or a wrong
// height; and that next_audit_id is above every id.
func IndexInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		var p problems
		next, err := k.NextAuditID.Get(ctx)
		if err != nil {
			p.add("next_audit_id: %v", err)
		}
		var audits, open int
		err = k.Audits.Walk(ctx, nil, func(id uint64, a types.Audit) (bool, error) {
			audits++
			if a.Id != id {
				p.add("audit under key %d has id %d", id, a.Id)
			}
			if id >= next {
				p.add("audit %d >= next_audit_id %d", id, next)
			}
			if has, err := k.Queue.Has(ctx, collections.Join(a.QueueHeight(), id)); err != nil || !has {
				p.add("audit %d (%s) has no queue entry at %d", id, a.Status, a.QueueHeight())
			}
			key := types.SubjectKey(a.SubjectModule, a.SubjectId)
			if has, err := k.BySubject.Has(ctx, collections.Join(key, id)); err != nil || !has {
				p.add("audit %d has no subject index entry", id)
			}
			if auditor, err := sdk.AccAddressFromBech32(a.Auditor); err != nil {
				p.add("audit %d auditor %q: %v", id, a.Auditor, err)
			} else if has, err := k.ByAuditor.Has(ctx, collections.Join(auditor, id)); err != nil || !has {
				p.add("audit %d has no auditor index entry", id)
			}
			inOpen, err := k.Open.Has(ctx, id)
			if err != nil {
				return true, err
			}
			if inOpen != isOpen(a.Status) {
				p.add("audit %d is %s but open index says %v", id, a.Status, inOpen)
			}
			if isOpen(a.Status) {
				open++
				if got, err := k.OpenBySubject.Get(ctx, key); err != nil || got != id {
					p.add("open audit %d: open_by_subject[%s] = %d (%v)", id, key, got, err)
				}
			}
			return false, nil
		})
		if err != nil {
			p.add("walking audits: %v", err)
		}
		count := func(name string, walk func(func() error) error, want int) {
			n := 0
			if err := walk(func() error { n++; return nil }); err != nil {
				p.add("walking %s: %v", name, err)
				return
			}
			if n != want {
				p.add("%s has %d entries, want %d", name, n, want)
			}
		}
		count("queue", func(f func() error) error {
			return k.Queue.Walk(ctx, nil, func(key collections.Pair[int64, uint64]) (bool, error) {
				if a, err := k.Audits.Get(ctx, key.K2()); err != nil || a.QueueHeight() != key.K1() {
					p.add("queue entry (%d, %d) names no audit due then", key.K1(), key.K2())
				}
				return false, f()
			})
		}, audits)
		count("by_subject", func(f func() error) error {
			return k.BySubject.Walk(ctx, nil, func(collections.Pair[string, uint64]) (bool, error) { return false, f() })
		}, audits)
		count("by_auditor", func(f func() error) error {
			return k.ByAuditor.Walk(ctx, nil, func(collections.Pair[sdk.AccAddress, uint64]) (bool, error) { return false, f() })
		}, audits)
		count("open", func(f func() error) error {
			return k.Open.Walk(ctx, nil, func(uint64) (bool, error) { return false, f() })
		}, open)
		count("open_by_subject", func(f func() error) error {
			return k.OpenBySubject.Walk(ctx, nil, func(string, uint64) (bool, error) { return false, f() })
		}, open)
		return p.report("index")
	}
}

// VotesInvariant checks the votes and the tallies: every vote is stored under its own
// audit and voter, on an audit that has a fraud report (VOTING or decided), and every
// VOTING audit holds at least the reporter's vote; a decided report's tally is
// consistent (yes + no stake within the total, voters within the votes stored, the
// decision the 2/3 rule gives, the status the decision gives).
func VotesInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		var p problems
		votes := map[uint64]uint32{}
		err := k.Votes.Walk(ctx, nil, func(key collections.Pair[uint64, sdk.AccAddress], v types.Vote) (bool, error) {
			if v.AuditId != key.K1() || v.Voter != key.K2().String() {
				p.add("vote under (%d, %s) says (%d, %s)", key.K1(), key.K2(), v.AuditId, v.Voter)
			}
			if v.Option != types.VOTE_OPTION_YES && v.Option != types.VOTE_OPTION_NO {
				p.add("vote (%d, %s) has option %s", key.K1(), key.K2(), v.Option)
			}
			a, err := k.Audits.Get(ctx, key.K1())
			switch {
			case err != nil:
				p.add("vote (%d, %s) on a missing audit", key.K1(), key.K2())
			case a.Status == types.AUDIT_STATUS_PENDING || a.Status == types.AUDIT_STATUS_PASSED || a.Status == types.AUDIT_STATUS_MISSED:
				p.add("vote (%d, %s) on audit %d, which is %s (no report)", key.K1(), key.K2(), a.Id, a.Status)
			}
			votes[key.K1()]++
			return false, nil
		})
		if err != nil {
			p.add("walking votes: %v", err)
		}
		err = k.Audits.Walk(ctx, nil, func(id uint64, a types.Audit) (bool, error) {
			switch a.Status {
			case types.AUDIT_STATUS_VOTING:
				if a.Report == nil || votes[id] == 0 {
					p.add("voting audit %d has report %v and %d votes", id, a.Report != nil, votes[id])
				}
			case types.AUDIT_STATUS_FRAUD, types.AUDIT_STATUS_CLEARED:
				t := a.Tally
				if t == nil || a.Report == nil {
					p.add("decided audit %d has tally %v, report %v", id, t != nil, a.Report != nil)
					return false, nil
				}
				if t.YesStake.IsNegative() || t.NoStake.IsNegative() || t.YesStake.Add(t.NoStake).GT(t.TotalStake) {
					p.add("audit %d tally yes %s + no %s > total %s", id, t.YesStake, t.NoStake, t.TotalStake)
				}
				if t.YesVoters+t.NoVoters > votes[id] {
					p.add("audit %d tally counts %d voters, %d votes stored", id, t.YesVoters+t.NoVoters, votes[id])
				}
				if t.Fraud != IsFraud(t.YesStake, t.TotalStake) {
					p.add("audit %d tally fraud=%v contradicts the 2/3 rule", id, t.Fraud)
				}
				if t.Fraud != (a.Status == types.AUDIT_STATUS_FRAUD) {
					p.add("audit %d is %s with tally fraud=%v", id, a.Status, t.Fraud)
				}
			}
			return false, nil
		})
		if err != nil {
			p.add("walking audits: %v", err)
		}
		return p.report("votes")
	}
}

// RecordsInvariant checks each auditor's counts against its audits: every assigned
// audit is passed, reported, missed or still PENDING (assigned = passed + reported +
// missed + pending), and every report is upheld, rejected or still VOTING (reported =
// upheld + rejected + voting). Final audits are pruned but counts are kept, so only the
// open ones are counted from the records.
func RecordsInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		var p problems
		pending, voting := map[string]uint64{}, map[string]uint64{}
		err := k.Open.Walk(ctx, nil, func(id uint64) (bool, error) {
			a, err := k.Audits.Get(ctx, id)
			if err != nil {
				p.add("open audit %d: %v", id, err)
				return false, nil
			}
			switch a.Status {
			case types.AUDIT_STATUS_PENDING:
				pending[a.Auditor]++
			case types.AUDIT_STATUS_VOTING:
				voting[a.Auditor]++
			}
			return false, nil
		})
		if err != nil {
			p.add("walking open audits: %v", err)
		}
		seen := map[string]bool{}
		err = k.AuditorRecords.Walk(ctx, nil, func(addr sdk.AccAddress, r types.AuditorRecord) (bool, error) {
			auditor := addr.String()
			seen[auditor] = true
			if r.Auditor != auditor {
				p.add("record under %s names %s", auditor, r.Auditor)
			}
			// Summed in uint64: each count is bounded by the audits ever opened.
			if r.Assigned != r.Passed+r.Reported+r.Missed+pending[auditor] {
				p.add("auditor %s: assigned %d != passed %d + reported %d + missed %d + pending %d",
					auditor, r.Assigned, r.Passed, r.Reported, r.Missed, pending[auditor])
			}
			if r.Reported != r.Upheld+r.Rejected+voting[auditor] {
				p.add("auditor %s: reported %d != upheld %d + rejected %d + voting %d",
					auditor, r.Reported, r.Upheld, r.Rejected, voting[auditor])
			}
			return false, nil
		})
		if err != nil {
			p.add("walking records: %v", err)
		}
		var orphans []string
		for _, m := range []map[string]uint64{pending, voting} {
			for auditor := range m {
				if !seen[auditor] {
					orphans = append(orphans, auditor)
				}
			}
		}
		slices.Sort(orphans)
		for _, auditor := range slices.Compact(orphans) {
			p.add("auditor %s has open audits and no record", auditor)
		}
		return p.report("records")
	}
}

// AllInvariants runs every x/audits invariant (x/crisis is retired in v0.54: tests and
// the app simulation call it), stopping at the first broken one.
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		for _, inv := range []sdk.Invariant{IndexInvariant(k), VotesInvariant(k), RecordsInvariant(k)} {
			if msg, broken := inv(ctx); broken {
				return msg, true
			}
		}
		return "", false
	}
}

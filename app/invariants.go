package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	auditskeeper "github.com/cortnet/cortd/x/audits/keeper"
	challengeskeeper "github.com/cortnet/cortd/x/challenges/keeper"
	datakeeper "github.com/cortnet/cortd/x/data/keeper"
	modelskeeper "github.com/cortnet/cortd/x/models/keeper"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	sessionskeeper "github.com/cortnet/cortd/x/sessions/keeper"
)

// NamedInvariant is one invariant of a custom module with the name it is reported by.
type NamedInvariant struct {
	Name      string
	Invariant sdk.Invariant
}

// Invariants lists every invariant of the network's own modules. x/crisis is retired in
// SDK v0.54, so nothing runs them on a live chain: the app simulation checks them every
// few blocks (app/sim_test.go), and keeper tests call their own.
func (app *App) Invariants() []NamedInvariant {
	return []NamedInvariant{
		{"models/deposits", modelskeeper.DepositsInvariant(app.ModelsKeeper, app.AccountKeeper)},
		{"nodes/escrow", nodeskeeper.EscrowInvariant(app.NodesKeeper)},
		{"nodes/index", nodeskeeper.IndexInvariant(app.NodesKeeper)},
		{"payments/escrow", paymentskeeper.EscrowInvariant(app.PaymentsKeeper)},
		{"sessions/reservation", sessionskeeper.ReservationInvariant(app.SessionsKeeper)},
		{"sessions/audit", sessionskeeper.AuditInvariant(app.SessionsKeeper)},
		{"audits/index", auditskeeper.IndexInvariant(app.AuditsKeeper)},
		{"audits/votes", auditskeeper.VotesInvariant(app.AuditsKeeper)},
		{"audits/records", auditskeeper.RecordsInvariant(app.AuditsKeeper)},
		{"data/funds", datakeeper.FundsInvariant(app.DataKeeper)},
		{"challenges/deposits", challengeskeeper.DepositsInvariant(app.ChallengesKeeper)},
		{"challenges/rewards", challengeskeeper.RewardsInvariant(app.ChallengesKeeper)},
	}
}

// CheckInvariants runs every invariant on ctx and returns the messages of the broken ones.
func (app *App) CheckInvariants(ctx sdk.Context) []string {
	var broken []string
	for _, inv := range app.Invariants() {
		if msg, bad := inv.Invariant(ctx); bad {
			broken = append(broken, inv.Name+": "+msg)
		}
	}
	return broken
}

// Package v2 is the first software upgrade of cortd, from the release whose x/payments is
// at consensus version 1.
//
// What it changes: x/payments keys each operator's pending payments by the account's bytes
// instead of its bech32 string (x/payments/migrations/v2 re-keys every entry); x/data turns
// on the claim delay (rewards claimable in the epoch after the audit passed;
// x/data/migrations/v2 sets claim_delay_epochs to 1); x/challenges gains context-selection
// challenges and availability reports (x/challenges/migrations/v2 sets the new params:
// emission shares per task type, max answer files, the unavailability bounds); x/sessions
// opens and announces a task's commit phase in the EndBlock of the block that carried its
// last precommit instead of in that tx (a new collection, precommitted, holds the block's
// precommitted tasks and is empty between blocks: nothing to migrate, but reveals in the
// block of the last precommit are refused from then on and the precommit's gas changes,
// so it waits for the upgrade height). No store is added or removed. The handler runs every module migration, so any module whose
// ConsensusVersion grows before this upgrade is released is migrated by it too.
package v2

import (
	"github.com/cortnet/cortd/app/upgrades"
)

// Name is the plan name of the upgrade (and cosmovisor's upgrades/v2 folder).
const Name = "v2"

// Upgrade is registered by app/upgrades.go.
var Upgrade = upgrades.Upgrade{
	Name:          Name,
	CreateHandler: upgrades.MigrateAll(Name),
}

package keeper_test

import (
	"testing"

	"github.com/cortnet/cortd/testutil/schemagolden"
	"github.com/cortnet/cortd/x/payments"
)

// TestStoreSchema pins the x/payments store layout (collections, prefixes, key and value codecs,
// every field of the stored messages) in testdata/schema.golden: a change that would read
// stored data differently fails here until it comes with a migration.
func TestStoreSchema(t *testing.T) {
	f := newFixture(t)
	schemagolden.Check(t, "payments", payments.ConsensusVersion, f.k, f.k.Schema)
}

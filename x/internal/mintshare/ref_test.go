package mintshare_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/mintshare"
)

type shares struct {
	m   map[string]string
	err error
}

func (s shares) VisitMintShares(_ context.Context, fn func(string, sdkmath.LegacyDec)) error {
	for _, mod := range []string{"nodes", "challenges", "data"} {
		if v, ok := s.m[mod]; ok {
			fn(mod, sdkmath.LegacyMustNewDecFromStr(v))
		}
	}
	return s.err
}

var errInvalid = errorsmod.Register("mintshare_test", 2, "invalid params")

// TestRef: unset it checks nothing; set, it counts the other pools' shares but not the
// module's own current one, wraps a broken rule in the given error and passes a store
// error through unwrapped; it is set once.
func TestRef(t *testing.T) {
	ctx := context.Background()
	r := mintshare.NewRef("data")
	require.NoError(t, r.CheckUpdate(ctx, sdkmath.LegacyNewDec(5), errInvalid), "unset: the module's own validation bounds it")

	r.Set(shares{m: map[string]string{"nodes": "0.5", "challenges": "0.25", "data": "0.9"}})
	require.Panics(t, func() { r.Set(shares{}) })
	require.NoError(t, r.CheckUpdate(ctx, sdkmath.LegacyMustNewDecFromStr("0.25"), errInvalid), "0.5 + 0.25 + 0.25 = 1; data's own 0.9 not counted")
	err := r.CheckUpdate(ctx, sdkmath.LegacyMustNewDecFromStr("0.26"), errInvalid)
	require.ErrorIs(t, err, errInvalid)
	require.ErrorContains(t, err, "mint shares sum to 1.010000000000000000 > 1")

	gone := errors.New("store gone")
	r = mintshare.NewRef("nodes")
	r.Set(shares{err: gone})
	err = r.CheckUpdate(ctx, sdkmath.LegacyZeroDec(), errInvalid)
	require.ErrorIs(t, err, gone)
	require.NotErrorIs(t, err, errInvalid, "a store error is not a params error")
}

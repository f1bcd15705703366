package keeper_test

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

func TestOpenAuditAssignsAndRecords(t *testing.T) {
	f := newFixture(t, 5, 3, 2)
	f.Ctx = f.Ctx.WithBlockHeight(10)
	payload := sha256.Sum256([]byte("submission 7"))
	id, err := f.k.OpenAudit(f.Ctx, subjectModule, "sub-7", f.ops(0), payload[:])
	require.NoError(t, err)
	require.Equal(t, uint64(1), id)

	a := f.audit(t, id)
	require.Equal(t, types.AUDIT_STATUS_PENDING, a.Status)
	require.Equal(t, "sub-7", a.SubjectId)
	require.Equal(t, payload[:], a.PayloadHash)
	require.Equal(t, int64(10), a.OpenedHeight)
	require.Equal(t, int64(10+types.DefaultParams().AuditDeadlineBlocks), a.DeadlineHeight)
	require.NotEqual(t, f.vals[0].String(), a.AuditorValidator, "the excluded operator is never the auditor")
	require.Equal(t, sdk.AccAddress(sdk.MustValAddressFromBech32(a.AuditorValidator)).String(), a.Auditor,
		"the auditor is the validator's operator account")
	require.Equal(t, types.AuditorSeed(nil, 1), a.Seed)
	require.True(t, f.hasEvent("EventAuditAssigned"))
	require.Equal(t, uint64(1), f.record(t, sdk.MustAccAddressFromBech32(a.Auditor)).Assigned)

	// a second audit of the same subject while the first is open is refused
	before := f.snapshot(t)
	_, err = f.k.OpenAudit(f.Ctx, subjectModule, "sub-7", nil, nil)
	require.ErrorIs(t, err, types.ErrAuditOpen)
	require.Equal(t, before, f.snapshot(t))

	// ids increase
	require.Equal(t, uint64(2), f.open(t, "sub-8"))
}

// TestAuditorChoiceDeterministic: the same previous block hash and counter give the same
// auditor on two independent chains; BeginBlock feeds the previous block's hash.
func TestAuditorChoiceDeterministic(t *testing.T) {
	pick := func() []string {
		f := newFixture(t, 1, 2, 3, 4, 5)
		var out []string
		for h := int64(2); h < 12; h++ {
			hash := sha256.Sum256([]byte{byte(h)})
			f.Ctx = f.Ctx.WithBlockHeight(h).WithHeaderInfo(f.Ctx.HeaderInfo())
			hi := f.Ctx.HeaderInfo()
			hi.Hash = hash[:]
			hi.Height = h
			f.Ctx = f.Ctx.WithHeaderInfo(hi)
			require.NoError(t, f.k.BeginBlocker(f.Ctx))
			id := f.open(t, "s"+string(rune('a'+h)))
			a := f.audit(t, id)
			prev := sha256.Sum256([]byte{byte(h - 1)})
			if h > 2 {
				require.Equal(t, types.AuditorSeed(prev[:], id), a.Seed, "seed is from the previous block's hash")
			}
			out = append(out, a.AuditorValidator)
		}
		return out
	}
	first := pick()
	require.Equal(t, first, pick())
	distinct := map[string]bool{}
	for _, v := range first {
		distinct[v] = true
	}
	require.Greater(t, len(distinct), 1, "different seeds pick different auditors")
}

func TestAuditorSeedFormula(t *testing.T) {
	prev := []byte("previous block hash")
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], 42)
	want := sha256.Sum256(append(append(append([]byte{}, prev...), []byte("cortd/audits/auditor")...), c[:]...))
	require.Equal(t, want[:], types.AuditorSeed(prev, 42))
	require.NotEqual(t, types.AuditorSeed(prev, 42), types.AuditorSeed(prev, 43))
}

// TestAuditorStakeWeighted draws 8,000 auditors from distinct seeds among validators of
// power 1 and 3: the 3x validator must be picked 3x as often (within 10%), and with
// power 1, 2, 5 the shares must follow the stake.
func TestAuditorStakeWeighted(t *testing.T) {
	const n = 8000
	draw := func(f *fixture, exclude []sdk.AccAddress) map[string]int {
		counts := map[string]int{}
		for i := range n {
			h := sha256.Sum256([]byte{byte(i), byte(i >> 8), 0x5a})
			v, err := f.k.SelectAuditor(f.Ctx, types.AuditorSeed(h[:], uint64(i)), exclude)
			require.NoError(t, err)
			counts[v.String()]++
		}
		return counts
	}

	f := newFixture(t, 1, 3)
	c := draw(f, nil)
	lo, hi := c[f.vals[0].String()], c[f.vals[1].String()]
	require.Equal(t, n, lo+hi)
	ratio := float64(hi) / float64(lo) // test-side arithmetic only
	t.Logf("power 1: %d, power 3: %d, ratio %.3f", lo, hi, ratio)
	require.InDelta(t, 3.0, ratio, 0.3)

	g := newFixture(t, 1, 2, 5)
	c = draw(g, nil)
	for i, p := range []float64{1, 2, 5} {
		share := float64(c[g.vals[i].String()]) / n
		require.InDelta(t, p/8, share, 0.02, "validator %d share", i)
	}
}

func TestAuditorNeverExcluded(t *testing.T) {
	f := newFixture(t, 1, 100, 50)
	for i := range 500 {
		h := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		v, err := f.k.SelectAuditor(f.Ctx, types.AuditorSeed(h[:], uint64(i)), f.ops(1, 2))
		require.NoError(t, err)
		require.Equal(t, f.vals[0], v, "only the non-excluded validator can be drawn")
	}
	// through OpenAudit, excluding the big one never assigns it
	for i := range 50 {
		id := f.open(t, "x"+strings.Repeat("y", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)), f.op(1))
		require.NotEqual(t, 1, f.auditorIndex(t, id))
	}
	// everyone excluded
	before := f.snapshot(t)
	_, err := f.k.OpenAudit(f.Ctx, subjectModule, "nobody", f.ops(0, 1, 2), nil)
	require.ErrorIs(t, err, types.ErrNoEligibleAuditor)
	require.Equal(t, before, f.snapshot(t))
}

func TestOpenAuditRejections(t *testing.T) {
	tooMany := make([]sdk.AccAddress, types.MaxExcluded+1)
	for i := range tooMany {
		tooMany[i] = sdk.AccAddress([]byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	}
	cases := []struct {
		name    string
		module  string
		subject string
		exclude []sdk.AccAddress
		payload []byte
		err     error
	}{
		{"unknown module", "sessions", "s1", nil, nil, types.ErrUnknownSubjectModule},
		{"module not alphanumeric", "da-ta", "s1", nil, nil, types.ErrInvalidSubject},
		{"empty subject", subjectModule, "", nil, nil, types.ErrInvalidSubject},
		{"subject with slash", subjectModule, "a/b", nil, nil, types.ErrInvalidSubject},
		{"subject too long", subjectModule, strings.Repeat("a", 129), nil, nil, types.ErrInvalidSubject},
		{"payload hash too short", subjectModule, "s1", nil, []byte{1, 2, 3}, types.ErrInvalidPayloadHash},
		{"payload hash too long", subjectModule, "s1", nil, make([]byte, 65), types.ErrInvalidPayloadHash},
		{"too many excluded", subjectModule, "s1", tooMany, nil, types.ErrInvalidSubject},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1, 1)
			before := f.snapshot(t)
			_, err := f.k.OpenAudit(f.Ctx, tc.module, tc.subject, tc.exclude, tc.payload)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
	t.Run("no bonded validators", func(t *testing.T) {
		f := newFixture(t)
		before := f.snapshot(t)
		_, err := f.k.OpenAudit(f.Ctx, subjectModule, "s1", nil, nil)
		require.ErrorIs(t, err, types.ErrNoEligibleAuditor)
		require.Equal(t, before, f.snapshot(t))
	})
}

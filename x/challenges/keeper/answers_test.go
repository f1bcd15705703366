package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/challenges/types"
)

// uninvited returns a registered miner index that the challenge did not invite.
func uninvited(c types.Challenge, miners int) int {
	for i := 0; i < miners; i++ {
		in := false
		for _, id := range c.Invited {
			if id == nodeID(i) {
				in = true
			}
		}
		if !in {
			return i
		}
	}
	return -1
}

func TestCommitPatch(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c := f.post(t)
	a, b := c.Invited[0], c.Invited[1]
	f.commit(t, c.Id, a)
	require.Equal(t, uint32(1), f.challenge(t, c.Id).Commits)

	out := uninvited(c, 5)
	commitMsg := func(sender string, node string) *types.MsgCommitPatch {
		return &types.MsgCommitPatch{Sender: sender, ChallengeId: c.Id, NodeId: node, Commitment: commitmentFor(node)}
	}
	t.Run("uninvited node", func(t *testing.T) {
		f.rejects(t, types.ErrNotInvited, func() error {
			_, err := f.msg.CommitPatch(f.Ctx, commitMsg(minerOp(out).String(), nodeID(out)))
			return err
		})
	})
	t.Run("another operator's node", func(t *testing.T) {
		f.rejects(t, types.ErrNotNodeKey, func() error {
			_, err := f.msg.CommitPatch(f.Ctx, commitMsg(minerOp(out).String(), b))
			return err
		})
	})
	t.Run("bad commitment", func(t *testing.T) {
		m := commitMsg(minerOp(nodeIndex(b)).String(), b)
		m.Commitment = strings.ToUpper(m.Commitment)
		f.rejects(t, types.ErrInvalidHash, func() error { _, err := f.msg.CommitPatch(f.Ctx, m); return err })
	})
	t.Run("unknown challenge", func(t *testing.T) {
		m := commitMsg(minerOp(nodeIndex(b)).String(), b)
		m.ChallengeId = 99
		f.rejects(t, types.ErrChallengeNotFound, func() error { _, err := f.msg.CommitPatch(f.Ctx, m); return err })
	})
	t.Run("twice", func(t *testing.T) {
		f.rejects(t, types.ErrAlreadyCommitted, func() error {
			_, err := f.msg.CommitPatch(f.Ctx, commitMsg(minerOp(nodeIndex(a)).String(), a))
			return err
		})
	})
	t.Run("after the window", func(t *testing.T) {
		f.at(c.CommitEndHeight) // same block as the deadline: already closed
		f.rejects(t, types.ErrDeadlinePassed, func() error {
			_, err := f.msg.CommitPatch(f.Ctx, commitMsg(minerOp(nodeIndex(b)).String(), b))
			return err
		})
	})
}

func TestRevealPatch(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	c := f.post(t)
	a, b, d := c.Invited[0], c.Invited[1], c.Invited[2]
	f.commit(t, c.Id, a)
	f.commit(t, c.Id, b)

	f.rejects(t, types.ErrTooEarly, func() error { _, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, a)); return err })
	f.runTo(t, c.CommitEndHeight)
	require.Equal(t, types.CHALLENGE_STATUS_REVEAL, f.challenge(t, c.Id).Status)

	t.Run("mismatch", func(t *testing.T) {
		m := f.revealMsg(c.Id, a)
		m.Patch = patchFor(b) // another miner's patch under my commitment
		f.rejects(t, types.ErrCommitmentMismatch, func() error { _, err := f.msg.RevealPatch(f.Ctx, m); return err })
	})
	t.Run("wrong salt", func(t *testing.T) {
		m := f.revealMsg(c.Id, a)
		m.Salt = strings.Repeat("11", 32)
		f.rejects(t, types.ErrCommitmentMismatch, func() error { _, err := f.msg.RevealPatch(f.Ctx, m); return err })
	})
	t.Run("short salt", func(t *testing.T) {
		m := f.revealMsg(c.Id, a)
		m.Salt = "00"
		f.rejects(t, types.ErrInvalidSalt, func() error { _, err := f.msg.RevealPatch(f.Ctx, m); return err })
	})
	t.Run("oversize patch", func(t *testing.T) {
		m := f.revealMsg(c.Id, a)
		m.Patch = make([]byte, testParams().MaxPatchBytes+1)
		f.rejects(t, types.ErrPatchTooLarge, func() error { _, err := f.msg.RevealPatch(f.Ctx, m); return err })
	})
	t.Run("empty patch", func(t *testing.T) {
		m := f.revealMsg(c.Id, a)
		m.Patch = nil
		f.rejects(t, types.ErrEmptyPatch, func() error { _, err := f.msg.RevealPatch(f.Ctx, m); return err })
	})
	t.Run("never committed", func(t *testing.T) {
		f.rejects(t, types.ErrNotCommitted, func() error { _, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, d)); return err })
	})

	_, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, a))
	require.NoError(t, err)
	f.rejects(t, types.ErrAlreadyRevealed, func() error { _, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, a)); return err })

	t.Run("late", func(t *testing.T) {
		f.at(c.RevealEndHeight)
		f.rejects(t, types.ErrDeadlinePassed, func() error { _, err := f.msg.RevealPatch(f.Ctx, f.revealMsg(c.Id, b)); return err })
	})
	f.at(c.RevealEndHeight - 1)
	f.runTo(t, c.RevealEndHeight)
	c = f.challenge(t, c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_TESTS, c.Status)
	require.Equal(t, uint32(1), c.Reveals)
}

// No commit at all: the challenge is void at the end of the response window and the
// deposit returns.
func TestNoAnswersVoids(t *testing.T) {
	f := newFixture(t, 3, 10, 10)
	before := f.Bank.GetBalance(f.Ctx, f.op(0), denom)
	c := f.post(t)
	f.runTo(t, c.CommitEndHeight)
	c = f.challenge(t, c.Id)
	require.Equal(t, types.CHALLENGE_STATUS_VOID, c.Status)
	require.Equal(t, types.VOID_REASON_NO_ANSWERS, c.VoidReason)
	require.Equal(t, before, f.Bank.GetBalance(f.Ctx, f.op(0), denom))
}

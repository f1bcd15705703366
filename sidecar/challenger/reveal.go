package challenger

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/x/challenges/types"
)

// Watch reveals the tests of every saved, unrevealed challenge once its reveal window
// has closed (status TESTS), polling every PollInterval, until none is left or ctx ends.
// A challenge that went VOID before its tests were due is forgotten. It picks up the
// challenges saved by an earlier run, so a restart does not miss a reveal.
func (p *Poster) Watch(ctx context.Context) error {
	for {
		left, err := p.revealDue(ctx)
		if err != nil {
			p.log.Warn("reveal pass failed; retrying", "err", err)
		} else if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.cfg.PollInterval):
		}
	}
}

// revealDue does one pass over the saved challenges and returns how many still wait.
func (p *Poster) revealDue(ctx context.Context) (int, error) {
	files, err := filepath.Glob(filepath.Join(p.cfg.StateDir, "challenge-*.json"))
	if err != nil {
		return 0, err
	}
	left := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return left, err
		}
		var st saved
		if err := json.Unmarshal(b, &st); err != nil {
			return left, fmt.Errorf("%s: %w", f, err)
		}
		if st.Done {
			continue
		}
		waiting, err := p.step(ctx, &st)
		if err != nil {
			return left + 1, err
		}
		if waiting {
			left++
		}
	}
	return left, nil
}

// step reveals st's tests if due; it reports whether the challenge still waits.
func (p *Poster) step(ctx context.Context, st *saved) (bool, error) {
	if st.ChallengeID == 0 {
		id, err := p.findByCommitment(ctx, st.Commitment)
		if err != nil {
			return true, err
		}
		if id == 0 {
			// Never posted (the post failed after the state was saved).
			p.log.Warn("saved challenge not found on chain; forgetting it", "commitment", st.Commitment)
			return false, os.Remove(p.statePath(st.Commitment))
		}
		st.ChallengeID = id
		if err := p.save(*st); err != nil {
			return true, err
		}
	}
	qctx, cancel := p.c.QueryCtx(ctx)
	res, err := p.q.Challenge(qctx, &types.QueryChallengeRequest{Id: st.ChallengeID})
	cancel()
	if err != nil {
		return true, fmt.Errorf("challenge %d: %w", st.ChallengeID, err)
	}
	c := res.Challenge
	switch c.Status {
	case types.CHALLENGE_STATUS_TESTS:
	case types.CHALLENGE_STATUS_VOID, types.CHALLENGE_STATUS_EVALUATING, types.CHALLENGE_STATUS_SCORED:
		p.log.Info("challenge no longer needs its tests", "id", c.Id, "status", c.Status.String(), "void_reason", c.VoidReason.String())
		return false, p.forget(st)
	default:
		return true, nil
	}
	return true, p.reveal(ctx, st)
}

// reveal publishes the tests archive and sends MsgRevealTests.
func (p *Poster) reveal(ctx context.Context, st *saved) error {
	name := "tests-" + st.TestsSha256 + ".tar.gz"
	tests, err := os.ReadFile(filepath.Join(p.cfg.StateDir, name))
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(p.cfg.PublishDir, name), tests, 0o644); err != nil {
		return err
	}
	msg := &types.MsgRevealTests{Poster: p.s.Address(), ChallengeId: st.ChallengeID, TestsUrl: p.cfg.BaseURL + name,
		TestsSha256: st.TestsSha256, TestsSizeBytes: st.TestsSize, Salt: st.Salt}
	res, err := p.s.Send(ctx, msg)
	if err != nil {
		p.M.Failures.Add(1)
		return fmt.Errorf("reveal tests of %d: %w", st.ChallengeID, err)
	}
	p.log.Info("tests revealed", "id", st.ChallengeID, "url", msg.TestsUrl, "tx", res.TxHash)
	p.M.TestsRevealed.Add(1)
	st.Revealed = true
	return p.forget(st)
}

// forget marks a challenge done in its state file (kept as a record) and drops the
// private copy of its tests.
func (p *Poster) forget(st *saved) error {
	st.Done = true
	if err := p.save(*st); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(p.cfg.StateDir, "tests-"+st.TestsSha256+".tar.gz"))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// findByCommitment looks for this poster's challenge with the commitment (0: none).
func (p *Poster) findByCommitment(ctx context.Context, commitment string) (uint64, error) {
	qctx, cancel := p.c.QueryCtx(ctx)
	defer cancel()
	// Newest first: a challenge waiting for its tests is recent.
	res, err := p.q.Challenges(qctx, &types.QueryChallengesRequest{Poster: p.s.Address(),
		Pagination: &query.PageRequest{Limit: 200, Reverse: true}})
	if err != nil {
		return 0, err
	}
	for _, c := range res.Challenges {
		if c.TestsCommitment == commitment {
			return c.Id, nil
		}
	}
	return 0, nil
}

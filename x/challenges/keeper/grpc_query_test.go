package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/x/challenges/types"
)

func TestQueries(t *testing.T) {
	f := newFixture(t, 5, 10, 10)
	c1 := f.post(t)
	m := f.postMsg()
	m.Poster = f.op(1).String()
	res, err := f.msg.PostChallenge(f.Ctx, m)
	require.NoError(t, err)

	got, err := f.q.Challenge(f.Ctx, &types.QueryChallengeRequest{Id: c1.Id})
	require.NoError(t, err)
	require.Equal(t, c1, got.Challenge)
	_, err = f.q.Challenge(f.Ctx, &types.QueryChallengeRequest{Id: 9})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = f.q.Challenge(f.Ctx, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	all, err := f.q.Challenges(f.Ctx, &types.QueryChallengesRequest{})
	require.NoError(t, err)
	require.Len(t, all.Challenges, 2)
	byPoster, err := f.q.Challenges(f.Ctx, &types.QueryChallengesRequest{Poster: f.op(1).String()})
	require.NoError(t, err)
	require.Len(t, byPoster.Challenges, 1)
	require.Equal(t, res.ChallengeId, byPoster.Challenges[0].Id)
	scored, err := f.q.Challenges(f.Ctx, &types.QueryChallengesRequest{Status: types.CHALLENGE_STATUS_SCORED})
	require.NoError(t, err)
	require.Empty(t, scored.Challenges)
	_, err = f.q.Challenges(f.Ctx, &types.QueryChallengesRequest{Poster: "bad"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	p, err := f.q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, testParams(), p.Params)
	rec, err := f.q.EvaluatorRecord(f.Ctx, &types.QueryEvaluatorRecordRequest{Evaluator: f.vals[0].String()})
	require.NoError(t, err, "validator address accepted")
	require.Equal(t, f.op(0).String(), rec.Record.Evaluator)
	subs, err := f.q.Submissions(f.Ctx, &types.QuerySubmissionsRequest{ChallengeId: c1.Id})
	require.NoError(t, err)
	require.Empty(t, subs.Submissions)
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t, 0)
	p := testParams()
	p.Quorum = 3
	f.rejects(t, types.ErrUnauthorized, func() error {
		_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: stranger.String(), Params: p})
		return err
	})
	bad := p
	bad.Quorum = 0
	f.rejects(t, types.ErrInvalidParams, func() error {
		_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
		return err
	})
	_, err := f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)
	got, err := f.k.GetParams(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint32(3), got.Quorum)
}

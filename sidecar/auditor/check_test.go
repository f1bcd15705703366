package auditor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/sidecar/models"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// fixture: two small native models and a data file served from a temp folder.
type fixture struct {
	eng  *native.Engine
	data []byte
	url  string
	t    datatypes.Target
	sc   Score
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	// Over one chunk long, with multi-byte runes across the cut points.
	return newFixtureData(t, []byte(strings.Repeat("Données d'évaluation — un texte. ", 40)), modelstypes.MODALITY_UNSPECIFIED)
}

// newFixtureData is the fixture with the given data on a target of the given modality.
func newFixtureData(t *testing.T, data []byte, modality modelstypes.Modality) *fixture {
	t.Helper()
	dir := t.TempDir()
	for name, s := range map[string]models.Spec{
		"m1": {Arch: "gpt2", Layers: 1, Dim: 64, Heads: 4, Vocab: "bytes", Context: 1024, Seed: 11},
		"m2": {Arch: "gpt2", Layers: 2, Dim: 64, Heads: 4, Vocab: "bytes", Context: 1024, Seed: 12},
	} {
		_, err := models.Init(s, filepath.Join(dir, name))
		require.NoError(t, err)
	}
	f := &fixture{eng: &native.Engine{M: native.NewManager(dir, 1<<30, slog.New(slog.DiscardHandler))}}
	f.data = data
	p := filepath.Join(t.TempDir(), "data.bin")
	require.NoError(t, os.WriteFile(p, f.data, 0o600))
	f.url = "file://" + p
	f.t = datatypes.Target{Id: 7, Models: []string{"m1", "m2"}, Centre: make([]int32, 64), Threshold: sdkmath.LegacyNewDecWithPrec(5, 1),
		Modality: modality}
	var err error
	// Centre on the winner's embedding so the honest submission is within the threshold.
	f.sc, err = ScoreData(context.Background(), f.eng, &f.t, f.data, true)
	require.NoError(t, err)
	f.t.Centre = f.sc.WinnerScore().Embedding
	return f
}

// honest is the submission `score --submit` would send.
func (f *fixture) honest() *datatypes.Submission {
	w := f.sc.WinnerScore()
	s := &datatypes.Submission{TargetId: f.t.Id, Url: f.url, SizeBytes: uint64(len(f.data)), ModelId: w.Model,
		Embedding: append([]int32(nil), w.Embedding...), DistanceSq: sessionstypes.SquaredDistance(w.Embedding, f.t.Centre)}
	sum := sha256.Sum256(f.data)
	s.Sha256 = hex.EncodeToString(sum[:])
	for _, m := range f.sc.Models {
		s.Losses = append(s.Losses, datatypes.ModelLoss{ModelId: m.Model, Loss: m.Dec})
	}
	return s
}

// local: the fixture serves data from temp files and loopback, as a local network does.
var local = fetch.Options{AllowLocal: true}

func (f *fixture) check(t *testing.T, s *datatypes.Submission, tol Tolerances) *Finding {
	t.Helper()
	fd, err := CheckData(context.Background(), f.eng, &f.t, s, tol, local)
	require.NoError(t, err)
	return fd
}

func TestCheckData(t *testing.T) {
	f := newFixture(t)
	tol := DefaultTolerances()
	require.Len(t, f.sc.Models, 2)
	loser := 1 - f.sc.Winner

	t.Run("honest passes", func(t *testing.T) {
		require.Nil(t, f.check(t, f.honest(), tol))
	})
	t.Run("honest over http passes", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(f.data) }))
		defer srv.Close()
		s := f.honest()
		s.Url = srv.URL + "/d"
		require.Nil(t, f.check(t, s, tol))
	})
	t.Run("wrong loss", func(t *testing.T) {
		s := f.honest()
		// The loser's loss claimed higher still (the chain's ordering check passes).
		s.Losses[loser].Loss = s.Losses[loser].Loss.Add(sdkmath.LegacyNewDec(1))
		fd := f.check(t, s, tol)
		require.NotNil(t, fd)
		require.Equal(t, CheckLoss, fd.Check)
		require.Contains(t, fd.Figures, figure("loss", f.sc.Models[loser].Dec.String()))
	})
	t.Run("claimed model is not the lowest", func(t *testing.T) {
		gap := f.sc.Models[loser].Dec.Sub(f.sc.WinnerScore().Dec)
		require.True(t, gap.IsPositive(), "the fixture's models must differ in loss")
		s := f.honest()
		s.ModelId = f.sc.Models[loser].Model
		s.Losses[loser].Loss = sdkmath.LegacyZeroDec()
		fd := f.check(t, s, Tolerances{Loss: gap.QuoInt64(2), Cosine: tol.Cosine})
		require.NotNil(t, fd)
		require.Equal(t, CheckLowestLoss, fd.Check)
		require.Contains(t, fd.Figures, figure("lowest_model", f.sc.WinnerScore().Model))
	})
	t.Run("wrong embedding", func(t *testing.T) {
		s := f.honest()
		for i := range s.Embedding {
			s.Embedding[i] = -s.Embedding[i]
		}
		fd := f.check(t, s, tol)
		require.NotNil(t, fd)
		require.Equal(t, CheckEmbedding, fd.Check)
	})
	t.Run("over threshold", func(t *testing.T) {
		saved := f.t.Centre
		defer func() { f.t.Centre = saved }()
		far := make([]int32, len(saved))
		for i, v := range saved {
			far[i] = -v
		}
		f.t.Centre = far
		fd := f.check(t, f.honest(), tol)
		require.NotNil(t, fd)
		require.Equal(t, CheckOverThreshold, fd.Check)
	})
	// Every way of not fetching a matching file is one outcome with no figures: the
	// chain learns nothing about what a URL found (or did not) on the auditor's host.
	unavailable := func(t *testing.T, fd *Finding) {
		t.Helper()
		require.NotNil(t, fd)
		require.Equal(t, CheckUnavailable, fd.Check)
		require.Empty(t, fd.Figures)
		require.NotEmpty(t, fd.Detail, "the reason stays in the log")
	}
	t.Run("wrong checksum", func(t *testing.T) {
		s := f.honest()
		s.Sha256 = strings.Repeat("ab", 32)
		unavailable(t, f.check(t, s, tol))
	})
	t.Run("wrong size", func(t *testing.T) {
		s := f.honest()
		s.SizeBytes--
		unavailable(t, f.check(t, s, tol))
		s.SizeBytes += 2
		unavailable(t, f.check(t, s, tol))
	})
	t.Run("data unavailable", func(t *testing.T) {
		s := f.honest()
		s.Url = "file:///nonexistent/cortd/data"
		unavailable(t, f.check(t, s, tol))
	})
	t.Run("local destinations are refused without the local-network option", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(f.data) }))
		defer srv.Close()
		for _, u := range []string{f.url, srv.URL + "/d", "file:///etc/passwd"} {
			s := f.honest()
			s.Url = u
			fd, err := CheckData(context.Background(), f.eng, &f.t, s, tol, fetch.Options{})
			require.NoError(t, err)
			unavailable(t, fd)
			require.Contains(t, fd.Detail, fetch.ErrRefused.Error())
		}
	})
	t.Run("a download cut short by the auditor itself is no judgement", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(f.data) }))
		defer srv.Close()
		s := f.honest()
		s.Url = srv.URL + "/d"
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // shutdown or the check timeout, not the submitter's fault
		fd, err := CheckData(ctx, f.eng, &f.t, s, tol, local)
		require.ErrorIs(t, err, context.Canceled)
		require.Nil(t, fd)
	})
	t.Run("unknown model is an auditor error, not fraud", func(t *testing.T) {
		saved := f.t.Models
		defer func() { f.t.Models = saved }()
		f.t.Models = []string{"m1", "absent"}
		_, err := CheckData(context.Background(), f.eng, &f.t, f.honest(), tol, local)
		require.Error(t, err)
	})
}

func TestChunksKeepRunes(t *testing.T) {
	data := []byte(strings.Repeat("é", 300)) // 600 bytes of 2-byte runes
	cs := Chunks(data, 511)
	require.Len(t, cs, 2)
	require.Len(t, cs[0], 510)
	require.Equal(t, string(data), cs[0]+cs[1])
	require.Nil(t, Chunks(nil, 10))
}

func TestLossDec(t *testing.T) {
	d, err := LossDec(5.5432109)
	require.NoError(t, err)
	require.Equal(t, "5.543211000000000000", d.String())
	for _, bad := range []float64{-1, 1e10} {
		_, err := LossDec(bad)
		require.Error(t, err)
	}
}

func figure(name, value string) auditstypes.Figure {
	return auditstypes.Figure{Name: name, Value: value}
}

package auditor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
	"github.com/cortnet/cortd/sidecar/models"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// pngLike is a small binary file shaped like a PNG: the signature, an IHDR chunk (NUL
// bytes in its length and size fields) and random bytes standing for IDAT, so it holds
// NULs and bytes that are not UTF-8, and spans several chunks.
func pngLike(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.WriteString("IHDR")
	binary.Write(&b, binary.BigEndian, [2]uint32{16, 16})
	b.Write([]byte{8, 2, 0, 0, 0, 0x90, 0x91, 0x68, 0x36})
	r := rand.New(rand.NewPCG(42, 23))
	for b.Len() < n {
		b.WriteByte(byte(r.UintN(256)))
	}
	return b.Bytes()
}

// TestByteTokenizerSHA256 pins the chain's digest of the byte tokenizer (x/models: a
// bytes model must carry it) to the tokenizer.json the sidecar builds and writes.
func TestByteTokenizerSHA256(t *testing.T) {
	j, err := tokenizer.ByteLevelJSON()
	require.NoError(t, err)
	sum := sha256.Sum256(j)
	require.Equal(t, modelstypes.ByteTokenizerSHA256, hex.EncodeToString(sum[:]))
	for _, arch := range []string{"gpt2", "llama"} {
		dir := filepath.Join(t.TempDir(), arch)
		sums, err := models.Init(models.Spec{Arch: arch, Layers: 1, Dim: 16, Heads: 2, Vocab: "bytes", Seed: 1}, dir)
		require.NoError(t, err)
		require.Equal(t, modelstypes.ByteTokenizerSHA256, sums["tokenizer.json"], "model init --arch %s --vocab bytes", arch)
	}
	// The byte tokenizer reads raw bytes one token per byte, ids = byte values, NULs and
	// bytes that are not UTF-8 included.
	tok, err := tokenizer.Parse(j)
	require.NoError(t, err)
	data := pngLike(700)
	ids := tok.Encode(string(data))
	require.Len(t, ids, len(data))
	for i, id := range ids {
		require.Equal(t, int(data[i]), id, "byte %d", i)
	}
}

func TestChunkData(t *testing.T) {
	// "é" (2 bytes) across offset 512: the text rule moves the cut back, the bytes rule not.
	text := []byte(strings.Repeat("a", 511) + "é" + strings.Repeat("b", 600))
	for _, m := range []modelstypes.Modality{modelstypes.MODALITY_UNSPECIFIED, modelstypes.MODALITY_TEXT} {
		c, err := ChunkData(text, m)
		require.NoError(t, err)
		require.Equal(t, Chunks(text, ChunkBytes), c, "the text rule is unchanged")
		require.Len(t, c[0], 511)
		for _, s := range c {
			require.True(t, utf8.ValidString(s))
		}
	}
	c, err := ChunkData(text, modelstypes.MODALITY_BYTES)
	require.NoError(t, err)
	require.Equal(t, []int{512, 512, 89}, []int{len(c[0]), len(c[1]), len(c[2])})
	require.False(t, utf8.ValidString(c[0]), "the bytes rule cuts inside the character")
	require.Equal(t, string(text), strings.Join(c, ""))

	bin := pngLike(1500)
	c, err = ChunkData(bin, modelstypes.MODALITY_BYTES)
	require.NoError(t, err)
	require.Equal(t, []int{512, 512, 476}, []int{len(c[0]), len(c[1]), len(c[2])})
	require.Equal(t, string(bin), strings.Join(c, ""))
	require.Equal(t, ByteChunks(bin, ChunkBytes), c)

	_, err = ChunkData(bin, modelstypes.MODALITY_TEXT)
	require.ErrorIs(t, err, ErrNotText)
	require.Contains(t, err.Error(), "at byte 0") // 0x89 starts no UTF-8 encoding
	_, err = ChunkData(append([]byte("valid text, then "), 0xff), modelstypes.MODALITY_UNSPECIFIED)
	require.ErrorIs(t, err, ErrNotText)
	require.Contains(t, err.Error(), "at byte 17")
}

// TestBinaryScoresAlikeForSubmitterAndAuditor: a PNG-like file on a bytes target. The
// submitter's figures (ScoreData with every embedding, as `score --submit` sends them)
// pass the auditor's CheckData, and the auditor's own ScoreData gives the same decimals
// and embedding; both equal the engine's figures on the fixed 512-byte chunks, one token
// per byte.
func TestBinaryScoresAlikeForSubmitterAndAuditor(t *testing.T) {
	data := pngLike(1500)
	require.False(t, utf8.Valid(data))
	require.Contains(t, string(data), "\x00")
	f := newFixtureData(t, data, modelstypes.MODALITY_BYTES)
	ctx := context.Background()

	// Submitter.
	s := f.honest()
	require.Nil(t, f.check(t, s, DefaultTolerances()), "the auditor passes the submitter's figures")

	// Auditor's own scoring, without the submitter's extra embeddings.
	own, err := ScoreData(ctx, f.eng, &f.t, data, false)
	require.NoError(t, err)
	require.Equal(t, f.sc.Winner, own.Winner)
	for i := range own.Models {
		require.True(t, own.Models[i].Dec.Equal(f.sc.Models[i].Dec), "model %s", own.Models[i].Model)
		require.Equal(t, f.sc.Models[i].Tokens, own.Models[i].Tokens)
		// 1500 bytes in chunks of 512, 512, 476: every byte a token, the first of each
		// chunk not predicted.
		require.Equal(t, 1500-3, own.Models[i].Tokens)
	}
	require.Equal(t, f.sc.WinnerScore().Embedding, own.WinnerScore().Embedding)

	// Both are the engine's figures on the raw chunks.
	chunks := ByteChunks(data, ChunkBytes)
	for _, m := range f.sc.Models {
		l, err := Loss(ctx, f.eng, m.Model, chunks)
		require.NoError(t, err)
		d, err := LossDec(l.Loss)
		require.NoError(t, err)
		require.True(t, d.Equal(m.Dec))
		e, err := Embedding(ctx, f.eng, m.Model, chunks, len(f.t.Centre))
		require.NoError(t, err)
		require.Equal(t, m.Embedding, e)
	}

	// A changed byte changes the figures: the bytes are what is scored.
	other := bytes.Clone(data)
	other[700] ^= 0x40
	sc2, err := ScoreData(ctx, f.eng, &f.t, other, false)
	require.NoError(t, err)
	require.False(t, sc2.Models[0].Dec.Equal(f.sc.Models[0].Dec) && sc2.Models[1].Dec.Equal(f.sc.Models[1].Dec))
}

// TestBinaryOnATextTarget: `score` refuses binary data on a text target, and an auditor
// finds it fraud (data_not_text), whatever losses were claimed.
func TestBinaryOnATextTarget(t *testing.T) {
	f := newFixture(t) // a text target (UNSPECIFIED) with honest text figures
	ctx := context.Background()
	data := pngLike(1200)
	_, err := ScoreData(ctx, f.eng, &f.t, data, true)
	require.ErrorIs(t, err, ErrNotText)

	// The submitter swaps the file for the binary one, keeping the text's figures.
	p := filepath.Join(t.TempDir(), "image.png")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	s := f.honest()
	sum := sha256.Sum256(data)
	s.Url, s.SizeBytes, s.Sha256 = "file://"+p, uint64(len(data)), hex.EncodeToString(sum[:])
	fd := f.check(t, s, DefaultTolerances())
	require.NotNil(t, fd)
	require.Equal(t, CheckNotText, fd.Check)
	require.True(t, fd.Fraud())
	require.Contains(t, fd.Figures, figure("invalid_utf8_offset", "0"))
	require.Contains(t, fd.Figures, figure("target_modality", "MODALITY_UNSPECIFIED"))
}

// TestTextOnlyEngine: an engine that carries text as JSON refuses a bytes target's raw
// chunks (score fails, the auditor cannot judge: an error, no finding) and passes text
// through unchanged.
func TestTextOnlyEngine(t *testing.T) {
	ctx := context.Background()
	f := newFixtureData(t, pngLike(1500), modelstypes.MODALITY_BYTES)
	eng := TextOnly(f.eng)
	_, err := ScoreData(ctx, eng, &f.t, f.data, true)
	require.ErrorIs(t, err, ErrNotText)
	fd, err := CheckData(ctx, eng, &f.t, f.honest(), DefaultTolerances(), local)
	require.ErrorIs(t, err, ErrNotText)
	require.Nil(t, fd, "no judgement rather than a report of an honest submission")
	_, _, err = eng.Embed(ctx, "m1", []string{"ok", "\xff"})
	require.ErrorIs(t, err, ErrNotText)

	g := newFixture(t) // text: the wrapper changes nothing
	want, err := ScoreData(ctx, g.eng, &g.t, g.data, true)
	require.NoError(t, err)
	sc, err := ScoreData(ctx, TextOnly(g.eng), &g.t, g.data, true)
	require.NoError(t, err)
	require.Equal(t, want, sc)
	require.Nil(t, g.check(t, g.honest(), DefaultTolerances()))
	fd, err = CheckData(ctx, TextOnly(g.eng), &g.t, g.honest(), DefaultTolerances(), local)
	require.NoError(t, err)
	require.Nil(t, fd)
	var _ engine.Engine = TextOnly(g.eng)
}

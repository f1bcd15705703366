package auditor

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/models"
	datatypes "github.com/cortnet/cortd/x/data/types"
)

// BenchmarkScoreData measures `score`'s throughput (MB/s of text, reported by
// SetBytes) with the small model `cortd-sidecar model init` writes by default
// (gpt2, 2 layers, dim 64, byte vocab): every assigned model's Loss plus the winner's
// Embed, as `score` and the auditor run them.
//
//	go test ./sidecar/auditor -run '^$' -bench ScoreData -benchtime 3x
func BenchmarkScoreData(b *testing.B) {
	dir := b.TempDir()
	_, err := models.Init(models.Spec{Arch: "gpt2", Layers: 2, Dim: 64, Heads: 4, Vocab: "bytes", Context: 1024, Seed: 1},
		filepath.Join(dir, "tiny"))
	if err != nil {
		b.Fatal(err)
	}
	eng := &native.Engine{M: native.NewManager(dir, 1<<30, slog.New(slog.DiscardHandler))}
	data := []byte(strings.Repeat("A data submission is scored by every model assigned to its target. ", 4000)) // ~270 KB
	for _, nModels := range []int{1, 3} {
		t := &datatypes.Target{Id: 1, Centre: make([]int32, 64), Threshold: sdkmath.LegacyNewDec(2)}
		for range nModels {
			t.Models = append(t.Models, "tiny")
		}
		t.Centre[0] = 1_000_000
		b.Run(fmt.Sprintf("models=%d", nModels), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ScoreData(context.Background(), eng, t, data, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

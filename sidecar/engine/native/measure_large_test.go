package native

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/kernelinfo"
)

// TestMeasureLargeModel measures a large model folder named by CORTD_MEASURE_DIR
// (scripts/bench/model-1b.sh writes a Llama 3.2 1B-shaped one in bf16 shards):
// load time, the reported footprint against the process's resident memory, and
// tokens/s for loss, embedding and greedy generation. Skipped unless the variable
// is set: a 1B model is gigabytes, too much for the test suite.
func TestMeasureLargeModel(t *testing.T) {
	dir := os.Getenv("CORTD_MEASURE_DIR")
	if dir == "" {
		t.Skip("set CORTD_MEASURE_DIR to a model folder (scripts/bench/model-1b.sh)")
	}
	debug.FreeOSMemory()
	rss0 := procStatusKiB(t, "VmRSS")
	start := time.Now()
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	debug.FreeOSMemory() // what load allocated and dropped goes back to the OS: RSS is what the model holds
	rss1 := procStatusKiB(t, "VmRSS")
	// The weights files: 16-bit weights stay 16-bit once loaded, so the
	// resident growth is compared with them.
	var file int64
	shards, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	for _, s := range shards {
		if st, err := os.Stat(s); err == nil {
			file += st.Size()
		}
	}
	t.Logf("kernels %s, GOMAXPROCS %d, load average %s", kernelinfo.Path(), runtime.GOMAXPROCS(0), loadAvg())
	t.Logf("load: %.2f s; weights files %.0f MiB; footprint reported %.0f MiB; resident growth %.0f MiB (%.3fx the files); peak resident during load %.0f MiB",
		load.Seconds(), float64(file)/(1<<20), float64(m.Bytes)/(1<<20), float64(rss1-rss0)/1024, float64(rss1-rss0)*1024/float64(max(file, 1)), float64(procStatusKiB(t, "VmHWM"))/1024)

	ctx := context.Background()
	vocab := m.Tok.VocabSize()
	const n = 128
	toks := randTokens(n, vocab)
	rate := func(what string, tokens int, f func() error) {
		t0 := time.Now()
		if err := f(); err != nil {
			t.Fatal(err)
		}
		el := time.Since(t0).Seconds()
		t.Logf("%s: %d tokens in %.2f s = %.1f tokens/s (load average %s)", what, tokens, el, float64(tokens)/el, loadAvg())
	}
	rate("loss", n, func() error { _, err := m.Loss(ctx, toks); return err })
	rate("embedding", n, func() error { _, err := m.Embed(ctx, toks); return err })
	g, err := m.NewGenerator(toks[:16], engine.Params{MaxTokens: 33})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, _, err := g.Next(); err != nil { // the prompt's forward pass, not timed
		t.Fatal(err)
	}
	t0 := time.Now()
	steps := 0
	for ; steps < 32; steps++ {
		_, ok, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok { // EOS or max tokens: count only the tokens made
			break
		}
	}
	el := time.Since(t0).Seconds()
	t.Logf("greedy generation after a 16-token prompt: %d tokens in %.2f s = %.1f tokens/s (load average %s)", steps, el, float64(steps)/el, loadAvg())
}

// procStatusKiB reads a kB field of /proc/self/status (Linux).
func procStatusKiB(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status: ", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

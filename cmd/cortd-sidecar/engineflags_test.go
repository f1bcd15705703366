package main

import (
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/openai"
)

// TestEngineFlags: the one constructor builds each backend with the flags' settings and
// refuses incomplete or unknown ones with the flag to fix.
func TestEngineFlags(t *testing.T) {
	e, err := (&engineFlags{kind: "native", dir: t.TempDir(), budgetMB: 8, batch: native.BatchConfig{MaxTokens: 64}}).engine()
	if err != nil {
		t.Fatal(err)
	}
	ne, ok := e.(*native.Engine)
	if !ok || ne.M.Batch.MaxTokens != 64 {
		t.Fatalf("native: got %T with batch %+v", e, ne)
	}
	e, err = (&engineFlags{kind: "openai", backendURL: "http://127.0.0.1:1"}).engine()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.(*openai.Client); !ok {
		t.Fatalf("openai: got %T", e)
	}
	for _, c := range []struct {
		f    engineFlags
		want string
	}{
		{engineFlags{kind: "native"}, "--models"},
		{engineFlags{kind: "native", dir: "m", budgetMB: -1}, "--memory-mb"},
		{engineFlags{kind: "native", dir: "m", batch: native.BatchConfig{MaxQueue: -1}}, "--batch-queue"},
		{engineFlags{kind: "openai"}, "--backend-url"},
		{engineFlags{kind: "vllm"}, "want native or openai"},
	} {
		if _, err := c.f.engine(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error naming %s", c.f, err, c.want)
		}
	}
}

package native

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseConfig: the config parser never panics, and every config it
// accepts has sizes the engine can allocate and compute with.
func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/refs/*/config.json")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"model_type":"llama","hidden_size":8,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":8,"vocab_size":4,"max_position_embeddings":4,"rope_scaling":{"rope_type":"llama3","factor":8,"low_freq_factor":1,"high_freq_factor":4,"original_max_position_embeddings":2}}`))
	f.Add([]byte(`{"model_type":"gpt2","n_embd":8,"n_layer":1,"n_head":2,"vocab_size":4,"n_positions":4}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		hd := c.HeadDim()
		switch {
		case c.Arch != "gpt2" && c.Arch != "llama":
			t.Fatalf("arch %q", c.Arch)
		case c.Dim <= 0 || c.Layers <= 0 || c.Heads <= 0 || c.KVHeads <= 0 || c.Heads%c.KVHeads != 0:
			t.Fatalf("sizes %+v", c)
		case hd <= 0 || c.FF <= 0 || c.Vocab <= 0 || c.MaxPos <= 0 || c.MaxPos > maxPos:
			t.Fatalf("sizes %+v", c)
		case c.Arch == "llama" && hd%2 != 0:
			t.Fatalf("odd head dim %d", hd)
		case c.Arch == "gpt2" && hd*c.Heads != c.Dim:
			t.Fatalf("gpt2 head dim %d x %d != %d", hd, c.Heads, c.Dim)
		}
		if c.Rope.Type != "" && !(c.Rope.Factor > 0) {
			t.Fatalf("rope %+v", c.Rope)
		}
		if c.Rope.Type == "llama3" && !(c.Rope.HighFreq > c.Rope.LowFreq && c.Rope.OrigMaxPos > 0) {
			t.Fatalf("rope %+v", c.Rope)
		}
	})
}

func TestParseConfigBounds(t *testing.T) {
	base := `"hidden_size":64,"num_hidden_layers":1,"num_attention_heads":4,"intermediate_size":64,"vocab_size":300,"max_position_embeddings":64`
	for _, extra := range []string{`"head_dim":100000`, `"head_dim":-2`, `"num_attention_heads":128,"num_key_value_heads":128,"head_dim":4096`} {
		if _, err := ParseConfig([]byte(`{"model_type":"qwen3",` + base + `,` + extra + `}`)); err == nil {
			t.Fatalf("%s accepted", extra)
		}
	}
	c, err := ParseConfig([]byte(`{"model_type":"mistral",` + base + `,"sliding_window":16}`))
	if err != nil || c.MaxPos != 16 {
		t.Fatalf("mistral sliding_window 16: context %v, %v", c, err)
	}
	c, err = ParseConfig([]byte(`{"model_type":"qwen2",` + base + `,"sliding_window":16,"use_sliding_window":false}`))
	if err != nil || c.MaxPos != 64 {
		t.Fatalf("qwen2 unused sliding_window: %v, %v", c, err)
	}
}

// TestRopeParameters: transformers 5's rope_parameters carries rope_theta
// and the scaling; it gives the same config as the older keys.
func TestRopeParameters(t *testing.T) {
	base := `"model_type":"llama","hidden_size":64,"num_hidden_layers":1,"num_attention_heads":4,"intermediate_size":64,"vocab_size":300,"max_position_embeddings":64`
	scaling := `"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"`
	old, err := ParseConfig([]byte(`{` + base + `,"rope_theta":500000.0,"rope_scaling":{` + scaling + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	v5, err := ParseConfig([]byte(`{` + base + `,"rope_parameters":{"rope_theta":500000.0,` + scaling + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	if *old != *v5 || v5.Rope.Type != "llama3" || v5.RopeTheta != 500000 {
		t.Fatalf("rope_parameters %+v, rope_scaling %+v", *v5, *old)
	}
	def, err := ParseConfig([]byte(`{` + base + `,"rope_parameters":{"rope_theta":1000.0,"rope_type":"default"}}`))
	if err != nil || def.Rope.Type != "" || def.RopeTheta != 1000 {
		t.Fatalf("default: %+v %v", def, err)
	}
	for _, bad := range []string{
		`"rope_parameters":{"rope_theta":1000.0,"rope_type":"dynamic","factor":2}`,
		`"rope_parameters":{"rope_theta":-1,"rope_type":"default"}`,
		`"rope_parameters":{"rope_type":"default","factor":2}`,
		`"rope_parameters":{"rope_type":"default"},"rope_scaling":{"rope_type":"linear","factor":2}`,
		`"rope_theta":0.5`,
	} {
		if _, err := ParseConfig([]byte(`{` + base + `,` + bad + `}`)); err == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
}

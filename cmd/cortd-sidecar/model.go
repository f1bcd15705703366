package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/models"
)

func newModelCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "model", Short: "Model tools"}
	cmd.AddCommand(newModelInitCmd(), newModelPublishCmd(), newModelPullCmd(), newModelQuantizeCmd())
	return cmd
}

func newModelInitCmd() *cobra.Command {
	var s models.Spec
	var out, dtype, format string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a small model with random weights from a seed, in a family's published Hugging Face layout",
		Long: "Writes a complete Hugging Face model folder (config.json, generation_config.json, tokenizer.json,\n" +
			"tokenizer_config.json with the family's chat template, model.safetensors or --shards N files with\n" +
			"model.safetensors.index.json) whose weights come from --seed, so tests and local networks have\n" +
			"real models without downloads. Tensor names, config keys and special tokens are the family's own;\n" +
			"the answers of a random model are noise. The same flags always give the same bytes; the sha256\n" +
			"of each file is printed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			s.DType = safetensors.DType(strings.ToUpper(dtype))
			var sums map[string]string
			var err error
			switch format {
			case "safetensors":
				sums, err = models.Init(s, out)
			case "gguf":
				sums, err = models.InitGGUF(s, out, func(dir, file string) error {
					return native.ConvertToGGUF(dir, file, "f32", nil)
				})
			default:
				return fmt.Errorf("--format %q: want safetensors or gguf", format)
			}
			if err != nil {
				return err
			}
			names := make([]string, 0, len(sums))
			for f := range sums {
				names = append(names, f)
			}
			sort.Strings(names)
			for _, f := range names {
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %s\n", sums[f], f)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.Arch, "arch", "gpt2", "family: "+strings.Join(models.Archs, ", ")+" (llama = Llama 2 layout, llama3 = Llama 3.x with rope_scaling)")
	f.IntVar(&s.Layers, "layers", 2, "transformer blocks")
	f.IntVar(&s.Dim, "dim", 64, "hidden size")
	f.IntVar(&s.Heads, "heads", 4, "attention heads")
	f.IntVar(&s.KVHeads, "kv-heads", 0, "key/value heads (grouped-query attention, llama families); 0 = heads")
	f.IntVar(&s.HeadDim, "head-dim", 0, "qwen3's explicit head_dim; 0 = 2*dim/heads")
	f.IntVar(&s.Shards, "shards", 1, "weight files: N > 1 writes model-0000i-of-0000N.safetensors and model.safetensors.index.json")
	f.IntVar(&s.FF, "ff", 0, "MLP inner size; 0 = the architecture's default")
	f.StringVar(&s.Vocab, "vocab", "", "tokenizer: bytes (257 byte-level tokens), bpe (GPT-2's 50,257) or family (a small vocabulary in\n"+
		"the family's published tokenizer format and special tokens); default bytes for gpt2 and llama, family otherwise")
	f.IntVar(&s.Context, "context", 1024, "context length")
	f.Uint64Var(&s.Seed, "seed", 1, "random seed for the weights")
	f.StringVar(&dtype, "dtype", "f32", "storage type: f32, f16 or bf16")
	f.StringVar(&out, "out", "", "output folder")
	f.StringVar(&format, "format", "safetensors", "weights format: safetensors, or gguf (the weights as model.gguf in f32 with the\n"+
		"config and tokenizer in its metadata; config.json and the tokenizer files stay for tools, the safetensors files go;\n"+
		"use `model quantize` for other types)")
	return cmd
}

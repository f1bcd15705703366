package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/models"
)

func newModelCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "model", Short: "Model tools"}
	cmd.AddCommand(newModelInitCmd())
	return cmd
}

func newModelInitCmd() *cobra.Command {
	var s models.Spec
	var out, dtype string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a small model with random weights from a seed (config.json, model.safetensors, tokenizer.json)",
		Long: "Writes a complete Hugging Face style model folder whose weights come from --seed, so tests and\n" +
			"local networks have real models without downloads. The same flags always give the same bytes;\n" +
			"the sha256 of each file is printed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			s.DType = safetensors.DType(strings.ToUpper(dtype))
			sums, err := models.Init(s, out)
			if err != nil {
				return err
			}
			for _, f := range models.Files {
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %s\n", sums[f], f)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.Arch, "arch", "gpt2", "architecture: gpt2 or llama")
	f.IntVar(&s.Layers, "layers", 2, "transformer blocks")
	f.IntVar(&s.Dim, "dim", 64, "hidden size")
	f.IntVar(&s.Heads, "heads", 4, "attention heads")
	f.IntVar(&s.KVHeads, "kv-heads", 0, "key/value heads for llama (grouped-query attention); 0 = heads")
	f.IntVar(&s.FF, "ff", 0, "MLP inner size; 0 = the architecture's default")
	f.StringVar(&s.Vocab, "vocab", "bytes", "tokenizer: bytes (257 tokens) or bpe (GPT-2's 50,257)")
	f.IntVar(&s.Context, "context", 1024, "context length")
	f.Uint64Var(&s.Seed, "seed", 1, "random seed for the weights")
	f.StringVar(&dtype, "dtype", "f32", "storage type: f32, f16 or bf16")
	f.StringVar(&out, "out", "", "output folder")
	return cmd
}

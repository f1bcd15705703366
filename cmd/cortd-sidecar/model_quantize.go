package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/quant"
)

func newModelQuantizeCmd() *cobra.Command {
	var typ string
	var force bool
	cmd := &cobra.Command{
		Use:   "quantize IN_DIR OUT.gguf|OUT_DIR",
		Short: "Write a safetensors model folder as a GGUF file in f32, f16, bf16, q8_0, q4_0 or q4_k_m",
		Long: "Reads a Hugging Face model folder (config.json, tokenizer.json, tokenizer_config.json's chat template,\n" +
			"model.safetensors or shards, any dtype) and writes one GGUF v3 file with llama.cpp's metadata keys,\n" +
			"tensor names and layouts, so llama.cpp and the engine both load it. Each tensor's type follows\n" +
			"llama.cpp's rules for the chosen --type (q4_k_m mixes Q4_K and Q6_K; norms and biases stay F32).\n" +
			"Tensors are converted one at a time: memory holds one tensor, not the model. Progress goes to\n" +
			"stderr; a summary (size, types used, time) to stdout.\n\n" +
			"An OUT that does not end in .gguf is a model folder to create: model.gguf plus the input's json\n" +
			"files (config, tokenizer, generation config), ready for the sidecar's --models-dir and for\n" +
			"`model publish`.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, out := args[0], args[1]
			mix := strings.ToLower(typ)
			if !slices.Contains(quant.Mixes, mix) {
				return fmt.Errorf("--type %q: want one of %s", typ, strings.Join(quant.Mixes, ", "))
			}
			if st, err := os.Stat(in); err != nil {
				return fmt.Errorf("input folder: %w", err)
			} else if !st.IsDir() {
				return fmt.Errorf("input %s is not a folder", in)
			}
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("%s exists (use --force to overwrite)", out)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			folder := ""
			if !strings.HasSuffix(strings.ToLower(out), ".gguf") {
				folder, out = out, filepath.Join(out, native.GGUFFile)
				if err := copyModelJSON(in, folder); err != nil {
					return err
				}
			}
			start := time.Now()
			errOut := cmd.ErrOrStderr()
			lastPct := -1
			st, err := native.ConvertToGGUFStats(in, out, mix, func(done, total int64) {
				pct := 100
				if total > 0 {
					pct = int(done * 100 / total)
				}
				if pct/5 != lastPct/5 {
					lastPct = pct
					fmt.Fprintf(errOut, "\rquantize %s: %3d%%", mix, pct)
				}
			})
			fmt.Fprintln(errOut)
			if err != nil {
				return err
			}
			types := make([]string, 0, len(st.Types))
			for t, n := range st.Types {
				types = append(types, fmt.Sprintf("%s x%d", t, n))
			}
			sort.Strings(types)
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d bytes (%.1f MiB), %s, tensors %s, %.1fs\n", out, st.Bytes,
				float64(st.Bytes)/(1<<20), mix, strings.Join(types, ", "), time.Since(start).Seconds())
			if folder != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "model folder %s: serve it from the sidecar's models dir, publish it with `cortd-sidecar model publish %s`\n", folder, folder)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "q8_0", "storage: "+strings.Join(quant.Mixes, ", "))
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing output file")
	return cmd
}

// copyModelJSON creates folder (or reuses it when --force let an existing
// one through) and copies in's top-level json files but the safetensors
// index and a published manifest, which describe the input's weights.
func copyModelJSON(in, folder string) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(in)
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(n, ".json") || n == "model.safetensors.index.json" || n == "manifest.json" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(in, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(folder, n), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

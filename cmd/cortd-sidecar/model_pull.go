package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/sidecar/models"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// chainRecord reads a model's chain record as models.Record.
func chainRecord(c *chain.Client) func(ctx context.Context, id string) (models.Record, error) {
	return func(ctx context.Context, id string) (models.Record, error) {
		res, err := c.Models.Model(ctx, &modelstypes.QueryModelRequest{Id: id})
		if err != nil {
			return models.Record{}, err
		}
		m := res.Model
		return models.Record{ID: m.Id, URI: m.WeightsUri, ManifestSHA256: m.ManifestSha256}, nil
	}
}

// verifiedModels is how every role (miner, score/submit, auditor) resolves a model
// folder: with the native engine, each model is checked against its chain record on
// first use (pulled into dir when its files are missing, refused when they differ);
// records without a manifest use dir/<id> as before. Other engines are returned as is.
func verifiedModels(e engine.Engine, kind, dir string, c *chain.Client, allowLocal bool) engine.Engine {
	if kind != "native" {
		return e
	}
	r := &models.Resolver{Dir: dir, Lookup: chainRecord(c), Log: slog.Default(),
		Pull: models.PullOptions{Fetch: fetch.Options{AllowLocal: allowLocal}}}
	return r.Engine(e)
}

func newModelPullCmd() *cobra.Command {
	var cf chainFlags
	var dir, from string
	var allowLocal bool
	cmd := &cobra.Command{
		Use:   "pull ID",
		Short: "Download a registered model's folder into --models/<ID> and verify every file against the chain record",
		Long: "Reads the model record from the chain, fetches the manifest its manifest_sha256 names from its\n" +
			"weights_uri (https/http, a blobs server's .../sha256/ base, or, with --allow-local-network, a file URL),\n" +
			"then every file, resuming interrupted downloads (.part files) and checking each file's size and\n" +
			"sha256. Files already there and matching are kept; files that differ are replaced. --from reads\n" +
			"from another mirror URL or a local folder instead of weights_uri (still verified). Progress goes\n" +
			"to stderr.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errors.New("--models is required")
			}
			ctx := cmd.Context()
			c, err := chain.Dial(ctx, chain.Config{GRPC: cf.grpc, RPC: cf.rpc, ChainID: cf.chainID, Log: slog.Default()})
			if err != nil {
				return err
			}
			defer c.Close()
			rec, err := chainRecord(c)(ctx, args[0])
			if err != nil {
				return fmt.Errorf("model %s: %w", args[0], err)
			}
			m, err := models.Pull(ctx, dir, rec, models.PullOptions{From: from, Progress: cmd.ErrOrStderr(),
				Fetch: fetch.Options{AllowLocal: allowLocal}})
			if err != nil {
				return err
			}
			var total uint64
			for _, f := range m.Files {
				total += f.Size
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d files, %d bytes verified in %s\n", rec.ID, len(m.Files), total, filepath.Join(dir, rec.ID))
			return nil
		},
	}
	f := cmd.Flags()
	cf.register(f)
	f.StringVar(&dir, "models", "", "folder of model folders (the model goes to <models>/<ID>)")
	f.StringVar(&from, "from", "", "read from this URL or local folder instead of the record's weights_uri")
	registerAllowLocalNetwork(f, &allowLocal)
	return cmd
}

func newModelPublishCmd() *cobra.Command {
	var a models.RegisterArgs
	cmd := &cobra.Command{
		Use:   "publish DIR",
		Short: "Write DIR/manifest.json (every file's path, size, sha256) and print the `cortd tx models register` line",
		Long: "Hashes every file of the model folder DIR (symlinks refused) into the canonical manifest.json,\n" +
			"writes it into DIR and prints the register line: weights and tokenizer sha256 from the folder,\n" +
			"--manifest-sha256 the manifest's sha256. Upload DIR (with manifest.json) to --uri: a web folder\n" +
			"(files at <uri>/<path>) or a blobs server (<server>/sha256/: every file, the manifest too, added\n" +
			"as a blob).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return fmt.Errorf("%s is not a folder", dir)
			}
			if a.ID == "" {
				abs, err := filepath.Abs(dir)
				if err != nil {
					return err
				}
				a.ID = filepath.Base(abs)
			}
			if a.Name == "" {
				a.Name = a.ID
			}
			if a.URI == "" {
				return errors.New("--uri is required: where the folder will be served")
			}
			if a.Arch == "" || a.EmbeddingDim == 0 || a.MemoryMiB == 0 {
				// From the config as the native engine reads it (config.json, or a
				// model.gguf's metadata): the family, the hidden size (the
				// embedding) and the resident footprint once loaded.
				cfg, err := native.ModelConfig(dir)
				if err != nil {
					return fmt.Errorf("%w (or give --arch, --embedding-dim and --memory-mib)", err)
				}
				if a.Arch == "" {
					a.Arch = cfg.ModelType
				}
				if a.EmbeddingDim == 0 {
					a.EmbeddingDim = uint32(cfg.Dim)
				}
				if a.MemoryMiB == 0 {
					// Footprint reads the weights' headers: f16/bf16 stay 16-bit,
					// GGUF blocks stay blocks.
					fp, err := native.Footprint(dir)
					if err != nil {
						return fmt.Errorf("%w (or give --memory-mib)", err)
					}
					a.MemoryMiB = uint64((fp + 1<<20 - 1) >> 20)
				}
			}
			if err := modelstypes.ValidateID(a.ID); err != nil {
				return err
			}
			m, sum, err := models.Publish(dir)
			if err != nil {
				return err
			}
			line, err := models.RegisterCommand(m, sum, a)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%d files, manifest sha256 %s)\n", filepath.Join(dir, models.ManifestName), len(m.Files), sum)
			fmt.Fprintln(cmd.OutOrStdout(), line)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.ID, "id", "", "model id on chain (default: the folder's name)")
	f.StringVar(&a.Name, "name", "", "human readable name (default: the id)")
	f.StringVar(&a.Arch, "arch", "", "architecture, a param of x/models (default: config.json's model_type)")
	f.StringVar(&a.URI, "uri", "", "where the folder will be served: https://host/path/ or http://blobs-server/sha256/")
	f.Uint32Var(&a.EmbeddingDim, "embedding-dim", 0, "embedding size (default: config.json's hidden size)")
	f.Uint64Var(&a.MemoryMiB, "memory-mib", 0, "memory a node needs to hold the model, in MiB (default: the native engine's resident footprint, from config.json)")
	return cmd
}

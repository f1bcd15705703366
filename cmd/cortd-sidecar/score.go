package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/auditor"
	"github.com/cortnet/cortd/sidecar/chain"
	datatypes "github.com/cortnet/cortd/x/data/types"
)

func init() { roleCommands = append(roleCommands, newScoreCmd) }

// scoreReport is what score prints (-o json); the text form shows the same fields.
type scoreReport struct {
	Target     uint64        `json:"target_id"`
	Status     string        `json:"target_status"`
	Modality   string        `json:"target_modality"` // text or bytes: what the target takes
	Size       uint64        `json:"size_bytes"`
	SHA256     string        `json:"sha256"`
	Models     []modelReport `json:"models"`
	Winner     string        `json:"winner"`
	DistanceSq int64         `json:"distance_sq"`
	Distance   float64       `json:"distance"`
	Threshold  string        `json:"threshold"`
	Within     bool          `json:"within_threshold"`
	Bond       string        `json:"bond"`
	MaxBytes   uint64        `json:"max_data_bytes"`
	Seconds    float64       `json:"seconds"`
	MBps       float64       `json:"mb_per_second"`
	TxHash     string        `json:"txhash,omitempty"`
}

type modelReport struct {
	Model      string  `json:"model"`
	Loss       string  `json:"loss"`
	Tokens     int     `json:"tokens"`
	DistanceSq int64   `json:"distance_sq"`
	Distance   float64 `json:"distance"`
}

func newScoreCmd() *cobra.Command {
	var cf chainFlags
	var ef engineFlags
	var target uint64
	var dataPath, url, output, bondFlag string
	var submit, allowLocal bool
	var scoreFaults func() (lossTamper, error)
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score a data file against a target: every assigned model's loss, the winner, its distance, the bond",
		Long: "Reads the target (assigned models, centre, threshold) from the chain, runs every assigned model's\n" +
			"Loss and Embed on --data with the rule the auditors use (a text target's data must be UTF-8 text,\n" +
			"cut at character boundaries; a bytes target takes any file, cut at fixed 512-byte offsets),\n" +
			"and prints each loss, the winner, the embedding distance to the centre (as the chain computes it),\n" +
			"whether it is within the threshold and the bond (bond_per_byte × size). With --submit --key K\n" +
			"--url U it broadcasts MsgSubmitData.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target == 0 || dataPath == "" {
				return errors.New("--target and --data are required")
			}
			if submit && (cf.key == "" || url == "") {
				return errors.New("--submit needs --key and --url")
			}
			if output != "text" && output != "json" {
				return fmt.Errorf("-o %q: want text or json", output)
			}
			tamper, err := scoreFaults()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(dataPath)
			if err != nil {
				return err
			}
			eng, err := ef.engine()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var c *chain.Client
			var s *chain.Signer
			if submit {
				c, s, err = cf.connect(ctx)
			} else {
				c, err = chain.Dial(ctx, chain.Config{GRPC: cf.grpc, RPC: cf.rpc, ChainID: cf.chainID, Log: slog.Default()})
			}
			if err != nil {
				return err
			}
			defer c.Close()
			eng = verifiedModels(eng, ef.kind, ef.dir, c, allowLocal)
			if ef.kind != "native" {
				eng = auditor.TextOnly(eng) // JSON cannot carry a bytes target's raw chunks
			}
			q := datatypes.NewQueryClient(c.Conn())
			qctx, cancel := c.QueryCtx(ctx)
			tr, err := q.Target(qctx, &datatypes.QueryTargetRequest{Id: target})
			cancel()
			if err != nil {
				return fmt.Errorf("target %d: %w", target, err)
			}
			qctx, cancel = c.QueryCtx(ctx)
			pr, err := q.Params(qctx, &datatypes.QueryParamsRequest{})
			cancel()
			if err != nil {
				return fmt.Errorf("x/data params: %w", err)
			}
			t, p := tr.Target, pr.Params

			start := time.Now()
			sc, err := auditor.ScoreData(ctx, eng, &t, data, true)
			if err != nil {
				return err
			}
			secs := time.Since(start).Seconds()
			sum := sha256.Sum256(data)
			w := sc.WinnerScore()
			bond := p.BondPerByte.Mul(sdkmath.NewIntFromUint64(uint64(len(data))))
			if bondFlag != "" {
				b, ok := sdkmath.NewIntFromString(bondFlag)
				if !ok || b.LT(bond) {
					return fmt.Errorf("--bond %q: want an integer ≥ the minimum %s", bondFlag, bond)
				}
				bond = b
			}
			rep := scoreReport{Target: t.Id, Status: t.Status.String(), Modality: t.Modality.Name(), Size: uint64(len(data)), SHA256: hex.EncodeToString(sum[:]),
				Winner: w.Model, DistanceSq: w.DistanceSq, Distance: dist(w.DistanceSq), Threshold: t.Threshold.String(),
				Within: sc.Within, Bond: bond.String() + p.Denom, MaxBytes: p.MaxDataBytes, Seconds: secs}
			if secs > 0 {
				rep.MBps = float64(len(data)) / 1e6 / secs
			}
			for _, m := range sc.Models {
				rep.Models = append(rep.Models, modelReport{Model: m.Model, Loss: m.Dec.String(), Tokens: m.Tokens,
					DistanceSq: m.DistanceSq, Distance: dist(m.DistanceSq)})
			}
			if submit {
				switch {
				case t.Status != datatypes.TARGET_STATUS_OPEN:
					err = fmt.Errorf("target %d is %s, not open", t.Id, t.Status)
				case !sc.Within:
					err = fmt.Errorf("distance %.6f is over the threshold %s: the chain would refuse it", rep.Distance, t.Threshold)
				case uint64(len(data)) > p.MaxDataBytes:
					err = fmt.Errorf("%d bytes > max_data_bytes %d", len(data), p.MaxDataBytes)
				}
				if err != nil {
					printScore(cmd, output, rep)
					return err
				}
				msg := &datatypes.MsgSubmitData{Submitter: s.Address(), TargetId: t.Id, Url: url, Sha256: rep.SHA256,
					SizeBytes: rep.Size, ModelId: w.Model, Embedding: w.Embedding, DistanceSq: w.DistanceSq, Bond: bond}
				for _, m := range sc.Models {
					loss := m.Dec
					if tamper != nil {
						loss = tamper(loss)
					}
					msg.Losses = append(msg.Losses, datatypes.ModelLoss{ModelId: m.Model, Loss: loss})
				}
				res, err := s.Send(ctx, msg)
				if err != nil {
					printScore(cmd, output, rep)
					return fmt.Errorf("MsgSubmitData: %w", err)
				}
				rep.TxHash = res.TxHash
			}
			printScore(cmd, output, rep)
			return nil
		},
	}
	f := cmd.Flags()
	cf.register(f)
	ef.register(f)
	registerAllowLocalNetwork(f, &allowLocal) // pulls of model folders on first use
	f.Uint64Var(&target, "target", 0, "target id")
	f.StringVar(&dataPath, "data", "", "data file: UTF-8 text for a text target, any file (an image, audio, ...) for a bytes target")
	f.BoolVar(&submit, "submit", false, "broadcast MsgSubmitData for the winner (needs --key and --url)")
	f.StringVar(&url, "url", "", "where auditors download the data: an http(s) URL on a public host (file:// and local hosts only where x/data's allow_local_urls is set)")
	f.StringVar(&bondFlag, "bond", "", "bond in the data denom (default: the minimum, bond_per_byte × size)")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	scoreFaults = registerScoreFaults(f)
	return cmd
}

// lossTamper changes a claimed loss before it is submitted: fault injection of the
// e2e build (faults_e2e.go); the production build never has one.
type lossTamper func(sdkmath.LegacyDec) sdkmath.LegacyDec

// dist is √(distance_sq)/10^6, the Euclidean distance between the unit vectors (display).
func dist(sq int64) float64 { return math.Sqrt(float64(sq)) / 1e6 }

func printScore(cmd *cobra.Command, output string, r scoreReport) {
	out := cmd.OutOrStdout()
	if output == "json" {
		_ = json.NewEncoder(out).Encode(r)
		return
	}
	fmt.Fprintf(out, "target %d (%s, takes %s), data %d bytes, sha256 %s\n", r.Target, r.Status, r.Modality, r.Size, r.SHA256)
	for _, m := range r.Models {
		mark := " "
		if m.Model == r.Winner {
			mark = "*"
		}
		fmt.Fprintf(out, "%s %-24s loss %s over %d tokens, distance %.6f\n", mark, m.Model, m.Loss, m.Tokens, m.Distance)
	}
	within := "within"
	if !r.Within {
		within = "OVER"
	}
	fmt.Fprintf(out, "winner %s: distance² %d (distance %.6f) %s threshold %s\n", r.Winner, r.DistanceSq, r.Distance, within, r.Threshold)
	fmt.Fprintf(out, "bond %s (max data %d bytes); scored in %.2fs (%.3f MB/s)\n", r.Bond, r.MaxBytes, r.Seconds, r.MBps)
	if r.TxHash != "" {
		fmt.Fprintf(out, "submitted: tx %s\n", r.TxHash)
	}
}

package main

import (
	"errors"
	"log/slog"
	"net"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/auditor"
	"github.com/cortnet/cortd/sidecar/fetch"
	datatypes "github.com/cortnet/cortd/x/data/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func init() { roleCommands = append(roleCommands, newAuditorCmd) }

func newAuditorCmd() *cobra.Command {
	var cf chainFlags
	var ef engineFlags
	var cfg auditor.Config
	var listen, lossTol, cosTol string
	var fetchTimeout time.Duration
	var allowLocal bool
	cmd := &cobra.Command{
		Use:   "auditor",
		Short: "Validators' role: audit assigned data submissions and session tasks, vote on fraud reports",
		Long: "Watches x/audits for audits assigned to --key (the validator's operator account), checks each\n" +
			"subject off-chain with every assigned model and sends MsgAuditPass or MsgReportFraud; on any\n" +
			"fraud report it re-runs the check and sends MsgVoteFraud yes or no. Serves /healthz and /metrics.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cf.key == "" {
				return errors.New("--key is required (the validator's operator key)")
			}
			tol, err := parseTolerances(lossTol, cosTol)
			if err != nil {
				return err
			}
			eng, err := ef.engine()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			c, s, err := cf.connect(ctx)
			if err != nil {
				ln.Close()
				return err
			}
			eng = verifiedModels(eng, ef.kind, ef.dir, c, allowLocal)
			defer c.Close()
			dataEngine := eng
			if ef.kind != "native" {
				dataEngine = auditor.TextOnly(eng) // bytes targets' raw chunks cannot go through JSON
			}
			subjects := map[string]auditor.Subject{
				"data": auditor.DataSubject{Q: datatypes.NewQueryClient(c.Conn()), Eng: dataEngine, Tol: tol,
					Fetch: fetch.Options{Timeout: fetchTimeout, AllowLocal: allowLocal}},
				sessionstypes.AuditSubjectModule: auditor.SessionSubject{Q: sessionstypes.NewQueryClient(c.Conn()), Eng: eng},
			}
			a := auditor.New(cfg, c, s, subjects, slog.Default())
			hs := startHTTP(ln, newHTTPServer(a.Handler()), "metrics server")
			slog.Info("auditor starting", "key", s.Name(), "address", s.Address(), "engine", ef.kind,
				"listen", ln.Addr().String(), "loss_tolerance", tol.Loss, "cosine_tolerance", tol.Cosine, "allow_local_network", allowLocal)
			err = a.Run(ctx)
			return roleResult(err, hs.shutdown())
		},
	}
	f := cmd.Flags()
	cf.register(f)
	ef.register(f)
	def := auditor.DefaultTolerances()
	f.StringVar(&lossTol, "loss-tolerance", def.Loss.String(), "largest |claimed − recomputed| loss (nats/token) that still passes")
	f.StringVar(&cosTol, "cosine-tolerance", def.Cosine.String(), "smallest cosine(claimed, recomputed embedding) that still passes")
	f.DurationVar(&fetchTimeout, "fetch-timeout", 2*time.Minute, "bound on downloading a submission's data")
	registerAllowLocalNetwork(f, &allowLocal)
	f.DurationVar(&cfg.PollInterval, "poll", 10*time.Second, "open-audit poll interval (backstop for events)")
	f.DurationVar(&cfg.CheckTimeout, "check-timeout", 10*time.Minute, "bound on one subject check")
	f.DurationVar(&cfg.RetryDelay, "retry", 30*time.Second, "delay before retrying a check that could not finish")
	f.IntVar(&cfg.Concurrency, "concurrency", 1, "checks run at once")
	f.StringVar(&listen, "listen", "127.0.0.1:8095", "address of /healthz and /metrics")
	return cmd
}

// parseTolerances reads the tolerance flags (decimals).
func parseTolerances(loss, cos string) (auditor.Tolerances, error) {
	l, err := sdkmath.LegacyNewDecFromStr(loss)
	if err != nil || l.IsNegative() {
		return auditor.Tolerances{}, errors.New("--loss-tolerance: want a decimal ≥ 0")
	}
	c, err := sdkmath.LegacyNewDecFromStr(cos)
	if err != nil || c.IsNegative() || c.GT(sdkmath.LegacyOneDec()) {
		return auditor.Tolerances{}, errors.New("--cosine-tolerance: want a decimal in [0, 1]")
	}
	return auditor.Tolerances{Loss: l, Cosine: c}, nil
}

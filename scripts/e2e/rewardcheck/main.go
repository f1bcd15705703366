// Command rewardcheck checks, on a running chain, that every settled reward period paid
// each node what the formula of x/nodes/README.md ("Period rewards") gives. It reads the
// params, the reward epoch, every node, its operator and its settled period records over
// the REST API at one height, recomputes each record's inputs (scores, qualification,
// disqualification, the operator's qualified nodes, new-operator status, the level
// chain), the month rate line by line and the period's amount with the node's carry, in
// integer and exact rational arithmetic written here (nothing of x/nodes is imported), and
// compares them with what the chain entitled and paid.
//
//	go run ./scripts/e2e/rewardcheck -api http://127.0.0.1:1317 -wait 90s
//
// It waits (up to -wait) until a full period of a qualified node has been paid, so the
// check cannot pass on records that pay nothing. It exits 1 on any difference, printing
// the node, the period, the expected and the chain's figure and the inputs.
// scripts/e2e/sessions.sh runs it after its traffic.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	api := flag.String("api", "http://127.0.0.1:1317", "the chain's REST API")
	wait := flag.Duration("wait", 90*time.Second, "how long to wait for a paid full period of a qualified node")
	noWithdrawals := flag.Bool("no-withdrawals", false, "no rewards were withdrawn: each node's accrued rewards must be the sum of its records' payments")
	quiet := flag.Bool("quiet", false, "print only failures and the summary")
	flag.Parse()

	ctx := context.Background()
	hc := &http.Client{Timeout: 20 * time.Second}
	deadline := time.Now().Add(*wait)
	base := strings.TrimRight(*api, "/")
	var st *State
	var res Result
	for {
		var err error
		st, err = snapshot(ctx, base, hc)
		if err == nil {
			res = Check(st, *noWithdrawals)
			if len(res.Failures) > 0 || res.QualifiedFullPaid > 0 {
				break
			}
			err = fmt.Errorf("no full period of a qualified node paid yet (%d records, %d paid)", res.Checked, res.PaidNonZero)
		}
		if time.Now().After(deadline) {
			if st == nil {
				fmt.Fprintf(os.Stderr, "rewardcheck: %v\n", err)
				os.Exit(1)
			}
			break
		}
		fmt.Fprintf(os.Stderr, "rewardcheck: waiting: %v\n", err)
		time.Sleep(2 * time.Second)
	}

	if !*quiet || len(res.Failures) > 0 {
		for _, l := range res.Lines {
			fmt.Println(l)
		}
	}
	fail := res.Failures
	if res.PaidNonZero == 0 {
		fail = append(fail, "no record was paid a positive amount: the check would pass vacuously")
	} else if res.QualifiedFullPaid == 0 {
		fail = append(fail, fmt.Sprintf("no full period of a qualified node was paid within %s", *wait))
	}
	if len(fail) > 0 {
		fmt.Fprintf(os.Stderr, "rewardcheck at height %d: %d difference(s):\n", st.Height, len(fail))
		for _, f := range fail {
			fmt.Fprintln(os.Stderr, f)
		}
		os.Exit(1)
	}
	fmt.Printf("rewardcheck at height %d: %d records of %d nodes (%d full periods, %d join periods; %d paid, %d of them full periods of qualified nodes) agree with the formula: month rate line by line, period amount with carry (epoch %q, %d s), payment\n",
		st.Height, res.Checked, len(st.Nodes), res.Full, res.Join, res.PaidNonZero, res.QualifiedFullPaid, st.Params.RewardEpochIdentifier, st.EpochSeconds)
}

// snapshot reads the state at the newest height with no settlement open (the latest
// block's parent, so its state is committed; a settlement in progress would leave
// records entitled but unpaid).
func snapshot(ctx context.Context, base string, hc *http.Client) (*State, error) {
	for range 10 {
		h, err := latestHeight(ctx, base, hc)
		if err != nil {
			return nil, err
		}
		if h < 2 {
			return nil, fmt.Errorf("chain at height %d", h)
		}
		c := &client{base: base, http: hc, height: h - 1}
		open, err := openSettlements(ctx, c)
		if err != nil {
			return nil, err
		}
		if open == 0 {
			return fetchState(ctx, c)
		}
		time.Sleep(time.Second)
	}
	return nil, fmt.Errorf("a settlement stayed open for 10 s")
}

package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	sdkmath "cosmossdk.io/math"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// account is one of the benchmark's own keys, in an in-memory keyring.
type account struct {
	name   string
	addr   sdk.AccAddress
	number uint64
	// sessions (submit mode) with how many submissions each still takes.
	sessions []uint64
}

// fundAmount is what each benchmark account gets: enough fees-free sends and
// session deposits for any run here.
var fundAmount = sdkmath.NewInt(200_000_000) // 200 COR

// makeAccounts creates n keys in kr, funds them from the -from key in one tx and
// reads their account numbers.
func makeAccounts(ctx context.Context, c *chain.Client, kr keyring.Keyring, from *chain.Signer, n int) ([]*account, error) {
	accs := make([]*account, n)
	var msgs []sdk.Msg
	for i := range accs {
		name := fmt.Sprint("bench", i)
		rec, _, err := kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", name, err)
		}
		addr, err := rec.GetAddress()
		if err != nil {
			return nil, err
		}
		accs[i] = &account{name: name, addr: addr}
		msgs = append(msgs, &banktypes.MsgSend{FromAddress: from.Address(), ToAddress: addr.String(),
			Amount: sdk.NewCoins(sdk.NewCoin("ucor", fundAmount))})
	}
	if _, err := from.Send(ctx, msgs...); err != nil {
		return nil, fmt.Errorf("funding the benchmark accounts from %s: %w", from.Name(), err)
	}
	for _, a := range accs {
		num, _, err := c.Account(ctx, a.addr.String())
		if err != nil {
			return nil, err
		}
		a.number = num
	}
	return accs, nil
}

// openSessions opens k sessions for each account on model, each funded for
// perSession submissions (ordered txs, one per account).
func openSessions(ctx context.Context, c *chain.Client, kr keyring.Keyring, accs []*account, model string, k, perSession int) error {
	price := sdkmath.NewInt(1)
	const redundancy = 3
	deposit := price.MulRaw(int64(redundancy * perSession))
	for _, a := range accs {
		s, err := c.NewSigner(kr, a.name, chain.SignerConfig{})
		if err != nil {
			return err
		}
		var msgs []sdk.Msg
		for range k {
			msgs = append(msgs, &sessionstypes.MsgCreateSession{Owner: a.addr.String(), ModelId: model, Redundancy: redundancy,
				Quorum: 2, PricePerTask: price, MaxTokens: 8, Deposit: deposit})
		}
		res, err := s.Send(ctx, msgs...)
		if err != nil {
			return fmt.Errorf("opening sessions for %s: %w", a.name, err)
		}
		for i := range msgs {
			var out sessionstypes.MsgCreateSessionResponse
			if err := chain.MsgResponse(res, i, &out); err != nil {
				return err
			}
			a.sessions = append(a.sessions, out.SessionId)
		}
	}
	return nil
}

// signer signs unordered txs for the benchmark's accounts offline, with a fixed
// gas limit measured once by simulation.
type signer struct {
	c       *chain.Client
	kr      keyring.Keyring
	chainID string
	gas     uint64
}

func (s *signer) factory(a *account, timeout time.Time) clienttx.Factory {
	return clienttx.Factory{}.WithChainID(s.chainID).WithKeybase(s.kr).WithTxConfig(s.c.Enc.TxConfig).
		WithFromName(a.name).WithAccountNumber(a.number).WithUnordered(true).WithTimeoutTimestamp(timeout).WithGas(s.gas)
}

func (s *signer) sign(ctx context.Context, a *account, timeout time.Time, msgs []sdk.Msg) ([]byte, error) {
	f := s.factory(a, timeout)
	txb, err := f.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, err
	}
	if err := clienttx.Sign(ctx, f, a.name, txb, true); err != nil {
		return nil, err
	}
	return s.c.Enc.TxConfig.TxEncoder()(txb.GetTx())
}

// measureGas simulates one tx of msgs and sets the gas limit every tx gets: the
// simulated gas with a margin (all txs of a run carry the same kind and number of
// messages).
func (s *signer) measureGas(ctx context.Context, a *account, msgs []sdk.Msg) error {
	f := s.factory(a, time.Now().Add(time.Minute)).WithSimulateAndExecute(true)
	bz, err := f.BuildSimTx(msgs...)
	if err != nil {
		return err
	}
	qctx, cancel := s.c.QueryCtx(ctx)
	defer cancel()
	res, err := s.c.Tx.Simulate(qctx, &txtypes.SimulateRequest{TxBytes: bz})
	if err != nil {
		return fmt.Errorf("simulating a benchmark tx: %w", err)
	}
	s.gas = res.GasInfo.GasUsed*3/2 + 20_000
	return nil
}

// signAll signs n txs, round-robin over the accounts, on every CPU. Each tx's
// timeout timestamp is base plus its index in nanoseconds: unique per signer, as
// the chain's unordered nonces require.
func (s *signer) signAll(ctx context.Context, accs []*account, n int, base time.Time, build func(i int, a *account) []sdk.Msg) ([]*sent, error) {
	out := make([]*sent, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	workers := runtime.NumCPU()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				a := accs[i%len(accs)]
				bz, err := s.sign(ctx, a, base.Add(time.Duration(i)), build(i, a))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				out[i] = &sent{bz: bz, hash: chain.TxHash(bz)}
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

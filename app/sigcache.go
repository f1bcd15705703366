package app

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// verifiedSigsSize bounds the signatures remembered between CheckTx and the block:
// ten blocks of 6,000 txs. A tx whose entry was pushed out is verified again in its
// block, as without the cache.
const verifiedSigsSize = 1 << 16

// verifiedSigs remembers the txs whose signatures this node's CheckTx verified, so
// that the block carrying them does not verify them again. Verifying a secp256k1
// signature was a third of a node's CPU at a thousand bank sends a second, half of
// it the second verification of a tx already checked.
//
// Skipping it is exact, not a trust decision: an entry's key is a hash of every
// input of the verification in SIGN_MODE_DIRECT (the chain ID, the tx bytes, which
// hold the body, the auth info and the signatures, and each signer's account number
// and public key as the state gives them), and a signature valid for those inputs
// is valid whenever they recur. A key that does not recur (an account whose public
// key or number differs in the block's state) is verified in the block. Gas is not
// affected: the verification's gas is charged by SigGasConsumeDecorator, before, and
// the account reads for the key are not metered. Nodes that remember different txs
// therefore reach the same results with the same gas.
type verifiedSigs struct {
	mu   sync.Mutex
	set  map[[sha256.Size]byte]struct{}
	ring [][sha256.Size]byte // insertion order; the oldest entry is replaced when full
	next int
	hits uint64
}

func newVerifiedSigs(size int) *verifiedSigs {
	return &verifiedSigs{set: make(map[[sha256.Size]byte]struct{}, size), ring: make([][sha256.Size]byte, 0, size)}
}

func (v *verifiedSigs) add(k [sha256.Size]byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.set[k]; ok {
		return
	}
	if len(v.ring) < cap(v.ring) {
		v.ring = append(v.ring, k)
	} else {
		delete(v.set, v.ring[v.next])
		v.ring[v.next] = k
		v.next = (v.next + 1) % len(v.ring)
	}
	v.set[k] = struct{}{}
}

// has reports whether k was verified, counting the hits.
func (v *verifiedSigs) has(k [sha256.Size]byte) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.set[k]
	if ok {
		v.hits++
	}
	return ok
}

// accountGetter is the part of the account keeper the key reads.
type accountGetter interface {
	GetAccount(ctx context.Context, addr sdk.AccAddress) sdk.AccountI
}

// cachedSigVerification wraps the SDK's SigVerificationDecorator (verify): CheckTx
// remembers a tx once every signature verified, and block execution runs verify with
// signature checks off for a remembered tx (it still checks sequences, unordered
// nonces and that each signer has a public key). Simulation, re-checks and proposals
// go to verify unchanged.
type cachedSigVerification struct {
	verify sdk.AnteDecorator
	ak     accountGetter
	seen   *verifiedSigs
}

func (d cachedSigVerification) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	mode := ctx.ExecMode()
	if simulate || !ctx.IsSigverifyTx() || (mode != sdk.ExecModeCheck && mode != sdk.ExecModeFinalize) {
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	}
	key, ok := d.key(ctx, tx)
	switch {
	case !ok:
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	case mode == sdk.ExecModeCheck:
		// verify calls next only once every signature verified.
		return d.verify.AnteHandle(ctx, tx, simulate, func(c sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
			d.seen.add(key)
			return next(c, tx, simulate)
		})
	case d.seen.has(key):
		return d.verify.AnteHandle(ctx.WithIsSigverifyTx(false), tx, simulate, func(c sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
			return next(c.WithIsSigverifyTx(true), tx, simulate)
		})
	default:
		return d.verify.AnteHandle(ctx, tx, simulate, next)
	}
}

// key hashes the verification's inputs; ok is false for what is not cached: a tx
// with a signature that is not a single SIGN_MODE_DIRECT one (other modes sign bytes
// that can depend on more state, e.g. SIGN_MODE_TEXTUAL's rendered denominations),
// a signer without an account or public key (verify gives the error), and txs at
// genesis (signed with account number 0).
func (d cachedSigVerification) key(ctx sdk.Context, tx sdk.Tx) (k [sha256.Size]byte, ok bool) {
	txBytes := ctx.TxBytes()
	sigTx, isSigTx := tx.(authsigning.Tx)
	if ctx.BlockHeight() == 0 || len(txBytes) == 0 || !isSigTx {
		return k, false
	}
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil {
		return k, false
	}
	signers, err := sigTx.GetSigners()
	if err != nil || len(sigs) == 0 || len(sigs) != len(signers) {
		return k, false
	}
	h := sha256.New()
	writeField(h, []byte(ctx.ChainID()))
	writeField(h, txBytes)
	// Reads for the key are not metered, so a hit and a miss use the same gas.
	free := ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	for i, sig := range sigs {
		single, isSingle := sig.Data.(*signing.SingleSignatureData)
		if !isSingle || single.SignMode != signing.SignMode_SIGN_MODE_DIRECT {
			return k, false
		}
		acc := d.ak.GetAccount(free, signers[i])
		if acc == nil || acc.GetPubKey() == nil {
			return k, false
		}
		pk := acc.GetPubKey()
		var num [8]byte
		binary.BigEndian.PutUint64(num[:], acc.GetAccountNumber())
		writeField(h, num[:])
		writeField(h, []byte(pk.Type()))
		writeField(h, pk.Bytes())
	}
	h.Sum(k[:0])
	return k, true
}

// writeField writes b length-prefixed, so that no two field lists hash alike.
func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

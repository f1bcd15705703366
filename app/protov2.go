package app

// The protobuf-v2 (pulsar) types of every module's messages, registered with the
// global protobuf registry. The SDK reads a tx's signers by unpacking each message into
// that API (CheckTx, simulations and blocks each decode the tx anew); for a type the
// registry lacks it builds a dynamicpb message from the descriptor, whose decoding was
// 7 % of a loaded node's CPU. `make proto-gen` writes them (buf.gen.pulsar.yaml).
import (
	_ "github.com/cortnet/cortd/api/cortd/audits/v1"
	_ "github.com/cortnet/cortd/api/cortd/challenges/v1"
	_ "github.com/cortnet/cortd/api/cortd/data/v1"
	_ "github.com/cortnet/cortd/api/cortd/models/v1"
	_ "github.com/cortnet/cortd/api/cortd/nodes/v1"
	_ "github.com/cortnet/cortd/api/cortd/payments/v1"
	_ "github.com/cortnet/cortd/api/cortd/sessions/v1"
)

package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"cosmossdk.io/log/v2"
	dbm "github.com/cosmos/cosmos-db"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/codec"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/app"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Every message of our modules has a generated protobuf-v2 type, described exactly as
// its gogoproto type is: the SDK unpacks each message of a tx into that API to read its
// signers, and without one it decodes through dynamicpb (app/protov2.go).
func TestEveryMessageHasAGeneratedV2Type(t *testing.T) {
	for _, url := range customMsgs(t) {
		typ, err := protoregistry.GlobalTypes.FindMessageByURL(url)
		require.NoError(t, err, "%s has no generated protobuf-v2 type: run make proto-gen", url)
		file := typ.Descriptor().ParentFile()
		gogoFile, err := gogoproto.GogoResolver.FindFileByPath(file.Path())
		require.NoError(t, err, url)
		gogoDesc := protodesc.ToFileDescriptorProto(gogoFile)
		// The gocosmos plugin adds gogoproto's file options (extensions the v2
		// registry does not know, so unknown fields); nothing else may differ.
		gogoDesc.Options.ProtoReflect().SetUnknown(nil)
		require.True(t, protov2.Equal(protodesc.ToFileDescriptorProto(file), gogoDesc),
			"%s: the generated v2 descriptor of %s differs from the gogoproto one: run make proto-gen", url, file.Path())
	}
}

// Reading a batched message's signers goes through the generated type and gives the
// sender.
func TestSignersAreReadWithTheGeneratedType(t *testing.T) {
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	cdc, ok := a.AppCodec().(*codec.ProtoCodec)
	require.True(t, ok)
	sender := sdk.AccAddress([]byte("commit-signer-addr-1"))
	msg := &sessionstypes.MsgCommit{Sender: sender.String(), TaskId: 7, NodeId: "node-1", ResultText: "hi", Salt: []byte("salt")}
	signers, v2, err := cdc.GetMsgV1Signers(msg)
	require.NoError(t, err)
	require.Equal(t, [][]byte{sender.Bytes()}, signers)
	_, dynamic := v2.(*dynamicpb.Message)
	require.False(t, dynamic, "the message was decoded through dynamicpb")
	require.Equal(t, "cortd.sessions.v1.MsgCommit", string(v2.ProtoReflect().Descriptor().FullName()))
}

package schemagolden_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
	corestore "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/schemagolden"
)

// noStore: building collections never opens the store.
type noStore struct{}

func (noStore) OpenKVStore(context.Context) corestore.KVStore { return nil }

type inner struct {
	Map collections.Map[sdk.AccAddress, uint64]
}

type testKeeper struct {
	Schema  collections.Schema
	Params  collections.Item[sdk.Coin]
	Names   collections.KeySet[collections.Pair[string, uint64]]
	Wrapped inner
	hidden  int //nolint:unused // unexported non-collection fields are skipped
}

func build(t *testing.T, namesKey collcodec.KeyCodec[collections.Pair[string, uint64]]) testKeeper {
	t.Helper()
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	sb := collections.NewSchemaBuilder(noStore{})
	k := testKeeper{
		Params:  collections.NewItem(sb, collections.NewPrefix(0), "params", codec.CollValue[sdk.Coin](cdc)),
		Names:   collections.NewKeySet(sb, collections.NewPrefix(1), "names", namesKey),
		Wrapped: inner{Map: collections.NewMap(sb, collections.NewPrefix(2), "wrapped", sdk.AccAddressKey, collections.Uint64Value)},
	}
	s, err := sb.Build()
	require.NoError(t, err)
	k.Schema = s
	return k
}

func TestDescribe(t *testing.T) {
	k := build(t, collections.PairKeyCodec(collections.StringKey, collections.Uint64Key))
	got, err := schemagolden.Describe("demo", 3, k, k.Schema)
	require.NoError(t, err)
	require.Equal(t, `# x/demo store layout at ConsensusVersion 3
collection names prefix=01 key=Pair[string, uint64] value=no_value
collection params prefix=00 key=no_key value=github.com/cosmos/gogoproto/cosmos.base.v1beta1.Coin
collection wrapped prefix=02 key=sdk.AccAddress value=uint64
message cosmos.base.v1beta1.Coin
  1 denom optional string
  2 amount optional string
`, got)

	// A pointer to the keeper reads the same.
	got2, err := schemagolden.Describe("demo", 3, &k, k.Schema)
	require.NoError(t, err)
	require.Equal(t, got, got2)

	// Another key codec is another layout.
	k2 := build(t, collections.PairKeyCodec(collections.StringKey, collections.Uint64Key))
	k2.Names = collections.KeySet[collections.Pair[string, uint64]]{} // not reachable any more
	_, err = schemagolden.Describe("demo", 3, k2, k.Schema)
	require.ErrorContains(t, err, `collection "names" of the schema is not an exported field`)
}

func TestMismatch(t *testing.T) {
	want := "# x/demo store layout at ConsensusVersion 1\ncollection pending prefix=02 key=string value=math.Int\n"
	got := "# x/demo store layout at ConsensusVersion 1\ncollection pending prefix=02 key=sdk.AccAddress value=math.Int\n"
	msg := schemagolden.Mismatch("demo", 1, want, got)
	require.Contains(t, msg, "state-breaking change")
	require.Contains(t, msg, "Add a migration (x/demo/migrations/vN")
	require.Contains(t, msg, "- collection pending prefix=02 key=string value=math.Int")
	require.Contains(t, msg, "+ collection pending prefix=02 key=sdk.AccAddress value=math.Int")

	bumped := strings.Replace(got, "ConsensusVersion 1", "ConsensusVersion 2", 1)
	msg = schemagolden.Mismatch("demo", 2, want, bumped)
	require.Contains(t, msg, "ConsensusVersion moved from 1 to 2")
	require.NotContains(t, msg, "Add a migration")
}

package simulation_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/challenges/simulation"
	"github.com/cortnet/cortd/x/challenges/types"
)

// The simulated poster's tests and miners' patches reveal what they committed to, with
// salts the chain accepts.
func TestCommitmentsRoundTrip(t *testing.T) {
	sha, salt := simulation.Tests("statement nonce n-1")
	require.NoError(t, types.ValidateSha256Hex("tests", sha))
	decoded, err := types.DecodeSalt(hex.EncodeToString(salt))
	require.NoError(t, err)
	require.Equal(t, types.TestsCommitment(sha, salt), types.TestsCommitment(sha, decoded))
	other, _ := simulation.Tests("statement nonce n-2")
	require.NotEqual(t, sha, other)

	patch, psalt := simulation.Patch(3, "node-1")
	decoded, err = types.DecodeSalt(hex.EncodeToString(psalt))
	require.NoError(t, err)
	require.Equal(t, types.PatchCommitment(patch, psalt), types.PatchCommitment(patch, decoded))
	patch2, _ := simulation.Patch(3, "node-2")
	require.NotEqual(t, patch, patch2)

	// context selection: a file list the chain accepts
	for _, node := range []string{"node-1", "node-2", "node-3", "node-4"} {
		list, lsalt := simulation.Answer(types.TASK_TYPE_CONTEXT_SELECTION, 3, node)
		p := types.DefaultParams()
		_, err := types.ParseFileList(list, p.MaxAnswerFiles, p.MaxPathBytes)
		require.NoError(t, err, "%q", list)
		_, psalt2 := simulation.Patch(3, node)
		require.Equal(t, psalt2, lsalt)
	}
	same, _ := simulation.Answer(types.TASK_TYPE_BUGFIX, 3, "node-1")
	p1, _ := simulation.Patch(3, "node-1")
	require.Equal(t, p1, same)
}

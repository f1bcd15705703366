package evaluator

import "github.com/cortnet/cortd/sidecar/archive"

// The unpacker lives in sidecar/archive, shared with the miners' challenge agent, so
// both sides of a challenge unpack its snapshot under the same rules and limits; these
// names keep the evaluator's API.

// ErrBadArchive: see archive.ErrBad.
var ErrBadArchive = archive.ErrBad

// UnpackLimits bound what one archive may expand to (archive.Limits).
type UnpackLimits = archive.Limits

// DefaultUnpackLimits are archive.DefaultLimits.
var DefaultUnpackLimits = archive.DefaultLimits

// Unpack extracts a tar.gz into dir (archive.Unpack).
func Unpack(data []byte, dir string, lim UnpackLimits) ([]string, error) {
	return archive.Unpack(data, dir, lim)
}

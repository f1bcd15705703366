package types

import (
	"bytes"
	"slices"
	"strings"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// TaskTypes are the task types a challenge may have, in the order the epoch close
// weights them.
var TaskTypes = []TaskType{TASK_TYPE_CODEGEN, TASK_TYPE_BUGFIX, TASK_TYPE_CONTEXT_SELECTION}

// IsTaskType reports whether tt is one of TaskTypes.
func IsTaskType(tt TaskType) bool { return slices.Contains(TaskTypes, tt) }

// A context-selection answer is a list of repository-relative file paths. Its canonical
// encoding, the bytes a miner commits to (sha256(encoding ‖ salt)) and reveals as the
// answer's patch, is the paths sorted bytewise, each once, each followed by "\n". The
// chain accepts only that encoding (ParseFileList), so one list has exactly one
// commitment and evaluators read the same list the chain checked.

// EncodeFileList returns the canonical encoding of paths (sorted, duplicates dropped).
// It does not validate the paths: NormalizeFileList does.
func EncodeFileList(paths []string) []byte {
	sorted := slices.Clone(paths)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var b bytes.Buffer
	for _, p := range sorted {
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// NormalizeFileList sorts paths, drops duplicates and validates the result as
// ParseFileList would (a miner's side, before committing).
func NormalizeFileList(paths []string, maxFiles, maxPathBytes uint32) ([]string, error) {
	for _, p := range paths {
		// each path on its own first: one with a newline would read as two
		if err := validateAnswerPath(p, maxPathBytes); err != nil {
			return nil, err
		}
	}
	return ParseFileList(EncodeFileList(paths), maxFiles, maxPathBytes)
}

// ParseFileList decodes a canonical file list: 1 to maxFiles paths, each a valid
// relative path (at most maxPathBytes, no leading "/", no "." or ".." or empty segment,
// no control characters or backslashes), strictly ascending, each ended by "\n".
// Anything else is ErrInvalidFileList.
func ParseFileList(b []byte, maxFiles, maxPathBytes uint32) ([]string, error) {
	if len(b) == 0 {
		return nil, errorsmod.Wrap(ErrInvalidFileList, "empty")
	}
	if b[len(b)-1] != '\n' {
		return nil, errorsmod.Wrap(ErrInvalidFileList, "every path must end with a newline")
	}
	paths := strings.Split(string(b[:len(b)-1]), "\n")
	if len(paths) > int(maxFiles) {
		return nil, errorsmod.Wrapf(ErrInvalidFileList, "%d paths, max %d", len(paths), maxFiles)
	}
	for i, p := range paths {
		if err := validateAnswerPath(p, maxPathBytes); err != nil {
			return nil, err
		}
		if i > 0 && paths[i-1] >= p {
			return nil, errorsmod.Wrapf(ErrInvalidFileList, "%q after %q: paths must be sorted and distinct", p, paths[i-1])
		}
	}
	return paths, nil
}

// validateAnswerPath is validatePath (a context path's rule) plus canonical segments.
func validateAnswerPath(p string, maxPathBytes uint32) error {
	if err := validatePath(p, maxPathBytes); err != nil {
		return errorsmod.Wrap(ErrInvalidFileList, err.Error())
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." {
			return errorsmod.Wrapf(ErrInvalidFileList, "path %q has an empty or \".\" segment", p)
		}
	}
	return nil
}

// FileListScore is a context-selection answer scored against the answer key.
type FileListScore struct {
	// Hits: paths in both; Answered: paths in the answer; Key: paths in the key.
	Hits, Answered, Key int
	// Precision = Hits/Answered, Recall = Hits/Key, F1 = 2·Hits/(Answered+Key), each
	// truncated to 18 decimals (0 when its denominator is 0).
	Precision, Recall, F1 sdkmath.LegacyDec
	// ScoreBps is F1 in basis points, rounded down: floor(2·Hits·10000 / (Answered+Key)).
	ScoreBps uint32
}

// ScoreFileList scores a context-selection answer against the key: F1 of precision and
// recall, in integer arithmetic (F1 = 2PR/(P+R) = 2·Hits/(Answered+Key)). Both lists
// are sets (ParseFileList's output); a path listed twice counts once.
func ScoreFileList(answer, key []string) FileListScore {
	a, k := slices.Compact(sortedCopy(answer)), slices.Compact(sortedCopy(key))
	hits := 0
	for i, j := 0, 0; i < len(a) && j < len(k); {
		switch {
		case a[i] == k[j]:
			hits++
			i++
			j++
		case a[i] < k[j]:
			i++
		default:
			j++
		}
	}
	s := FileListScore{Hits: hits, Answered: len(a), Key: len(k),
		Precision: ratio(hits, len(a)), Recall: ratio(hits, len(k)), F1: ratio(2*hits, len(a)+len(k))}
	if n := len(a) + len(k); n > 0 {
		s.ScoreBps = uint32(int64(2*hits) * MaxBasisPoints / int64(n))
	}
	return s
}

func sortedCopy(xs []string) []string {
	c := slices.Clone(xs)
	slices.Sort(c)
	return c
}

// ratio is num/den truncated to 18 decimals, 0 when den is 0.
func ratio(num, den int) sdkmath.LegacyDec {
	if den == 0 {
		return sdkmath.LegacyZeroDec()
	}
	return sdkmath.LegacyNewDec(int64(num)).QuoInt64(int64(den))
}

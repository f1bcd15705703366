package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Names of a Hugging Face checkpoint's weight files.
const (
	SingleFile = "model.safetensors"
	IndexFile  = "model.safetensors.index.json"
)

// MaxIndexBytes bounds model.safetensors.index.json.
const MaxIndexBytes = 64 << 20

// Index is a parsed model.safetensors.index.json: which shard holds each
// tensor.
type Index struct {
	WeightMap map[string]string
	TotalSize int64 // metadata.total_size (0 when absent)
}

// Shards returns the distinct shard file names in sorted order.
func (ix *Index) Shards() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range ix.WeightMap {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// ParseIndex validates index bytes: a JSON object with a non-empty
// weight_map from tensor names to plain file names ending in .safetensors
// (no directories, so a hostile index cannot point outside the folder).
func ParseIndex(b []byte) (*Index, error) {
	if len(b) > MaxIndexBytes {
		return nil, fmt.Errorf("%s: %d bytes exceeds limit %d", IndexFile, len(b), MaxIndexBytes)
	}
	var raw struct {
		Metadata  map[string]json.RawMessage `json:"metadata"`
		WeightMap map[string]string          `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", IndexFile, err)
	}
	if len(raw.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: weight_map is missing or empty", IndexFile)
	}
	ix := &Index{WeightMap: raw.WeightMap}
	if ts, ok := raw.Metadata["total_size"]; ok {
		var n float64 // transformers writes an integer; some tools a float
		if err := json.Unmarshal(ts, &n); err != nil || n < 0 || n > 1<<62 {
			return nil, fmt.Errorf("%s: metadata.total_size %s is not a size", IndexFile, ts)
		}
		ix.TotalSize = int64(n)
	}
	for name, f := range raw.WeightMap {
		if name == "" {
			return nil, fmt.Errorf("%s: weight_map has an empty tensor name", IndexFile)
		}
		if !validShardName(f) {
			return nil, fmt.Errorf("%s: tensor %q: shard %q is not a plain .safetensors file name", IndexFile, name, f)
		}
	}
	return ix, nil
}

func validShardName(f string) bool {
	return strings.HasSuffix(f, ".safetensors") && len(f) <= 255 && f != ".safetensors" &&
		!strings.ContainsAny(f, "/\\\x00") && !strings.HasPrefix(f, ".")
}

// Weights is a checkpoint's weights: one model.safetensors or the shards
// an index names. Every shard's header is validated when it is opened.
type Weights struct {
	dir    string
	files  map[string]*File  // by file name
	tensor map[string]string // tensor name -> file name
}

// OpenDir opens the weights of a Hugging Face model folder: model.safetensors
// when present (as transformers prefers), else model.safetensors.index.json
// and its shards. A missing or truncated shard, or a tensor the index names
// that its shard lacks, is an error naming the file and the tensor.
func OpenDir(dir string) (*Weights, error) {
	w := &Weights{dir: dir, files: map[string]*File{}, tensor: map[string]string{}}
	single := filepath.Join(dir, SingleFile)
	if _, err := os.Stat(single); err == nil {
		f, err := Open(single)
		if err != nil {
			return nil, err
		}
		w.files[SingleFile] = f
		for n := range f.Tensors {
			w.tensor[n] = SingleFile
		}
		return w, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ixPath := filepath.Join(dir, IndexFile)
	b, err := os.ReadFile(ixPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s and no %s", dir, SingleFile, IndexFile)
	}
	if err != nil {
		return nil, err
	}
	ix, err := ParseIndex(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	for _, s := range ix.Shards() {
		f, err := Open(filepath.Join(dir, s))
		if err != nil {
			w.Close()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: shard %s named by %s is missing", dir, s, IndexFile)
			}
			return nil, err
		}
		w.files[s] = f
	}
	names := make([]string, 0, len(ix.WeightMap))
	for n := range ix.WeightMap {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := ix.WeightMap[n]
		if _, ok := w.files[s].Tensors[n]; !ok {
			w.Close()
			return nil, fmt.Errorf("%s: tensor %s: %s names shard %s, which does not hold it", dir, n, IndexFile, s)
		}
		w.tensor[n] = s
	}
	return w, nil
}

// Has reports whether the checkpoint holds tensor name.
func (w *Weights) Has(name string) bool { _, ok := w.tensor[name]; return ok }

// Names returns every tensor name in sorted order.
func (w *Weights) Names() []string {
	out := make([]string, 0, len(w.tensor))
	for n := range w.tensor {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Info returns a tensor's header entry and the file that holds it.
func (w *Weights) Info(name string) (TensorInfo, string, bool) {
	f, ok := w.tensor[name]
	if !ok {
		return TensorInfo{}, "", false
	}
	return w.files[f].Tensors[name], f, true
}

// Float32 reads a tensor converted to float32 and returns the path of the
// file that holds it, for error messages.
func (w *Weights) Float32(name string) ([]float32, TensorInfo, string, error) {
	f, ok := w.tensor[name]
	if !ok {
		return nil, TensorInfo{}, "", fmt.Errorf("%s: tensor %s missing from the weights", w.dir, name)
	}
	path := filepath.Join(w.dir, f)
	v, ti, err := w.files[f].Float32(name)
	if err != nil {
		return nil, ti, path, fmt.Errorf("%s: %w", path, err)
	}
	return v, ti, path, nil
}

// ReadRaw reads raw bytes of a tensor (File.ReadAt semantics, offsets
// within the tensor's data); errors name the file. Safe for concurrent use.
func (w *Weights) ReadRaw(name string, off int64, buf []byte) error {
	f, ok := w.tensor[name]
	if !ok {
		return fmt.Errorf("%s: tensor %s missing from the weights", w.dir, name)
	}
	if err := w.files[f].ReadRaw(name, off, buf); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(w.dir, f), err)
	}
	return nil
}

// Path is the file that holds tensor name ("" when none does).
func (w *Weights) Path(name string) string {
	f, ok := w.tensor[name]
	if !ok {
		return ""
	}
	return filepath.Join(w.dir, f)
}

// Close closes every open file.
func (w *Weights) Close() error {
	var first error
	for _, f := range w.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

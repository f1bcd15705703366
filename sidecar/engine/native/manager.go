package native

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/cortnet/cortd/sidecar/engine"
)

// Manager loads models from subfolders of a directory on demand, keeps them
// within a memory budget and evicts the least recently used. A request that
// still holds an evicted model keeps using it; the memory is freed when it
// finishes.
type Manager struct {
	// Batch configures request batching for models loaded after it is set.
	Batch BatchConfig

	dir    string
	budget int64
	log    *slog.Logger

	mu      sync.Mutex
	clock   uint64
	loaded  map[string]*entry
	loading map[string]*loadCall
}

type entry struct {
	m    *Model
	used uint64
}

type loadCall struct {
	done chan struct{}
	m    *Model
	err  error
}

// NewManager serves models from dir (one folder per model) within budget
// bytes of weights (0: no limit).
func NewManager(dir string, budget int64, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.Default()
	}
	return &Manager{dir: dir, budget: budget, log: log, loaded: map[string]*entry{}, loading: map[string]*loadCall{}}
}

// validName rejects anything that could escape the models directory.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`) && len(name) <= 200
}

// Get returns the model, loading it if needed. Concurrent requests for a
// model that is loading wait for the one load.
func (mg *Manager) Get(name string) (*Model, error) {
	if !validName(name) {
		return nil, fmt.Errorf("%w: %q", engine.ErrUnknownModel, name)
	}
	mg.mu.Lock()
	if e, ok := mg.loaded[name]; ok {
		mg.clock++
		e.used = mg.clock
		mg.mu.Unlock()
		return e.m, nil
	}
	if c, ok := mg.loading[name]; ok {
		mg.mu.Unlock()
		<-c.done
		return c.m, c.err
	}
	c := &loadCall{done: make(chan struct{})}
	mg.loading[name] = c
	mg.mu.Unlock()

	dir := filepath.Join(mg.dir, name)
	if !isModelDir(dir) {
		c.err = fmt.Errorf("%w: %q", engine.ErrUnknownModel, name)
	} else {
		c.m, c.err = Load(dir)
		if c.err == nil {
			c.m.BatchCfg = mg.Batch
		}
	}
	mg.mu.Lock()
	delete(mg.loading, name)
	if c.err == nil {
		mg.clock++
		mg.loaded[name] = &entry{m: c.m, used: mg.clock}
		mg.log.Info("model loaded", "model", name, "bytes", c.m.Bytes, "arch", c.m.Cfg.Arch)
		mg.evictLocked(name)
	} else {
		mg.log.Warn("model load failed", "model", name, "err", c.err)
	}
	mg.mu.Unlock()
	close(c.done)
	return c.m, c.err
}

// isModelDir reports whether dir looks like a model folder: config.json
// (safetensors, or GGUF with the published json files) or a lone
// model.gguf.
func isModelDir(dir string) bool {
	for _, f := range []string{"config.json", GGUFFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// evictLocked drops least recently used models (never keep) until the
// loaded total fits the budget.
func (mg *Manager) evictLocked(keep string) {
	if mg.budget <= 0 {
		return
	}
	for {
		var total int64
		victim, oldest := "", ^uint64(0)
		for n, e := range mg.loaded {
			total += e.m.Bytes
			if n != keep && e.used < oldest {
				victim, oldest = n, e.used
			}
		}
		if total <= mg.budget || victim == "" {
			return
		}
		mg.log.Info("model evicted", "model", victim, "bytes", mg.loaded[victim].m.Bytes)
		delete(mg.loaded, victim)
	}
}

// Loaded reports the loaded models and their sizes, sorted by name.
func (mg *Manager) Loaded() []engine.ModelInfo {
	mg.mu.Lock()
	defer mg.mu.Unlock()
	var out []engine.ModelInfo
	for n, e := range mg.loaded {
		out = append(out, engine.ModelInfo{ID: n, Loaded: true, Bytes: e.m.Bytes})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// List reports every model folder under the directory.
func (mg *Manager) List() ([]engine.ModelInfo, error) {
	ents, err := os.ReadDir(mg.dir)
	if err != nil {
		return nil, err
	}
	loaded := map[string]engine.ModelInfo{}
	for _, m := range mg.Loaded() {
		loaded[m.ID] = m
	}
	var out []engine.ModelInfo
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if !isModelDir(filepath.Join(mg.dir, e.Name())) {
			continue
		}
		info := engine.ModelInfo{ID: e.Name()}
		if l, ok := loaded[e.Name()]; ok {
			info = l
		}
		out = append(out, info)
	}
	return out, nil
}

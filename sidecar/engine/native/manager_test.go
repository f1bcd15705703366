package native

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/models"
)

func loadedIDs(mg *Manager) string {
	s := ""
	for _, m := range mg.Loaded() {
		s += m.ID + " "
	}
	return s
}

func TestManagerLRU(t *testing.T) {
	dir := t.TempDir()
	for i, n := range []string{"a", "b", "c"} {
		spec := tinySpecs["gpt2-tiny"]
		spec.Seed = uint64(i + 1)
		if _, err := models.Init(spec, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	probe, err := Load(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	// Room for two models.
	mg := NewManager(dir, 2*probe.Bytes+1, nil)
	for _, n := range []string{"a", "b", "a", "c"} {
		if _, err := mg.Get(n); err != nil {
			t.Fatal(err)
		}
	}
	// b was least recently used when c arrived.
	if got := loadedIDs(mg); got != "a c " {
		t.Fatalf("loaded %q, want a and c", got)
	}
	list, err := mg.List()
	if err != nil || len(list) != 3 || list[1].ID != "b" || list[1].Loaded || !list[0].Loaded {
		t.Fatalf("list %+v %v", list, err)
	}
	if _, err := mg.Get("nope"); !errors.Is(err, engine.ErrUnknownModel) {
		t.Fatalf("missing model: %v", err)
	}
	// Concurrent first requests share one load.
	mg2 := NewManager(dir, 0, nil)
	var wg sync.WaitGroup
	got := make([]*Model, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = mg2.Get("b")
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] == nil || got[i] != got[0] {
			t.Fatalf("request %d got a different model instance", i)
		}
	}
}

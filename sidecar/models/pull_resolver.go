package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/cortnet/cortd/sidecar/engine"
)

// Resolver is the one place the roles (miner, score/submit, auditor) turn a model id into
// a verified folder under Dir. For a chain record with a manifest, the folder is pulled
// on first use when files are missing, and refused (with a log line naming the file and
// the reason) when a file there differs from the manifest; a record without a manifest
// keeps the old behaviour: whatever Dir/<id> holds is used. A verified id is remembered,
// so the files are hashed once per process.
type Resolver struct {
	Dir string
	// Lookup reads the chain record of an id.
	Lookup func(ctx context.Context, id string) (Record, error)
	Pull   PullOptions
	Log    *slog.Logger

	mu       sync.Mutex
	verified map[string]string // id -> manifest sha256 verified
	records  map[string]Record // chain records never change their files: read once
	locks    map[string]*sync.Mutex
}

// lockID serialises the checks and pulls of one id; other models go on meanwhile.
func (r *Resolver) lockID(id string) func() {
	r.mu.Lock()
	if r.locks == nil {
		r.locks = map[string]*sync.Mutex{}
	}
	l := r.locks[id]
	if l == nil {
		l = &sync.Mutex{}
		r.locks[id] = l
	}
	r.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (r *Resolver) isVerified(id, sum string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.verified[id] == sum
}

func (r *Resolver) lookup(ctx context.Context, id string) (Record, error) {
	r.mu.Lock()
	rec, ok := r.records[id]
	r.mu.Unlock()
	if ok {
		return rec, nil
	}
	rec, err := r.Lookup(ctx, id)
	if err != nil {
		return rec, err
	}
	r.mu.Lock()
	if r.records == nil {
		r.records = map[string]Record{}
	}
	r.records[id] = rec
	r.mu.Unlock()
	return rec, nil
}

// Ensure makes Dir/<id> match the chain record of id, pulling it if needed.
func (r *Resolver) Ensure(ctx context.Context, id string) error {
	rec, err := r.lookup(ctx, id)
	if err != nil {
		return fmt.Errorf("model %s: reading its chain record: %w", id, err)
	}
	if rec.ManifestSHA256 == "" {
		return nil // no manifest on chain: the operator provides the folder
	}
	if r.isVerified(id, rec.ManifestSHA256) {
		return nil
	}
	defer r.lockID(id)()
	if r.isVerified(id, rec.ManifestSHA256) {
		return nil
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	if err := checkID(id); err != nil {
		return err
	}
	folder := filepath.Join(r.Dir, id)
	m, ok, err := ReadLocalManifest(folder, rec.ManifestSHA256)
	if err != nil {
		log.Error("model folder refused", "model", id, "file", ManifestName, "err", err)
		return fmt.Errorf("model %s: %w", id, err)
	}
	needPull := !ok
	if ok {
		root, err := os.OpenRoot(folder)
		if err != nil {
			return err
		}
		for _, f := range m.Files {
			state, err := CheckFile(root, f)
			if state == FileMismatch {
				root.Close()
				log.Error("model folder does not match the chain record: refusing to use it", "model", id, "file", f.Path, "err", err)
				return fmt.Errorf("model %s: %w", id, err)
			}
			if state == FileMissing {
				needPull = true
			}
		}
		root.Close()
	} else if _, err := os.Stat(folder); err == nil {
		// A folder without this manifest: check what is there before adding to it.
		log.Info("model folder has no manifest matching the chain record: pulling it", "model", id, "manifest_sha256", rec.ManifestSHA256)
	}
	if needPull {
		log.Info("pulling model", "model", id, "from", rec.URI)
		po := r.Pull
		if po.Progress == nil {
			po.Progress = io.Discard
		}
		pm, err := r.pullChecked(ctx, rec, po)
		if err != nil {
			log.Error("model pull failed", "model", id, "err", err)
			return err
		}
		m = pm
	}
	if err := VerifyFolder(folder, m); err != nil {
		log.Error("model folder does not match the chain record: refusing to use it", "model", id, "err", err)
		return fmt.Errorf("model %s: %w", id, err)
	}
	r.mu.Lock()
	if r.verified == nil {
		r.verified = map[string]string{}
	}
	r.verified[id] = rec.ManifestSHA256
	r.mu.Unlock()
	return nil
}

// pullChecked pulls, but never replaces a file the operator has: a file that differs is
// refused (a role must not overwrite what a person put there; `model pull` does).
func (r *Resolver) pullChecked(ctx context.Context, rec Record, po PullOptions) (Manifest, error) {
	folder := filepath.Join(r.Dir, rec.ID)
	if _, err := os.Stat(folder); err == nil {
		// Compare existing files with the manifest to come before pulling.
		mb := po
		mb.Progress = nil
		m, err := fetchManifest(ctx, rec, mb)
		if err != nil {
			return m, err
		}
		root, err := os.OpenRoot(folder)
		if err != nil {
			return m, err
		}
		defer root.Close()
		for _, f := range m.Files {
			if state, err := CheckFile(root, f); state == FileMismatch {
				return m, fmt.Errorf("model %s: %w", rec.ID, err)
			}
		}
	}
	return Pull(ctx, r.Dir, rec, po)
}

// Engine wraps e so that every call for a model first runs r.Ensure.
func (r *Resolver) Engine(e engine.Engine) engine.Engine { return &verifiedEngine{e: e, r: r} }

type verifiedEngine struct {
	e engine.Engine
	r *Resolver
}

// ErrModelRefused wraps an Ensure failure seen through the engine.
var ErrModelRefused = errors.New("model folder refused")

func (v *verifiedEngine) ensure(ctx context.Context, model string) error {
	if err := v.r.Ensure(ctx, model); err != nil {
		return fmt.Errorf("%w: %w", ErrModelRefused, err)
	}
	return nil
}

func (v *verifiedEngine) Complete(ctx context.Context, model, prompt string, p engine.Params) (engine.Completion, error) {
	if err := v.ensure(ctx, model); err != nil {
		return engine.Completion{}, err
	}
	return v.e.Complete(ctx, model, prompt, p)
}

func (v *verifiedEngine) CompleteStream(ctx context.Context, model, prompt string, p engine.Params, emit func(string) error) (engine.Completion, error) {
	if err := v.ensure(ctx, model); err != nil {
		return engine.Completion{}, err
	}
	return v.e.CompleteStream(ctx, model, prompt, p, emit)
}

func (v *verifiedEngine) Embed(ctx context.Context, model string, texts []string) ([][]float32, engine.Usage, error) {
	if err := v.ensure(ctx, model); err != nil {
		return nil, engine.Usage{}, err
	}
	return v.e.Embed(ctx, model, texts)
}

func (v *verifiedEngine) Loss(ctx context.Context, model string, texts []string) ([]engine.LossResult, error) {
	if err := v.ensure(ctx, model); err != nil {
		return nil, err
	}
	return v.e.Loss(ctx, model, texts)
}

func (v *verifiedEngine) Models(ctx context.Context) ([]engine.ModelInfo, error) {
	return v.e.Models(ctx)
}

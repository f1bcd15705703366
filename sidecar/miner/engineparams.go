package miner

import (
	"fmt"

	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// EngineParams turns a task's sampling and prompt type into the engine's params. The
// miner generates with them and the auditor replays with them: one function, so the
// two can never drift apart (a drift would make the auditor report honest miners).
func EngineParams(s sessionstypes.SamplingParams, promptType string) (engine.Params, error) {
	p := engine.Params{MaxTokens: int(s.MaxTokens), TopK: int(s.TopK), Seed: s.Seed,
		// A chat task's prompt is a rendered chat template holding its own BOS.
		RenderedPrompt: promptType == sessionstypes.PromptTypeChat}
	if !s.Temperature.IsNil() {
		v, err := s.Temperature.Float64()
		if err != nil {
			return p, fmt.Errorf("temperature: %w", err)
		}
		p.Temperature = v
	}
	if !s.TopP.IsNil() {
		v, err := s.TopP.Float64()
		if err != nil {
			return p, fmt.Errorf("top_p: %w", err)
		}
		p.TopP = v
	}
	return p, nil
}

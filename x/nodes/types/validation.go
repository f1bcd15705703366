package types

import (
	"net/url"
	"regexp"
	"slices"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/internal/text"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// idPattern keeps node ids and role names safe in REST paths, CLI args and event attributes.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidateNodeID checks a node id.
func ValidateNodeID(id string) error {
	if !idPattern.MatchString(id) {
		return errorsmod.Wrapf(ErrInvalidID, "%q must match %s", id, idPattern.String())
	}
	return nil
}

// ValidateRole checks a role name.
func ValidateRole(role string) error {
	if !idPattern.MatchString(role) {
		return errorsmod.Wrapf(ErrInvalidRoles, "%q must match %s", role, idPattern.String())
	}
	return nil
}

func validAddress(field, addr string) error {
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return nil
}

// ValidateEndpoint checks the node's URL: http(s) with a host, so the router can call it.
func ValidateEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorsmod.Wrapf(ErrInvalidEndpoint, "%q must be an http(s) URL with a host", endpoint)
	}
	return nil
}

// Upper bounds of a node spec: far above any one machine, low enough that sums of them
// (ram_mib + vram_mib against memory_index_mib, which once wrapped around uint64) cannot
// overflow, and that a spec stays a description, not a place to store data.
const (
	MaxCPUCores      = 1 << 16 // 65,536 cores
	MaxRAMMiB        = 1 << 30 // 1 PiB
	MaxGPUCount      = 1 << 10 // 1,024 GPUs
	MaxVRAMMiB       = 1 << 30 // 1 PiB over all GPUs
	MaxGPUModelBytes = 128
)

// Validate checks that the spec describes a machine: at least one CPU core and some RAM,
// a consistent GPU description, every figure within its bound and a printable gpu_model.
func (s NodeSpec) Validate() error {
	if s.CpuCores == 0 || s.RamMib == 0 {
		return errorsmod.Wrap(ErrInvalidSpec, "cpu_cores and ram_mib must be positive")
	}
	if s.CpuCores > MaxCPUCores || s.RamMib > MaxRAMMiB || s.GpuCount > MaxGPUCount || s.VramMib > MaxVRAMMiB {
		return errorsmod.Wrapf(ErrInvalidSpec, "need cpu_cores <= %d, ram_mib <= %d, gpu_count <= %d, vram_mib <= %d",
			MaxCPUCores, MaxRAMMiB, MaxGPUCount, MaxVRAMMiB)
	}
	if (s.GpuCount == 0) != (s.VramMib == 0) {
		return errorsmod.Wrap(ErrInvalidSpec, "gpu_count and vram_mib must both be zero or both positive")
	}
	if len(s.GpuModel) > MaxGPUModelBytes {
		return errorsmod.Wrapf(ErrInvalidSpec, "gpu_model longer than %d bytes", MaxGPUModelBytes)
	}
	if !text.Printable(s.GpuModel) {
		return errorsmod.Wrap(ErrInvalidSpec, "gpu_model must be UTF-8 without control characters")
	}
	return nil
}

// ValidateModelList checks a list of model ids: well formed and unique. The order is
// canonicalised by SortedModels before storing.
func ValidateModelList(models []string, allowEmpty bool) error {
	if len(models) == 0 && !allowEmpty {
		return errorsmod.Wrap(ErrInvalidModels, "a node serves at least one model")
	}
	seen := make(map[string]bool, len(models))
	for _, m := range models {
		if err := modelstypes.ValidateID(m); err != nil {
			return errorsmod.Wrapf(ErrInvalidModels, "%v", err)
		}
		if seen[m] {
			return errorsmod.Wrapf(ErrInvalidModels, "duplicate model %q", m)
		}
		seen[m] = true
	}
	return nil
}

// SortedModels returns a sorted copy, the canonical stored order.
func SortedModels(models []string) []string {
	out := slices.Clone(models)
	slices.Sort(out)
	return out
}

// NodeDescription is what registration and update both carry about a node.
type NodeDescription struct {
	Endpoint       string
	Spec           NodeSpec
	MemoryIndexMiB uint64
	Models         []string
}

// ValidateStateless checks what needs no params or store.
func (d NodeDescription) ValidateStateless() error {
	if err := ValidateEndpoint(d.Endpoint); err != nil {
		return err
	}
	if err := d.Spec.Validate(); err != nil {
		return err
	}
	if d.MemoryIndexMiB == 0 {
		return errorsmod.Wrap(ErrInvalidMemoryIndex, "memory_index_mib must be positive")
	}
	// The memory usable for models cannot exceed the machine's memory (the spec's bounds
	// keep the sum far from wrapping around).
	if d.MemoryIndexMiB > d.Spec.RamMib+d.Spec.VramMib {
		return errorsmod.Wrapf(ErrInvalidMemoryIndex, "memory_index_mib %d exceeds ram_mib + vram_mib = %d",
			d.MemoryIndexMiB, d.Spec.RamMib+d.Spec.VramMib)
	}
	return ValidateModelList(d.Models, false)
}

// ValidateAgainstParams checks the governance bounds.
func (d NodeDescription) ValidateAgainstParams(p Params) error {
	if uint64(len(d.Endpoint)) > uint64(p.MaxEndpointLength) {
		return errorsmod.Wrapf(ErrInvalidEndpoint, "endpoint is %d bytes, max %d", len(d.Endpoint), p.MaxEndpointLength)
	}
	if uint64(len(d.Models)) > uint64(p.MaxModelsPerNode) {
		return errorsmod.Wrapf(ErrInvalidModels, "%d models, max %d", len(d.Models), p.MaxModelsPerNode)
	}
	return nil
}

// ValidateStakeCoin checks a coin is a positive amount of the params denom.
func ValidateStakeCoin(c sdk.Coin, denom string) error {
	if err := c.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidAmount, "%v", err)
	}
	if c.Denom != denom {
		return errorsmod.Wrapf(ErrInvalidDenom, "expected %s, got %s", denom, c.Denom)
	}
	if !c.IsPositive() {
		return errorsmod.Wrap(ErrInvalidAmount, "amount must be positive")
	}
	return nil
}

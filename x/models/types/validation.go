package types

import (
	"encoding/hex"
	"net/url"
	"regexp"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/internal/embedding"
	"github.com/cortnet/cortd/x/internal/text"
)

// idPattern keeps ids safe in REST paths, CLI args and event attributes.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Hard bounds, whatever governance sets (params.go checks the params against them).
const (
	// MaxMemoryMiB bounds memory_mib (1 PiB): x/nodes sums the memory of a node's models
	// against its memory index, and the bound keeps those sums far from wrapping uint64.
	MaxMemoryMiB = 1 << 30
	// MaxEmbeddingDimLimit bounds max_embedding_dim: embedding.MaxDim, the dimension up to
	// which the consensus arithmetic of x/sessions and x/data is proven in int64 and beyond
	// which they refuse every embedding (a model registered above it could never have a
	// task validated).
	MaxEmbeddingDimLimit = embedding.MaxDim
	// MaxURILengthLimit and MaxNameLengthLimit bound max_uri_length and max_name_length.
	MaxURILengthLimit  = 4096
	MaxNameLengthLimit = 1024
	// MaxArchitectures and MaxArchitectureLength bound allowed_architectures.
	MaxArchitectures      = 64
	MaxArchitectureLength = 64
)

// allowedURISchemes are the places a node operator's sidecar knows how to fetch weights from.
var allowedURISchemes = map[string]bool{"https": true, "http": true, "hf": true, "ipfs": true, "file": true}

// ValidateID checks a model id.
func ValidateID(id string) error {
	if !idPattern.MatchString(id) {
		return errorsmod.Wrapf(ErrInvalidID, "%q must match %s", id, idPattern.String())
	}
	return nil
}

// ValidateSha256Hex checks a lowercase hex sha256 digest; field names the field in the error.
func ValidateSha256Hex(field, digest string) error {
	if len(digest) != 64 {
		return errorsmod.Wrapf(ErrInvalidSha256, "%s must be 64 lowercase hex characters, got %d characters", field, len(digest))
	}
	for i := 0; i < len(digest); i++ {
		c := digest[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return errorsmod.Wrapf(ErrInvalidSha256, "%s must be lowercase hex, found %q", field, c)
		}
	}
	if _, err := hex.DecodeString(digest); err != nil {
		return errorsmod.Wrapf(ErrInvalidSha256, "%s: %v", field, err)
	}
	return nil
}

// ModelFields is the set of descriptive fields shared by MsgRegisterModel and Model.
type ModelFields struct {
	ID, Name, Architecture, WeightsURI, WeightsSha256, TokenizerSha256 string
	// ManifestSha256 names the folder's manifest.json; empty: a record without one.
	ManifestSha256 string
	EmbeddingDim   uint32
	MemoryMiB      uint64
	Modality       Modality
}

// manifestURISchemes are the schemes a sidecar pulls a manifest folder from (model pull).
var manifestURISchemes = map[string]bool{"https": true, "http": true, "file": true}

// ValidateStateless checks what can be checked without params: formats and non-zero values.
func (f ModelFields) ValidateStateless() error {
	if err := ValidateID(f.ID); err != nil {
		return err
	}
	if f.Name == "" || !text.Printable(f.Name) {
		return errorsmod.Wrap(ErrInvalidName, "name must be non-empty UTF-8 without control characters")
	}
	if f.Architecture == "" {
		return errorsmod.Wrap(ErrInvalidArchitecture, "architecture must be set")
	}
	u, err := url.Parse(f.WeightsURI)
	if f.WeightsURI == "" || err != nil || !allowedURISchemes[u.Scheme] {
		return errorsmod.Wrapf(ErrInvalidURI, "%q must be a URI with scheme https, http, hf, ipfs or file", f.WeightsURI)
	}
	if err := ValidateSha256Hex("weights_sha256", f.WeightsSha256); err != nil {
		return err
	}
	if err := ValidateSha256Hex("tokenizer_sha256", f.TokenizerSha256); err != nil {
		return err
	}
	if f.ManifestSha256 != "" {
		if err := ValidateSha256Hex("manifest_sha256", f.ManifestSha256); err != nil {
			return err
		}
		if !manifestURISchemes[u.Scheme] {
			return errorsmod.Wrapf(ErrInvalidURI, "%q: a model with a manifest needs an https, http or file weights_uri (the folder it is pulled from)", f.WeightsURI)
		}
	}
	if f.EmbeddingDim == 0 {
		return errorsmod.Wrap(ErrInvalidEmbeddingDim, "embedding_dim must be positive")
	}
	if f.MemoryMiB == 0 || f.MemoryMiB > MaxMemoryMiB {
		return errorsmod.Wrapf(ErrInvalidMemory, "memory_mib must be in 1..%d", MaxMemoryMiB)
	}
	return f.validateModality()
}

// validateModality checks that the modality is known and that a bytes model uses the
// byte tokenizer (ByteTokenizerSHA256).
func (f ModelFields) validateModality() error {
	switch f.Modality {
	case MODALITY_UNSPECIFIED, MODALITY_TEXT:
		return nil
	case MODALITY_BYTES:
		if f.TokenizerSha256 != ByteTokenizerSHA256 {
			return errorsmod.Wrapf(ErrInvalidModality, "a bytes model must use the byte tokenizer (tokenizer_sha256 %s), got %s",
				ByteTokenizerSHA256, f.TokenizerSha256)
		}
		return nil
	default:
		return errorsmod.Wrapf(ErrInvalidModality, "unknown modality %d (want text or bytes)", int32(f.Modality))
	}
}

// ValidateAgainstParams checks the bounds that governance sets.
func (f ModelFields) ValidateAgainstParams(p Params) error {
	if uint64(len(f.Name)) > uint64(p.MaxNameLength) {
		return errorsmod.Wrapf(ErrInvalidName, "name is %d bytes, max %d", len(f.Name), p.MaxNameLength)
	}
	if uint64(len(f.WeightsURI)) > uint64(p.MaxUriLength) {
		return errorsmod.Wrapf(ErrInvalidURI, "weights_uri is %d bytes, max %d", len(f.WeightsURI), p.MaxUriLength)
	}
	if f.EmbeddingDim > p.MaxEmbeddingDim {
		return errorsmod.Wrapf(ErrInvalidEmbeddingDim, "embedding_dim %d exceeds max %d", f.EmbeddingDim, p.MaxEmbeddingDim)
	}
	if !p.ArchitectureAllowed(f.Architecture) {
		return errorsmod.Wrapf(ErrInvalidArchitecture, "%q is not one of %v", f.Architecture, p.AllowedArchitectures)
	}
	return nil
}

// Fields returns the descriptive fields of a stored model.
func (m Model) Fields() ModelFields {
	return ModelFields{
		ID: m.Id, Name: m.Name, Architecture: m.Architecture, WeightsURI: m.WeightsUri,
		WeightsSha256: m.WeightsSha256, TokenizerSha256: m.TokenizerSha256, ManifestSha256: m.ManifestSha256,
		EmbeddingDim: m.EmbeddingDim, MemoryMiB: m.MemoryMib, Modality: m.Modality,
	}
}

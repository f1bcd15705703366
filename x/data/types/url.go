package types

import (
	"net/netip"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/internal/urlrule"
)

// URL rules of MsgSubmitData: every validator's auditor downloads the URL a submitter
// writes, so it follows the chain's rule for downloaded URLs (x/internal/urlrule),
// shared with x/challenges.

// ValidateURL is the stateless rule (ValidateBasic): urlrule.ValidateShape.
func ValidateURL(raw string, max int) error {
	if err := urlrule.ValidateShape(raw, max); err != nil {
		return errorsmod.Wrap(ErrInvalidURL, err.Error())
	}
	return nil
}

// CheckURLAllowed is the stateful rule: unless params.allow_local_urls, no file:// URL
// and no local host. It expects a URL that passed ValidateURL.
func CheckURLAllowed(raw string, p Params) error {
	if err := urlrule.CheckLocal(raw, p.AllowLocalUrls); err != nil {
		return errorsmod.Wrap(ErrInvalidURL, err.Error())
	}
	return nil
}

// IsPublicAddr is the chain's notion of a public address (urlrule.IsPublicAddr), for
// the fetcher's tests that check the chain refuses no less than the fetcher.
func IsPublicAddr(a netip.Addr) bool { return urlrule.IsPublicAddr(a) }

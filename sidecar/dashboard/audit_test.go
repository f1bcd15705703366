package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
)

// TestAuditPageEveryStatus: an audit renders in each of x/audits' statuses. Only
// those with a fraud vote (voting, fraud, cleared) have a tally; for the others the
// Tally query answers FailedPrecondition and the page must not turn that into a 502.
func TestAuditPageEveryStatus(t *testing.T) {
	f := newFake(3, 1, 1, 1)
	h := testServer(f).Handler()
	want := map[auditstypes.AuditStatus]struct {
		outcome string
		tally   bool
		yes     string
	}{
		auditstypes.AUDIT_STATUS_PENDING: {"Waiting for the auditor to pass or report until height 950.", false, ""},
		auditstypes.AUDIT_STATUS_VOTING:  {"The auditor reported fraud; bonded validators vote until height 1100.", true, "70%"},
		auditstypes.AUDIT_STATUS_PASSED:  {"The auditor passed the subject at height 930.", false, ""},
		auditstypes.AUDIT_STATUS_FRAUD:   {"Fraud: yes-voters held at least 2/3 of the bonded stake when the vote closed (height 991).", true, "70%"},
		auditstypes.AUDIT_STATUS_CLEARED: {"Cleared: the fraud report did not reach 2/3 of the bonded stake (height 991); the subject stands.", true, "40%"},
		auditstypes.AUDIT_STATUS_MISSED:  {"Missed: the auditor did nothing by height 950; the subject passes.", false, ""},
	}
	// Every status but UNSPECIFIED (never stored) is covered.
	require.Len(t, want, len(auditstypes.AuditStatus_name)-1)
	for id, st := range auditStatuses {
		w, ok := want[st]
		require.True(t, ok, st.String())
		u := "/audits/" + strconv.FormatUint(id, 10)
		code, body := get(t, h, u)
		require.Equal(t, http.StatusOK, code, "%s (%s): %s", u, st, body)
		require.Contains(t, body, `<b id="status">`+trimStatus(st)+`</b>`, u)
		require.Contains(t, body, `<p id="outcome">`+w.outcome+`</p>`, u)
		if w.tally {
			require.Contains(t, body, `<b id="yes-share">`+w.yes+`</b>`, u)
			require.Contains(t, body, "2/3 of stake", u)
		} else {
			require.NotContains(t, body, `id="yes-share"`, u)
			require.NotContains(t, body, `id="tally"`, u)
		}

		code, js := get(t, h, u+"?format=json")
		require.Equal(t, http.StatusOK, code, u)
		var tw struct {
			Audit struct {
				Audit struct {
					Status string `json:"status"`
				} `json:"audit"`
			} `json:"audit"`
			Tally *struct {
				Tally struct {
					YesStake string `json:"yes_stake"`
				} `json:"tally"`
			} `json:"tally"`
		}
		require.NoError(t, json.Unmarshal([]byte(js), &tw), js)
		require.Equal(t, st.String(), tw.Audit.Audit.Status)
		require.Equal(t, w.tally, tw.Tally != nil, "%s: tally member", u)
	}
}

// racyAudits answers an audit as voting but its tally as FailedPrecondition: the
// vote closed between the two queries.
type racyAudits struct{ fakeAudits }

func (racyAudits) Tally(context.Context, *auditstypes.QueryTallyRequest, ...grpc.CallOption) (*auditstypes.QueryTallyResponse, error) {
	return nil, status.Error(codes.FailedPrecondition, "audit 1 is AUDIT_STATUS_PASSED: no fraud vote")
}

func TestAuditPageVoteClosedBetweenQueries(t *testing.T) {
	f := newFake(3, 1, 1, 1)
	s := testServer(f)
	s.b.Audits = racyAudits{fakeAudits{f: f}}
	code, body := get(t, s.Handler(), "/audits/1")
	require.Equal(t, http.StatusOK, code, body)
	require.NotContains(t, body, `id="yes-share"`)
	// Any other tally failure is still the node's error.
	f.down.Store(true)
	code, _ = get(t, s.Handler(), "/audits/1")
	require.Equal(t, http.StatusServiceUnavailable, code)
}

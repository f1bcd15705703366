package dashboard

import (
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"google.golang.org/grpc"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Backend is every public query the dashboard reads. The fields are the modules'
// generated gRPC query clients, so a test can swap any of them for a fake that
// serves paged answers without a chain.
type Backend struct {
	Comet      cmtservice.ServiceClient
	Bank       banktypes.QueryClient
	Models     modelstypes.QueryClient
	Nodes      nodestypes.QueryClient
	Sessions   sessionstypes.QueryClient
	Payments   paymentstypes.QueryClient
	Data       datatypes.QueryClient
	Audits     auditstypes.QueryClient
	Challenges challengestypes.QueryClient
}

// NewBackend builds the query clients on one gRPC connection (the sidecar's
// chain.Client.Conn()).
func NewBackend(conn grpc.ClientConnInterface) Backend {
	return Backend{
		Comet:      cmtservice.NewServiceClient(conn),
		Bank:       banktypes.NewQueryClient(conn),
		Models:     modelstypes.NewQueryClient(conn),
		Nodes:      nodestypes.NewQueryClient(conn),
		Sessions:   sessionstypes.NewQueryClient(conn),
		Payments:   paymentstypes.NewQueryClient(conn),
		Data:       datatypes.NewQueryClient(conn),
		Audits:     auditstypes.NewQueryClient(conn),
		Challenges: challengestypes.NewQueryClient(conn),
	}
}

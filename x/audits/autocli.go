package audits

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `cortd q audits ...` and `cortd tx audits ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.audits.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Audit",
					Use:            "audit [id]",
					Short:          "Show one audit",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod:      "AuditsBySubject",
					Use:            "subject [subject-module] [subject-id]",
					Short:          "List the audits of one subject",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "subject_module"}, {ProtoField: "subject_id"}},
				},
				{
					RpcMethod: "OpenAudits",
					Use:       "open",
					Short:     "List open (pending or voting) audits",
				},
				{
					RpcMethod:      "AuditsByAuditor",
					Use:            "assigned [auditor]",
					Short:          "List the audits assigned to an auditor (operator account or validator address)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "auditor"}},
				},
				{
					RpcMethod:      "AuditorRecord",
					Use:            "auditor [auditor]",
					Short:          "Show an auditor's record: assigned, passed, reported, missed, upheld, rejected",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "auditor"}},
				},
				{
					RpcMethod: "AuditorRecords",
					Use:       "auditors",
					Short:     "List every auditor record",
				},
				{
					RpcMethod:      "Tally",
					Use:            "tally [audit-id]",
					Short:          "Show the fraud vote tally of an audit (live while voting)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "audit_id"}},
				},
				{
					RpcMethod:      "Votes",
					Use:            "votes [audit-id]",
					Short:          "List the fraud votes on an audit",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "audit_id"}},
				},
				{
					RpcMethod: "Params",
					Use:       "params",
					Short:     "Show the x/audits params",
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "cortd.audits.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "AuditPass",
					Use:            "pass [audit-id]",
					Short:          "Pass an audit assigned to you (sign with the validator's operator key)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "audit_id"}},
				},
				{
					RpcMethod: "ReportFraud",
					Use:       "report-fraud [audit-id] [failed-check]",
					Short:     "Report fraud on an audit assigned to you; opens a validator vote",
					Example: `cortd tx audits report-fraud 7 distance_to_target ` +
						`--figures '{"name":"distance","value":"0.4123"}' --from validator`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "audit_id"}, {ProtoField: "failed_check"}},
				},
				{
					RpcMethod:      "VoteFraud",
					Use:            "vote [audit-id] [option]",
					Short:          "Vote on a fraud report as a bonded validator (VOTE_OPTION_YES or VOTE_OPTION_NO); one vote per validator: a second is refused (ErrAlreadyVoted), and a reporter's report already counts as its YES",
					Example:        "cortd tx audits vote 7 VOTE_OPTION_YES --from validator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "audit_id"}, {ProtoField: "option"}},
				},
				{
					RpcMethod: "UpdateParams",
					Skip:      true, // authority only: submitted through a gov proposal
				},
			},
		},
	}
}

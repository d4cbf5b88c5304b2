package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// Mount registers every JSON endpoint under /api/v1 (and the calendar feed):
// this is the API's one route table. Routes go through s.api.add so the
// OpenAPI document lists them; the comment above each group names the file
// with its handlers. authenticate resolves the caller; it never rejects.
func (s *API) Mount(e *echo.Echo, authenticate echo.MiddlewareFunc) {
	s.defineJobs()
	api := e.Group("/api/v1", authenticate)
	// routes.go, sessions.go
	s.api.add(api, http.MethodGet, "/openapi.json", s.handleOpenAPI, doc{Summary: "This OpenAPI document", Tag: "meta", Public: true})
	s.api.add(api, http.MethodPost, "/auth/login", s.handleLogin, doc{Summary: "Sign in with email and password; sets the session cookie", Tag: "auth",
		Request: loginRequest{}, Response: loginResponse{}, Public: true})

	authed := api.Group("", httpx.RequireAuth)
	// sessions.go
	s.api.add(authed, http.MethodPost, "/auth/logout", s.handleLogout, doc{Summary: "End the current session", Tag: "auth", Status: http.StatusNoContent})
	s.api.add(authed, http.MethodGet, "/me", s.handleMe, doc{Summary: "The signed-in user", Tag: "auth", Response: meResponse{}})
	s.api.add(authed, http.MethodGet, "/tokens", s.handleListTokens, doc{Summary: "List API tokens (your own; admins see all)", Tag: "tokens",
		Response: List[auth.APIToken]{}, Resource: auth.Tokens, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/tokens", s.handleCreateToken, doc{Summary: "Create an API token; the secret is shown once", Tag: "tokens",
		Request: createTokenRequest{}, Response: createTokenResponse{}, Status: http.StatusCreated, Resource: auth.Tokens, Action: auth.Create})
	s.api.add(authed, http.MethodDelete, "/tokens/:id", s.handleRevokeToken, doc{Summary: "Revoke an API token", Tag: "tokens",
		Status: http.StatusNoContent, Resource: auth.Tokens, Action: auth.Delete})

	// org.go (the CRUD resources are defined there, served by crud.go)
	s.sitesCRUD().register(s, authed, "/sites")
	s.teamsCRUD().register(s, authed, "/teams")
	s.channelsCRUD().register(s, authed, "/channels")
	s.queuesCRUD().register(s, authed, "/queues")
	s.agentsCRUD().register(s, authed, "/agents")
	s.specialDaysCRUD().register(s, authed, "/special-days")
	s.usersCRUD().register(s, authed, "/users")
	s.api.add(authed, http.MethodPut, "/users/:id/password", s.handleSetPassword, doc{Summary: "Set a user's password (ends their sessions)",
		Tag: "users", Request: passwordBody{}, Status: http.StatusNoContent, Resource: auth.Users, Action: auth.Update})

	// jobs.go
	s.api.add(authed, http.MethodGet, "/jobs", s.handleListJobs, doc{Summary: "Background jobs and their schedules", Tag: "jobs", Response: []Job{}, Resource: auth.Jobs, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/jobs/runs", s.handleListJobRuns, doc{Summary: "Job runs, newest first (?job= to filter)", Tag: "jobs", Response: List[store.JobRun]{}, Resource: auth.Jobs, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/jobs/runs/:id", s.handleGetJobRun, doc{Summary: "One job run with its progress", Tag: "jobs", Response: store.JobRun{}, Resource: auth.Jobs, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/jobs/runs/:id/cancel", s.handleCancelRun, doc{Summary: "Stop a running job run (a generation, rostering or forecast run); it is recorded as cancelled", Tag: "jobs", Response: store.JobRun{}, Resource: auth.Jobs, Action: auth.Update})
	s.api.add(authed, http.MethodPost, "/jobs/:name/runs", s.handleTriggerJob, doc{Summary: "Run a job now; answers at once with the run to watch", Tag: "jobs", Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Jobs, Action: auth.Create})

	// schedules.go
	s.api.add(authed, http.MethodGet, "/schedules", s.handleListSchedules, doc{Summary: "Shift plan revisions, newest first (?status=, ?plan_id=)", Tag: "schedules", Response: List[store.Schedule]{}, Resource: auth.Schedules, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/schedules", s.handleCreateDraft, doc{Summary: "Create a draft revision from JSON, or from the schedule CLI's CSV (text/csv, with ?name=&timezone=&period_start=&period_end=)", Tag: "schedules", Request: draftRequest{}, Response: store.Schedule{}, Status: http.StatusCreated, Resource: auth.Schedules, Action: auth.Create, BodyLimit: "32M"})
	s.api.add(authed, http.MethodGet, "/schedules/:id", s.handleGetSchedule, doc{Summary: "A revision with its report and changes", Tag: "schedules", Response: store.Schedule{}, Resource: auth.Schedules, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/schedules/:id/shifts", s.handleScheduleShifts, doc{Summary: "A revision's shifts (?agent_id=, ?from=, ?to=)", Tag: "schedules", Response: []calendar.Shift{}, Resource: auth.Schedules, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/schedules/:id/publish", s.handlePublish, doc{Summary: "Publish a draft (send its version as If-Match; accept its rule warnings with a reason); returns what changed for whom", Tag: "schedules", Request: publishRequest{}, Response: publishResponse{}, Resource: auth.Schedules, Action: auth.Update})
	s.api.add(authed, http.MethodGet, "/agents/:id/shifts", s.handleAgentShifts, doc{Summary: "An agent's published shifts in their time zone (?from=, ?to=; default: this week and next)", Tag: "schedules", Response: []localShift{}, Resource: auth.Shifts, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/me/shifts", s.handleMyShifts, doc{Summary: "The signed-in agent's published shifts in their time zone", Tag: "schedules", Response: []localShift{}, Resource: auth.Shifts, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/agents/:id/calendar-feed", s.handleResetFeed, doc{Summary: "Create or reset the agent's secret iCalendar feed URL; the old URL stops working", Tag: "schedules", Response: feedResponse{}, Status: http.StatusCreated, Resource: auth.CalendarFeeds, Action: auth.Create})
	s.api.add(authed, http.MethodDelete, "/agents/:id/calendar-feed", s.handleRevokeFeed, doc{Summary: "Revoke the agent's iCalendar feed", Tag: "schedules", Status: http.StatusNoContent, Resource: auth.CalendarFeeds, Action: auth.Delete})
	e.GET("/calendar/:token", s.handleFeed)

	// schedule_edits.go
	s.api.add(authed, http.MethodPost, "/schedules/:id/shifts", s.handleAddShift, scheduleEditDoc("Add a shift to a draft (If-Match: the draft's version); rules are re-checked", calendar.Shift{}, http.StatusCreated))
	s.api.add(authed, http.MethodPut, "/schedules/:id/shifts/:shift_id", s.handleReplaceShift, scheduleEditDoc("Change a draft's shift or its breaks by hand; rules are re-checked", calendar.Shift{}, 0))
	s.api.add(authed, http.MethodDelete, "/schedules/:id/shifts/:shift_id", s.handleDeleteShift, scheduleEditDoc("Remove a shift from a draft", nil, 0))
	s.api.add(authed, http.MethodGet, "/schedule-comparison", s.handleCompare, doc{Summary: "Two revisions side by side (?left=ID&right=ID): paid hours, agents, rule warnings, and who works differently",
		Tag: "schedules", Response: compareResponse{}, Resource: auth.Schedules, Action: auth.Read})

	// timeoff.go
	s.api.add(authed, http.MethodGet, "/time-off", s.handleListTimeOff, doc{Summary: "Time-off requests you may see (?agent_id=, ?status=)", Tag: "time-off", Response: List[calendar.TimeOff]{}, Resource: auth.TimeOff, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/time-off", s.handleCreateTimeOff, doc{Summary: "Request time off (full days or part of a day, in the agent's zone)", Tag: "time-off", Request: timeOffRequest{}, Response: timeOffView{}, Status: http.StatusCreated, Resource: auth.TimeOff, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/time-off/:id", s.handleGetTimeOff, doc{Summary: "A request with the published shifts it collides with", Tag: "time-off", Response: timeOffView{}, Resource: auth.TimeOff, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/time-off/:id/decision", s.handleDecideTimeOff, doc{Summary: "Approve or deny a pending request", Tag: "time-off", Request: decisionRequest{}, Response: timeOffView{}, Resource: auth.TimeOff, Action: auth.Update})
	s.api.add(authed, http.MethodPost, "/time-off/:id/cancel", s.handleCancelTimeOff, doc{Summary: "Cancel a request that has not started", Tag: "time-off", Response: timeOffView{}, Resource: auth.TimeOff, Action: auth.Delete})

	// swaps.go
	s.api.add(authed, http.MethodGet, "/swaps", s.handleListSwaps, doc{Summary: "Swap offers you may see; agents also see open offers (?status=)", Tag: "swaps", Response: List[calendar.Swap]{}, Resource: auth.Swaps, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/swaps", s.handleOfferSwap, doc{Summary: "Offer one of your published shifts to a colleague (or to anyone who can work it)", Tag: "swaps", Request: swapRequest{}, Response: calendar.Swap{}, Status: http.StatusCreated, Resource: auth.Swaps, Action: auth.Create})
	s.api.add(authed, http.MethodPost, "/swaps/:id/accept", s.handleAcceptSwap, doc{Summary: "Take an offered shift (skills, overlaps and your contract are checked)", Tag: "swaps", Response: calendar.Swap{}, Resource: auth.Swaps, Action: auth.Accept})
	s.api.add(authed, http.MethodPost, "/swaps/:id/decision", s.handleDecideSwap, doc{Summary: "Approve (publishes a new revision) or reject an accepted swap", Tag: "swaps", Request: decisionRequest{}, Response: swapDecisionResponse{}, Resource: auth.Swaps, Action: auth.Update})
	s.api.add(authed, http.MethodPost, "/swaps/:id/cancel", s.handleCancelSwap, doc{Summary: "Withdraw an offer that is not decided", Tag: "swaps", Response: calendar.Swap{}, Resource: auth.Swaps, Action: auth.Delete})

	// forecasts.go
	s.api.add(authed, http.MethodGet, "/history", s.handleHistorySummary, doc{Summary: "What contact history each queue has", Tag: "forecasting", Response: []store.HistorySummary{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/queues/:id/history", s.handleQueueHistory, doc{Summary: "A queue's contact history (?from=, ?to=; at most 366 days, by default the newest year it has)", Tag: "forecasting", Response: []store.HistoryPoint{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/forecast-runs", s.handleRunForecasts, doc{Summary: "Forecast some or all queues now; answers at once with the job run to watch", Tag: "forecasting", Request: forecastRunRequest{}, Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Forecasts, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/queues/:id/forecasts", s.handleListForecasts, doc{Summary: "A queue's forecast versions, newest first, with method and backtest accuracy", Tag: "forecasting", Response: List[store.Forecast]{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/queues/:id/forecasts/:forecast_id/accuracy", s.handleForecastAccuracy, doc{Summary: "A stored forecast against the actuals that have arrived: per interval, per local day, overall WAPE, bias and band coverage", Tag: "forecasting", Response: accuracyView{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/queues/:id/forecast", s.handleGetForecast, doc{Summary: "The latest (or ?version=ID) forecast of a queue, its intervals in ?from=..?to=", Tag: "forecasting", Response: forecastView{}, Resource: auth.Forecasts, Action: auth.Read})

	// acd.go: the live day from the contact center platform
	s.api.add(authed, http.MethodPost, "/acd/agent-events", s.handleAgentEvents, doc{Summary: "Agent state events from the contact center platform, up to 1,000 a batch; bad events are refused one by one, the good ones kept, resent ones (same event_id) change nothing",
		Tag: "live", Request: agentEventsRequest{}, Response: ingestResponse{}, Resource: auth.AgentStates, Action: auth.Create})
	s.api.add(authed, http.MethodPost, "/acd/connect-events", s.handleConnectEvents, doc{Summary: "Amazon Connect agent event stream records as they come from Kinesis ({\"records\": [...]}); heartbeats are skipped",
		Tag: "live", Request: connectEventsRequest{}, Response: ingestResponse{}, Resource: auth.AgentStates, Action: auth.Create})
	s.api.add(authed, http.MethodPost, "/acd/queue-intervals", s.handleQueueIntervals, doc{Summary: "Queue interval actuals (offered, handled, abandoned, handle time, answered within target), JSON or text/csv; a later report of an interval replaces the earlier",
		Tag: "live", Request: queueIntervalsRequest{}, Response: service.IngestResult{}, Resource: auth.AgentStates, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/adherence", s.handleAdherence, doc{Summary: "Adherence and conformance against the published schedule (?from=, ?to=, default the last 12 hours; ?team_id=), and who is out of adherence now",
		Tag: "live", Response: service.AdherenceReport{}, Resource: auth.Adherence, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/adherence/exceptions", s.handleExcuse, doc{Summary: "Excuse an agent's adherence for a stretch of time (an outage, an unplanned meeting), with a reason; audited",
		Tag: "live", Request: exceptionRequest{}, Response: store.AdherenceException{}, Status: http.StatusCreated, Resource: auth.Adherence, Action: auth.Create})

	// live_settings.go
	s.api.add(authed, http.MethodGet, "/live-settings", s.handleLiveSettings, doc{Summary: "How adherence is judged: the grace in minutes, the agent states that keep each scheduled activity in adherence, and Amazon Connect's custom statuses as states",
		Tag: "live", Response: service.LiveSettings{}, Resource: auth.LiveSettings, Action: auth.Read})
	s.api.add(authed, http.MethodPut, "/live-settings", s.handleUpdateLiveSettings, doc{Summary: "Change the live settings (admins; send the version read, 0 for the defaults, in the body or as If-Match); audited",
		Tag: "live", Request: service.LiveSettings{}, Response: service.LiveSettings{}, Resource: auth.LiveSettings, Action: auth.Update})

	// intraday.go
	s.api.add(authed, http.MethodGet, "/queues/:id/intraday", s.handleIntraday, doc{Summary: "A queue's day as it runs: the night's forecast, actuals, the re-forecast of the rest, staff needed vs planned per interval, and suggested break moves, overtime and voluntary time off",
		Tag: "live", Response: service.IntradayView{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/queues/:id/intraday/break-moves", s.handleDecideBreakMove, doc{Summary: "Accept (publishing the plan's next revision with the break moved, short notice) or reject a suggested break move; audited",
		Tag: "live", Request: breakMoveRequest{}, Response: breakMoveResponse{}, Resource: auth.Schedules, Action: auth.Update})
	s.api.add(authed, http.MethodPost, "/queues/:id/intraday/shift-offers", s.handleDecideShiftOffer, doc{Summary: "Record an agent's answer to an overtime or voluntary-time-off offer; accepting publishes the plan's next revision with the shift's end moved (short notice, contract re-checked for overtime); audited",
		Tag: "live", Request: shiftOfferRequest{}, Response: breakMoveResponse{}, Resource: auth.Schedules, Action: auth.Update})

	// history_import.go
	s.api.add(authed, http.MethodPost, "/history/records", s.handleImportHistoryJSON, doc{Summary: "Import contact history as JSON records (ACD integrations); overlapping ranges are replaced; all or nothing",
		Tag: "forecasting", Request: historyImport{}, Response: service.ImportSummary{}, Resource: auth.Forecasts, Action: auth.Create, BodyLimit: "64M"})
	s.api.add(authed, http.MethodPost, "/history", s.handleImportHistoryCSV, doc{Summary: "Import a history CSV (timestamp,channel,timezone,contacts[,aht_seconds][,queue]) as text/csv or multipart \"file\"; bad rows are listed by line and nothing is imported",
		Tag: "forecasting", Response: service.ImportSummary{}, Resource: auth.Forecasts, Action: auth.Create, BodyLimit: "64M"})

	// requirements.go
	s.api.add(authed, http.MethodGet, "/queues/:id/requirements", s.handleRequirements, doc{Summary: "Staffing per interval from the latest (or ?forecast=ID) forecast and the queue's targets (?from=, ?to=)",
		Tag: "staffing", Response: service.Requirements{}, Resource: auth.Requirements, Action: auth.Read})

	// coverage.go
	s.api.add(authed, http.MethodGet, "/schedules/:id/coverage", s.handleCoverage, doc{Summary: "Required vs scheduled staff per interval for ?queue_id=, with projected service level; &simulate=N replays each day N times",
		Tag: "staffing", Response: service.Coverage{}, Resource: auth.Schedules, Action: auth.Read})

	// roster.go
	s.api.add(authed, http.MethodPost, "/schedules/roster", s.handleRoster, doc{Summary: "Roster the agents onto the queues' requirements for a period: a background job that leaves a draft; answers with the run to watch",
		Tag: "schedules", Request: rosterRequest{}, Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Schedules, Action: auth.Create, BodyLimit: "4M"})

	// generate.go

	// shift templates (templates.go)
	tpl := s.templateSets()
	s.api.add(authed, http.MethodGet, "/shift-templates", tpl.handleList, doc{Summary: "Stored shift template sets, by id", Tag: "shift-templates",
		Response: List[store.TemplateSet]{}, Resource: auth.ShiftTemplates, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/shift-templates", tpl.handleCreate, doc{Summary: "Store a shift template set (a unique name and valid templates; 400 lists every bad field)", Tag: "shift-templates",
		Request: store.TemplateSet{}, Response: store.TemplateSet{}, Status: http.StatusCreated, Resource: auth.ShiftTemplates, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/shift-templates/:id", tpl.handleGet, doc{Summary: "A shift template set; its ETag is its version", Tag: "shift-templates",
		Response: store.TemplateSet{}, Resource: auth.ShiftTemplates, Action: auth.Read})
	s.api.add(authed, http.MethodPut, "/shift-templates/:id", func(c echo.Context) error { return replaceTemplateSet(c, tpl) },
		doc{Summary: "Replace a shift template set's name, description and templates (send the version you read, in the body or as If-Match; a stale one gets 409)", Tag: "shift-templates",
			Request: store.TemplateSet{}, Response: store.TemplateSet{}, Resource: auth.ShiftTemplates, Action: auth.Update})
	s.api.add(authed, http.MethodDelete, "/shift-templates/:id", tpl.handleDelete, doc{Summary: "Delete a shift template set; drafts generated from it keep their shifts", Tag: "shift-templates",
		Status: http.StatusNoContent, Resource: auth.ShiftTemplates, Action: auth.Delete})
	s.api.add(authed, http.MethodPost, "/schedules/generate", s.handleGenerate, doc{Summary: "Generate shifts (headcount, no agents) that cover a queue's requirements for a period from inline templates or a stored set: " +
		"a background job that leaves a draft; answers with the run to watch. The run's result has the draft's id and its cost, coverage and stress report; " +
		"read more with GET /schedules/{id}/coverage?queue_id=&simulate=",
		Tag: "schedules", Request: generateRequest{}, Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Schedules, Action: auth.Create, BodyLimit: "4M"})

	// quality.go
	s.api.add(authed, http.MethodGet, "/qa/scorecards", s.handleListScorecards, doc{Summary: "Scorecards: the latest version of each (?archived=true to include archived, ?family_id= for every version of one)", Tag: "qa", Response: List[qa.Scorecard]{}, Resource: auth.Scorecards, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/qa/scorecards", s.handleCreateScorecard, doc{Summary: "Create a scorecard (version 1)", Tag: "qa", Request: scorecardRequest{}, Response: qa.Scorecard{}, Status: http.StatusCreated, Resource: auth.Scorecards, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/qa/scorecards/:id", s.handleGetScorecard, doc{Summary: "One scorecard version", Tag: "qa", Response: qa.Scorecard{}, Resource: auth.Scorecards, Action: auth.Read})
	s.api.add(authed, http.MethodPut, "/qa/scorecards/:id", s.handleUpdateScorecard, doc{Summary: "Edit the latest version: in place while unused, else saved as a new version", Tag: "qa", Request: scorecardRequest{}, Response: qa.Scorecard{}, Resource: auth.Scorecards, Action: auth.Update})
	s.api.add(authed, http.MethodPost, "/qa/scorecards/:id/archive", s.handleArchiveScorecard, doc{Summary: "Archive or restore a scorecard (every version)", Tag: "qa", Request: archiveRequest{}, Response: qa.Scorecard{}, Resource: auth.Scorecards, Action: auth.Update})
	s.api.add(authed, http.MethodPost, "/qa/interactions", s.handleImportInteractions, doc{Summary: "Import interactions with survey answers: JSON {interactions:[...]} or text/csv; idempotent on external_id, all or nothing", Tag: "qa", Request: interactionImport{}, Response: service.InteractionImportSummary{}, Resource: auth.Interactions, Action: auth.Create, BodyLimit: "32M"})
	s.api.add(authed, http.MethodGet, "/qa/interactions", s.handleListInteractions, doc{Summary: "Interactions you may see (?agent_id=, ?channel=, ?from=, ?to=)", Tag: "qa", Response: List[qa.Contact]{}, Resource: auth.Interactions, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/interactions/:id", s.handleGetInteraction, doc{Summary: "One interaction with its transcript", Tag: "qa", Response: qa.Contact{}, Resource: auth.Interactions, Action: auth.Read})

	// evaluations.go
	s.api.add(authed, http.MethodGet, "/qa/evaluations", s.handleListEvaluations, doc{Summary: "Evaluations you may see (?state=, ?agent_id=, ?reviewer=me); agents see only their released ones", Tag: "qa", Response: List[qa.Evaluation]{}, Resource: auth.Evaluations, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/qa/evaluations", s.handleCreateEvaluation, doc{Summary: "Assign an interaction to a reviewer as a draft evaluation", Tag: "qa", Request: createEvaluationRequest{}, Response: qa.Evaluation{}, Status: http.StatusCreated, Resource: auth.Evaluations, Action: auth.Create})
	s.api.add(authed, http.MethodPost, "/qa/assignments", s.handleAssign, doc{Summary: "Draw a week's random sample per agent and assign it across reviewers as drafts (reproducible with a seed)", Tag: "qa", Request: assignmentRequest{}, Response: List[qa.Evaluation]{}, Status: http.StatusCreated, Resource: auth.Evaluations, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/qa/evaluations/:id", s.handleGetEvaluation, doc{Summary: "An evaluation with its scorecard version and interaction", Tag: "qa", Response: evaluationView{}, Resource: auth.Evaluations, Action: auth.Read})
	s.api.add(authed, http.MethodPut, "/qa/evaluations/:id", s.handleScoreEvaluation, doc{Summary: "Save answers and comments (a submitted score needs a reason and is audited; a released one changes only through a dispute)", Tag: "qa", Request: scoreRequest{}, Response: qa.Evaluation{}, Resource: auth.Evaluations, Action: auth.Update})
	for _, action := range []string{"submit", "release"} {
		s.api.add(authed, http.MethodPost, "/qa/evaluations/:id/"+action, s.handleEvaluationTransition(action), doc{Summary: strings.ToUpper(action[:1]) + action[1:] + " the evaluation", Tag: "qa", Request: transitionRequest{}, Response: qa.Evaluation{}, Resource: auth.Evaluations, Action: auth.Update})
	}
	s.api.add(authed, http.MethodPost, "/qa/evaluations/:id/acknowledge", s.handleEvaluationTransition("acknowledge"), doc{Summary: "The agent acknowledges a released evaluation", Tag: "qa", Request: transitionRequest{}, Response: qa.Evaluation{}, Resource: auth.Evaluations, Action: auth.Accept})
	s.api.add(authed, http.MethodGet, "/qa/evaluations/:id/history", s.handleEvaluationHistory, doc{Summary: "Every change of the evaluation: who, when, before, after, why", Tag: "qa", Response: []store.AuditEvent{}, Resource: auth.Evaluations, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/qa/evaluations/:id/disputes", s.handleCreateDispute, doc{Summary: "Dispute criteria of your released evaluation (within the window, a limited number of times)", Tag: "qa", Request: disputeRequest{}, Response: qa.Dispute{}, Status: http.StatusCreated, Resource: auth.Disputes, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/qa/disputes", s.handleListDisputes, doc{Summary: "Disputes you may see (?state=open for the inbox)", Tag: "qa", Response: List[qa.Dispute]{}, Resource: auth.Disputes, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/disputes/:id", s.handleGetDispute, doc{Summary: "One dispute", Tag: "qa", Response: qa.Dispute{}, Resource: auth.Disputes, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/qa/disputes/:id/decision", s.handleDecideDispute, doc{Summary: "Accept, partly accept or reject a dispute with a reason; the score changes accordingly and is audited", Tag: "qa", Request: disputeDecisionRequest{}, Response: qa.Dispute{}, Resource: auth.Disputes, Action: auth.Update})

	// calibrations.go
	s.api.add(authed, http.MethodPost, "/qa/calibrations", s.handleCreateCalibration, doc{Summary: "Open a calibration session: each reviewer scores the same interactions blind", Tag: "qa", Request: calibrationRequest{}, Response: calibrationView{}, Status: http.StatusCreated, Resource: auth.Calibrations, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/qa/calibrations", s.handleListCalibrations, doc{Summary: "Calibration sessions", Tag: "qa", Response: List[qa.CalibrationSession]{}, Resource: auth.Calibrations, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/calibrations/:id", s.handleGetCalibration, doc{Summary: "A session with your entries, and everyone's once you have submitted yours", Tag: "qa", Response: calibrationView{}, Resource: auth.Calibrations, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/calibrations/:id/report", s.handleCalibrationReport, doc{Summary: "Deviation from the reference per reviewer and criterion, mean absolute deviation, share within 5 points, Krippendorff's alpha", Tag: "qa", Response: service.CalibrationReport{}, Resource: auth.Calibrations, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/qa/calibrations/:id/close", s.handleCloseCalibration, doc{Summary: "Close the session: everyone may see all entries", Tag: "qa", Request: transitionRequest{}, Response: qa.CalibrationSession{}, Resource: auth.Calibrations, Action: auth.Update})

	// coaching.go
	s.api.add(authed, http.MethodPost, "/qa/coaching", s.handleCreateCoaching, doc{Summary: "Plan a coaching session for an agent (from an evaluation and criteria, or as a follow-up)", Tag: "qa", Request: coachingRequest{}, Response: coachingView{}, Status: http.StatusCreated, Resource: auth.Coaching, Action: auth.Create})
	s.api.add(authed, http.MethodGet, "/qa/coaching", s.handleListCoaching, doc{Summary: "Coaching sessions you may see (?agent_id=, ?state=, ?overdue=true for the supervisor's overdue list)", Tag: "qa", Response: List[coachingView]{}, Resource: auth.Coaching, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/coaching/:id", s.handleGetCoaching, doc{Summary: "A session with its notes (agents see shared notes only)", Tag: "qa", Response: coachingView{}, Resource: auth.Coaching, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/qa/coaching/:id/notes", s.handleAddCoachingNote, doc{Summary: "Add a note, private to coaches or shared with the agent", Tag: "qa", Request: noteRequest{}, Response: coachingView{}, Status: http.StatusCreated, Resource: auth.Coaching, Action: auth.Update})
	for _, action := range []string{qa.ActionHold, qa.ActionCancel} {
		s.api.add(authed, http.MethodPost, "/qa/coaching/:id/"+action, s.handleCoachingTransition(action), doc{Summary: "Mark the session " + map[string]string{qa.ActionHold: "held", qa.ActionCancel: "cancelled"}[action], Tag: "qa", Request: transitionRequest{}, Response: coachingView{}, Resource: auth.Coaching, Action: auth.Update})
	}
	s.api.add(authed, http.MethodPost, "/qa/coaching/:id/acknowledge", s.handleCoachingTransition(qa.ActionAcknowledge), doc{Summary: "The agent acknowledges a held session", Tag: "qa", Request: transitionRequest{}, Response: coachingView{}, Resource: auth.Coaching, Action: auth.Accept})

	// coaching_booking.go
	s.api.add(authed, http.MethodPost, "/qa/coaching/:id/book", s.handleBookCoaching, doc{Summary: "Book a planned session into the agent's published schedule as paid off-queue time in the quietest free slot before it is due; publishes the plan's next revision",
		Tag: "qa", Request: bookRequest{}, Response: coachingView{}, Resource: auth.Coaching, Action: auth.Update})

	// qa_trends.go
	s.api.add(authed, http.MethodGet, "/qa/trends", s.handleTrends, doc{Summary: "Weekly QA score, pass rate, critical and auto-fail counts, CSAT and NPS, and per-criterion means, per agent-local week (?agent_id= or ?team_id=, ?from=, ?to=)", Tag: "qa", Response: service.Trends{}, Resource: auth.QATrends, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/metrics", s.handleQAMetrics, doc{Summary: "CSAT, NPS, CES, FCR, AHT and resolution time per agent, team or queue (?group=, ?from=, ?to=, ?fcr_window_days=)", Tag: "qa", Response: []service.MetricsRow{}, Resource: auth.QATrends, Action: auth.Read})
	s.api.add(authed, http.MethodGet, "/qa/reviewer-stats", s.handleReviewerStats, doc{Summary: "Per reviewer: evaluations, mean score given, calibration deviation (?from=, ?to=)", Tag: "qa", Response: []service.ReviewerStats{}, Resource: auth.Calibrations, Action: auth.Read})
}

func (s *API) handleOpenAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, s.api.Document())
}

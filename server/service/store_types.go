package service

import "github.com/peakwise/peakwise/server/store"

// The store's read models and filters the pages name. They are aliases, not
// copies: the pages (server/web) may not import the store, and a second set
// of structs would only be converted field by field.
type (
	APITokenFilter   = store.APITokenFilter
	AgentFilter      = store.AgentFilter
	AuditEvent       = store.AuditEvent
	CoachingFilter   = store.CoachingFilter
	ContactFilter    = store.ContactFilter
	DisputeFilter    = store.DisputeFilter
	EvaluationFilter = store.EvaluationFilter
	Forecast         = store.Forecast
	ForecastPoint    = store.ForecastPoint
	HistorySummary   = store.HistorySummary
	JobRun           = store.JobRun
	JobRunFilter     = store.JobRunFilter
	Page             = store.Page
	Schedule         = store.Schedule
	ScheduleFilter   = store.ScheduleFilter
	ScorecardFilter  = store.ScorecardFilter
	ShiftEdit        = store.ShiftEdit
	ShiftFilter      = store.ShiftFilter
	SpecialDayFilter = store.SpecialDayFilter
	SwapFilter       = store.SwapFilter
	TeamFilter       = store.TeamFilter
	TemplateSet      = store.TemplateSet
	TimeOffFilter    = store.TimeOffFilter
	UserFilter       = store.UserFilter
)

// Job run and schedule states the pages compare against.
const (
	JobRunning        = store.JobRunning
	JobSucceeded      = store.JobSucceeded
	ScheduleDraft     = store.ScheduleDraft
	SchedulePublished = store.SchedulePublished
)

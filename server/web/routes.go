package web

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/peakwise/peakwise/ui"
)

// Mount registers every page: server-rendered pages over the same use cases
// and authorization as the API. authenticate resolves the caller (it never
// rejects); signed-out visitors of signed-in pages go to the sign-in page.
// Each handler lives in the file named after the template it renders.
func (s *Handler) Mount(e *echo.Echo, authenticate echo.MiddlewareFunc) {
	e.StaticFS("/static", ui.Static())
	web := e.Group("", authenticate)
	web.GET("/", s.webRoot)
	web.GET("/login", s.webLoginForm)
	web.POST("/login", s.webLogin)
	g := web.Group("", s.requirePage)
	g.POST("/logout", s.webLogout)

	// me.html
	g.GET("/me", s.webMe)
	g.POST("/me/time-off", s.webRequestTimeOff)
	g.POST("/me/time-off/:id/cancel", s.webCancelTimeOff)
	g.POST("/me/calendar-feed", s.webResetFeed)
	g.GET("/me/today", s.webMyDay) // me_today.go

	// planner*.html
	g.GET("/planner", s.webPlanner)
	g.GET("/planner/queues/:id", s.webQueue)
	g.POST("/planner/queues/:id/forecast", s.webForecastQueue)
	g.GET("/planner/queues/:id/requirements", s.webRequirements) // planner_requirements.go
	g.GET("/planner/history", s.webHistoryForm)
	// The upload is limited before the CSRF check reads the multipart body.
	e.POST("/planner/history", s.webImportHistory, middleware.BodyLimit("64M"), authenticate, s.requirePage)
	g.GET("/planner/coverage", s.webCoverage)
	g.GET("/planner/schedules", s.webSchedules)
	g.POST("/planner/schedules/generate", s.webGenerate)
	g.GET("/planner/runs/:id", s.webRun)
	g.POST("/planner/runs/:id/cancel", s.webCancelRun)
	g.GET("/planner/schedules/:id", s.webSchedule)
	g.POST("/planner/schedules/:id/publish", s.webPublish)
	g.POST("/planner/schedules/:id/drafts", s.webNewDraft) // planner_schedule_edits.go
	g.POST("/planner/schedules/:id/shifts", s.webAddShift)
	g.GET("/planner/schedules/:id/shifts/:shift_id", s.webShiftForm)
	g.POST("/planner/schedules/:id/shifts/:shift_id", s.webEditShift)
	g.GET("/planner/templates", s.webTemplateSets)        // planner_templates.go
	g.GET("/planner/templates/:id", s.webTemplateSetForm) // planner_template.go; :id is "new" for a new set
	g.POST("/planner/templates/:id", s.webSaveTemplateSet)
	g.POST("/planner/templates/:id/delete", s.webDeleteTemplateSet)
	g.GET("/planner/compare", s.webCompare)
	g.GET("/planner/intraday/:id", s.webIntraday)
	g.POST("/planner/intraday/:id/moves", s.webDecideBreakMove)
	g.POST("/planner/intraday/:id/offers", s.webDecideShiftOffer)
	g.GET("/planner/jobs", s.webJobs)
	g.POST("/planner/jobs/:name/runs", s.webTriggerJob)

	// live.html
	g.GET("/live", s.webLive)
	g.GET("/live/events", s.webLiveEvents) // live_events.go: the board's change stream
	// team.html
	g.GET("/team", s.webTeam)
	g.POST("/team/time-off/:id", s.webDecideTimeOff)
	// swaps.html
	g.GET("/swaps", s.webSwaps)
	g.POST("/swaps", s.webOfferSwap)
	g.POST("/swaps/:id/accept", s.webAcceptSwap)
	g.POST("/swaps/:id/cancel", s.webCancelSwap)
	g.POST("/swaps/:id/decision", s.webDecideSwap)

	// qa*.html
	g.GET("/qa", s.webQA)
	g.GET("/qa/evaluations/:id", s.webEvaluation)
	g.POST("/qa/evaluations/:id", s.webSaveEvaluation)
	g.POST("/qa/evaluations/:id/preview", s.webPreviewScore)
	g.POST("/qa/evaluations/:id/dispute", s.webDispute)
	g.POST("/qa/disputes/:id/decide", s.webDecideDispute)
	g.GET("/qa/coaching/new", s.webNewCoaching)
	g.POST("/qa/coaching", s.webCreateCoaching)
	g.GET("/qa/coaching/:id", s.webCoaching)
	g.POST("/qa/coaching/:id", s.webCoachingAction)
	g.GET("/qa/interactions", s.webInteractions)
	g.GET("/qa/interactions/:id", s.webInteraction)
	g.POST("/qa/interactions/:id/evaluate", s.webAssignInteraction)
	g.GET("/qa/calibrations/new", s.webNewCalibration)
	g.POST("/qa/calibrations", s.webCreateCalibration)
	g.GET("/qa/calibrations/:id", s.webCalibration)
	g.GET("/qa/trends", s.webTrends)
	g.GET("/qa/scorecards", s.webScorecards)
	g.GET("/qa/scorecards/:id/edit", s.webEditScorecard)
	g.POST("/qa/scorecards/:id/edit", s.webSaveScorecard)
	g.GET("/me/quality", s.webMyQuality)
	g.GET("/team/quality", s.webTeamQuality)

	// admin.html
	g.GET("/admin", s.webAdmin)
	g.POST("/admin/users", s.webCreateUser)
	g.POST("/admin/users/:id", s.webUpdateUser)
	g.POST("/admin/teams", s.webCreateTeam)
	g.POST("/admin/teams/:id", s.webUpdateTeam)
	g.POST("/admin/tokens", s.webCreateToken)
	g.POST("/admin/tokens/:id/revoke", s.webRevokeToken)
	g.GET("/admin/live", s.webLiveSettings) // admin_live.go
	g.POST("/admin/live", s.webSaveLiveSettings)

	// admin_records.html: list, add, edit and delete of the organisation's
	// records, one kind per file (admin_sites.go, ...).
	mountRecords(g, s, sitesKind(s.svc))
	mountRecords(g, s, channelsKind(s.svc))
	mountRecords(g, s, queuesKind(s.svc))
	mountRecords(g, s, specialDaysKind(s.svc))
	mountRecords(g, s, agentsKind(s.svc))
}

package server

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// TrendWeek is one week of QA and survey results.
type TrendWeek struct {
	WeekStart     string   `json:"week_start"` // local Monday, YYYY-MM-DD
	Evaluations   int      `json:"evaluations"`
	MeanScore     *float64 `json:"mean_score"` // mean total of scored evaluations, 0-100
	PassRate      *float64 `json:"pass_rate"`  // percent of pass among pass and fail
	CriticalFails int      `json:"critical_fails"`
	AutoFails     int      `json:"auto_fails"`
	CSAT          *float64 `json:"csat"` // percent 4-5 of 5
	CSATResponses int      `json:"csat_responses"`
	NPS           *float64 `json:"nps"`
	NPSResponses  int      `json:"nps_responses"`
}

// CriterionWeek is one criterion's mean score in one week.
type CriterionWeek struct {
	WeekStart string   `json:"week_start"`
	N         int      `json:"n"`
	Mean      *float64 `json:"mean"`
}

// CriterionTrend is one criterion's weekly means, by its stable key.
type CriterionTrend struct {
	Key   string          `json:"key"`
	Weeks []CriterionWeek `json:"weeks"`
}

// Trends is the answer of the trends endpoint.
type Trends struct {
	AgentID *int64 `json:"agent_id,omitempty"`
	TeamID  *int64 `json:"team_id,omitempty"`
	// WeekClock says how weeks are cut: on each agent's own local clock,
	// Monday to Sunday, so an agent's week is the one they worked.
	WeekClock string           `json:"week_clock"`
	Weeks     []TrendWeek      `json:"weeks"`
	Criteria  []CriterionTrend `json:"criteria"`
}

// MetricsRow is the survey and handling metrics of one group.
type MetricsRow struct {
	Group string `json:"group"` // agent, team or queue id ("" for none)
	Name  string `json:"name"`
	qa.Metrics
}

// ReviewerStats is one reviewer's output and calibration agreement.
type ReviewerStats struct {
	ReviewerID int64    `json:"reviewer_id"`
	Name       string   `json:"name"`
	Volume     int      `json:"volume"`
	MeanScore  *float64 `json:"mean_score_given"`
	// CalibrationMAD is the mean absolute deviation of the reviewer's totals
	// from the reference over closed calibration sessions; nil without any.
	CalibrationMAD   *float64 `json:"calibration_mad"`
	CalibrationItems int      `json:"calibration_items"`
}

func (s *Server) qaTrendRoutes(g *echo.Group) {
	tag := "qa"
	s.api.add(g, http.MethodGet, "/qa/trends", s.handleTrends, doc{Summary: "Weekly QA score, pass rate, critical and auto-fail counts, CSAT and NPS, and per-criterion means, per agent-local week (?agent_id= or ?team_id=, ?from=, ?to=)", Tag: tag, Response: Trends{}, Resource: auth.QATrends, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/metrics", s.handleQAMetrics, doc{Summary: "CSAT, NPS, CES, FCR, AHT and resolution time per agent, team or queue (?group=, ?from=, ?to=, ?fcr_window_days=)", Tag: tag, Response: []MetricsRow{}, Resource: auth.QATrends, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/reviewer-stats", s.handleReviewerStats, doc{Summary: "Per reviewer: evaluations, mean score given, calibration deviation (?from=, ?to=)", Tag: tag, Response: []ReviewerStats{}, Resource: auth.Calibrations, Action: auth.Read})
}

// trendScope settles whose results a trend request reads: one agent, one
// team, or everything p reaches. It returns nil agent and team lists for
// "everyone".
func (s *Server) trendScope(c echo.Context, p auth.Principal) (agentIDs, teamIDs []int64, out Trends, err error) {
	ctx := c.Request().Context()
	scope := p.ScopeOf(auth.QATrends, auth.Read)
	if v := c.QueryParam("agent_id"); v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return nil, nil, out, fault.Errorf(fault.Invalid, "agent_id must be a number")
		}
		a, ferr := s.store.FindAgentByID(ctx, id)
		if ferr != nil {
			return nil, nil, out, ferr
		}
		if err = p.AllowObject(auth.QATrends, auth.Read, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
			return nil, nil, out, err
		}
		out.AgentID = &a.ID
		return []int64{a.ID}, nil, out, nil
	}
	if v := c.QueryParam("team_id"); v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return nil, nil, out, fault.Errorf(fault.Invalid, "team_id must be a number")
		}
		if scope != auth.All && !(scope == auth.Team && slices.Contains(p.TeamIDs, id)) {
			return nil, nil, out, fault.Errorf(fault.NotFound, "team not found")
		}
		out.TeamID = &id
		return nil, []int64{id}, out, nil
	}
	switch scope {
	case auth.All:
		return nil, nil, out, nil
	case auth.Team:
		return nil, append([]int64{}, p.TeamIDs...), out, nil
	case auth.Own:
		if p.User.AgentID == nil {
			return []int64{}, nil, out, nil
		}
		out.AgentID = p.User.AgentID
		return []int64{*p.User.AgentID}, nil, out, nil
	}
	return nil, nil, out, fault.Errorf(fault.Forbidden, "your role (%s) may not read qa-trends", p.User.Role)
}

// trendWindow reads from/to (default: the last 12 weeks), at most five years.
func (s *Server) trendWindow(c echo.Context) (from, to time.Time, err error) {
	if from, to, err = timeRange(c, time.Time{}, time.Time{}); err != nil {
		return
	}
	if to.IsZero() {
		to = s.now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -84)
	}
	if to.Sub(from) > 5*366*24*time.Hour {
		err = &fault.Error{Code: fault.Invalid, Message: "bad time range", Fields: map[string]string{"from": "the range may span at most five years"}}
	}
	return
}

func (s *Server) handleTrends(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	out, err := s.trends(c, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// trends reads the trend request's scope and window and aggregates it.
func (s *Server) trends(c echo.Context, p auth.Principal) (Trends, error) {
	agentIDs, teamIDs, out, err := s.trendScope(c, p)
	if err != nil {
		return out, err
	}
	from, to, err := s.trendWindow(c)
	if err != nil {
		return out, err
	}
	weeks, crit, surveys, err := s.store.TrendTotals(c.Request().Context(), store.TrendFilter{AgentIDs: agentIDs, TeamIDs: teamIDs, From: from, To: to})
	if err != nil {
		return out, err
	}
	out.WeekClock = "each agent's local clock, weeks start Monday"
	out.Weeks, out.Criteria = BuildTrends(weeks, crit, surveys)
	return out, nil
}

// BuildTrends turns weekly totals into rates and means: mean score over
// scored evaluations, pass rate over pass and fail, CSAT as the share of
// 4-5 answers, NPS as promoters minus detractors, all in percent.
func BuildTrends(weeks []store.WeekTotals, crit []store.CriterionWeekTotals, surveys []store.SurveyWeekTotals) ([]TrendWeek, []CriterionTrend) {
	byWeek := map[string]*TrendWeek{}
	get := func(k string) *TrendWeek {
		if byWeek[k] == nil {
			byWeek[k] = &TrendWeek{WeekStart: k}
		}
		return byWeek[k]
	}
	for _, w := range weeks {
		tw := get(w.Week)
		tw.Evaluations, tw.CriticalFails, tw.AutoFails = w.Evaluations, w.CriticalFails, w.AutoFails
		if w.Scored > 0 {
			tw.MeanScore = round2p(w.SumTotal / float64(w.Scored))
		}
		if w.Decided > 0 {
			tw.PassRate = round2p(100 * float64(w.Passed) / float64(w.Decided))
		}
	}
	for _, sv := range surveys {
		tw := get(sv.Week)
		tw.CSATResponses, tw.NPSResponses = sv.CSAT, sv.NPS
		if sv.CSAT > 0 {
			tw.CSAT = round2p(100 * float64(sv.CSATHigh) / float64(sv.CSAT))
		}
		if sv.NPS > 0 {
			tw.NPS = round2p(100 * float64(sv.NPSPromoters-sv.NPSDetractors) / float64(sv.NPS))
		}
	}
	keys := make([]string, 0, len(byWeek))
	for k := range byWeek {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]TrendWeek, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byWeek[k])
	}
	criteria := []CriterionTrend{}
	for _, ct := range crit {
		if len(criteria) == 0 || criteria[len(criteria)-1].Key != ct.Criterion {
			criteria = append(criteria, CriterionTrend{Key: ct.Criterion, Weeks: []CriterionWeek{}})
		}
		last := &criteria[len(criteria)-1]
		last.Weeks = append(last.Weeks, CriterionWeek{WeekStart: ct.Week, N: ct.N, Mean: round2p(ct.Sum / float64(ct.N))})
	}
	return out, criteria
}

// round2p rounds half away from zero to 2 decimals.
func round2p(v float64) *float64 {
	r := float64(int64(v*100+copysignHalf(v))) / 100
	return &r
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

func (s *Server) handleQAMetrics(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	agentIDs, teamIDs, _, err := s.trendScope(c, p)
	if err != nil {
		return err
	}
	from, to, err := s.trendWindow(c)
	if err != nil {
		return err
	}
	window := 7 * 24 * time.Hour
	if v := c.QueryParam("fcr_window_days"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 1 || d > 90 {
			return &fault.Error{Code: fault.Invalid, Message: "bad FCR window", Fields: map[string]string{"fcr_window_days": "must be 1 to 90"}}
		}
		window = time.Duration(d) * 24 * time.Hour
	}
	group := c.QueryParam("group")
	if group == "" {
		group = "agent"
	}
	if group != "agent" && group != "team" && group != "queue" {
		return &fault.Error{Code: fault.Invalid, Message: "bad grouping", Fields: map[string]string{"group": "must be agent, team or queue"}}
	}
	if p.ScopeOf(auth.QATrends, auth.Read) == auth.Own && group != "agent" {
		return fault.Errorf(fault.Forbidden, "agents see their own metrics only (group=agent)")
	}
	ctx := c.Request().Context()
	// Follow-up contacts of any agent count against FCR, so read everyone's
	// contacts up to one window past the range.
	all, _, err := s.store.FindContacts(ctx, store.ContactFilter{From: from, To: to.Add(window), All: true})
	if err != nil {
		return err
	}
	inScope, err := s.scopeFilter(ctx, agentIDs, teamIDs)
	if err != nil {
		return err
	}
	names, err := s.groupNames(ctx, group)
	if err != nil {
		return err
	}
	byExt := map[string]qa.Contact{}
	keys := map[string]bool{}
	views := make([]qa.Interaction, len(all))
	for i, ct := range all {
		byExt[ct.ExternalID] = ct
		views[i] = contactInteraction(ct, "")
		if !ct.StartedAt.Before(from) && ct.StartedAt.Before(to) && inScope(ct) {
			keys[groupKey(group, ct)] = true
		}
	}
	rows := []MetricsRow{}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		m := qa.Summarize(views, func(in qa.Interaction) bool {
			ct := byExt[in.ExternalID]
			return !ct.StartedAt.Before(from) && ct.StartedAt.Before(to) && inScope(ct) && groupKey(group, ct) == k
		}, window)
		rows = append(rows, MetricsRow{Group: k, Name: names[k], Metrics: m})
	}
	return c.JSON(http.StatusOK, rows)
}

// scopeFilter returns a test for contacts inside the agent or team lists
// (nil lists: everything).
func (s *Server) scopeFilter(ctx context.Context, agentIDs, teamIDs []int64) (func(qa.Contact) bool, error) {
	switch {
	case agentIDs != nil:
		return func(ct qa.Contact) bool { return slices.Contains(agentIDs, ct.AgentID) }, nil
	case teamIDs != nil:
		return func(ct qa.Contact) bool { return ct.TeamID != nil && slices.Contains(teamIDs, *ct.TeamID) }, nil
	}
	return func(qa.Contact) bool { return true }, nil
}

func groupKey(group string, ct qa.Contact) string {
	var id *int64
	switch group {
	case "agent":
		id = &ct.AgentID
	case "team":
		id = ct.TeamID
	case "queue":
		id = ct.QueueID
	}
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// groupNames maps group ids to display names.
func (s *Server) groupNames(ctx context.Context, group string) (map[string]string, error) {
	names := map[string]string{}
	switch group {
	case "agent":
		agents, err := s.svc.AllAgents(ctx)
		for _, a := range agents {
			names[itoa64(a.ID)] = a.Name
		}
		return names, err
	case "team":
		teams, _, err := s.store.FindTeams(ctx, store.TeamFilter{Page: store.Page{Limit: 500}})
		for _, t := range teams {
			names[itoa64(t.ID)] = t.Name
		}
		return names, err
	default:
		queues, _, err := s.store.FindQueues(ctx, store.Page{Limit: 500})
		for _, q := range queues {
			names[itoa64(q.ID)] = q.Name
		}
		return names, err
	}
}

func (s *Server) handleReviewerStats(c echo.Context) error {
	if err := principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return err
	}
	from, to, err := s.trendWindow(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	totals, err := s.store.FindReviewerTotals(ctx, from, to)
	if err != nil {
		return err
	}
	stats := map[int64]*ReviewerStats{}
	get := func(id int64) *ReviewerStats {
		if stats[id] == nil {
			stats[id] = &ReviewerStats{ReviewerID: id}
		}
		return stats[id]
	}
	for _, t := range totals {
		st := get(t.ReviewerID)
		st.Volume = t.Volume
		if t.Scored > 0 {
			st.MeanScore = round2p(t.SumTotal / float64(t.Scored))
		}
	}
	if err := s.addCalibrationDeviation(ctx, from, to, get); err != nil {
		return err
	}
	out := make([]ReviewerStats, 0, len(stats))
	for id, st := range stats {
		if u, err := s.store.FindUserByID(ctx, id); err == nil {
			st.Name = u.Name
		}
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ReviewerID < out[j].ReviewerID })
	return c.JSON(http.StatusOK, out)
}

// addCalibrationDeviation adds each reviewer's mean absolute deviation over
// the closed calibration sessions created in [from, to).
func (s *Server) addCalibrationDeviation(ctx context.Context, from, to time.Time, get func(int64) *ReviewerStats) error {
	type mad struct {
		sum float64
		n   int
	}
	acc := map[int64]*mad{}
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		sessions, total, err := s.store.FindCalibrations(ctx, page)
		if err != nil {
			return err
		}
		for _, cs := range sessions {
			if cs.State != qa.CalibrationClosed || cs.CreatedAt.Before(from) || !cs.CreatedAt.Before(to) {
				continue
			}
			entries, err := s.svc.CalibrationEntries(ctx, cs.ID)
			if err != nil {
				return err
			}
			sc, err := s.store.FindScorecardByID(ctx, cs.ScorecardID)
			if err != nil {
				return err
			}
			for _, d := range service.BuildCalibrationReport(cs, sc, entries).Reviewers {
				id, err := strconv.ParseInt(d.Reviewer, 10, 64)
				if err != nil || d.N == 0 {
					continue
				}
				if acc[id] == nil {
					acc[id] = &mad{}
				}
				acc[id].sum += d.MeanAbsDeviation * float64(d.N)
				acc[id].n += d.N
			}
		}
		if page.Offset+page.Limit >= total {
			break
		}
	}
	for id, m := range acc {
		st := get(id)
		st.CalibrationMAD, st.CalibrationItems = round2p(m.sum/float64(m.n)), m.n
	}
	return nil
}

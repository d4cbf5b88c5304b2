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
	AgentID  *int64           `json:"agent_id,omitempty"`
	TeamID   *int64           `json:"team_id,omitempty"`
	Timezone string           `json:"timezone"`
	Weeks    []TrendWeek      `json:"weeks"`
	Criteria []CriterionTrend `json:"criteria"`
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
	s.api.add(g, http.MethodGet, "/qa/trends", s.handleTrends, doc{Summary: "Weekly QA score, pass rate, critical and auto-fail counts, CSAT and NPS, and per-criterion means (?agent_id= or ?team_id=, ?from=, ?to=, ?timezone=)", Tag: tag, Response: Trends{}, Resource: auth.QATrends, Action: auth.Read})
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

// trendWindow reads from/to (default: the last 12 weeks) and the time zone
// weeks are cut in (default UTC).
func (s *Server) trendWindow(c echo.Context) (from, to time.Time, loc *time.Location, err error) {
	loc = time.UTC
	if tz := c.QueryParam("timezone"); tz != "" {
		if loc, err = time.LoadLocation(tz); err != nil {
			return from, to, nil, &fault.Error{Code: fault.Invalid, Message: "unknown time zone", Fields: map[string]string{"timezone": "must be an IANA zone such as Europe/Berlin"}}
		}
	}
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

// localWeek returns the local Monday of t's week.
func localWeek(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)).Format(time.DateOnly)
}

func (s *Server) handleTrends(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	agentIDs, teamIDs, out, err := s.trendScope(c, p)
	if err != nil {
		return err
	}
	from, to, loc, err := s.trendWindow(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	evals, details, err := s.store.FindScoredEvaluations(ctx, store.TrendFilter{AgentIDs: agentIDs, TeamIDs: teamIDs, From: from, To: to, WithCriteria: true})
	if err != nil {
		return err
	}
	contacts, err := s.trendContacts(ctx, agentIDs, teamIDs, from, to)
	if err != nil {
		return err
	}
	out.Timezone = loc.String()
	out.Weeks, out.Criteria = BuildTrends(evals, details, contacts, loc)
	return c.JSON(http.StatusOK, out)
}

// trendContacts loads the interactions whose surveys go beside the scores.
func (s *Server) trendContacts(ctx context.Context, agentIDs, teamIDs []int64, from, to time.Time) ([]qa.Contact, error) {
	if teamIDs != nil {
		agents, _, err := s.store.FindAgents(ctx, store.AgentFilter{TeamIDs: teamIDs, Page: store.Page{Limit: 500}})
		if err != nil {
			return nil, err
		}
		agentIDs = []int64{}
		for _, a := range agents {
			agentIDs = append(agentIDs, a.ID)
		}
	}
	cs, _, err := s.store.FindContacts(ctx, store.ContactFilter{AgentIDs: agentIDs, From: from, To: to, All: true})
	return cs, err
}

// BuildTrends buckets counted evaluations and survey answers by local week.
// details[i], when given, holds evaluation i's per-criterion results.
func BuildTrends(evals []store.ScoredEvaluation, details []*qa.Result, contacts []qa.Contact, loc *time.Location) ([]TrendWeek, []CriterionTrend) {
	type acc struct {
		TrendWeek
		sum            float64
		scored, passed int
		decided        int
		csatHi, npsPro int
		npsDet         int
	}
	weeks := map[string]*acc{}
	get := func(k string) *acc {
		if weeks[k] == nil {
			weeks[k] = &acc{TrendWeek: TrendWeek{WeekStart: k}}
		}
		return weeks[k]
	}
	type critAcc struct {
		sum float64
		n   int
	}
	crit := map[string]map[string]*critAcc{}
	for i, e := range evals {
		w := get(localWeek(e.ScoredAt, loc))
		w.Evaluations++
		if e.Total != nil {
			w.sum += *e.Total
			w.scored++
		}
		switch e.Outcome {
		case qa.Pass:
			w.passed++
			w.decided++
		case qa.Fail:
			w.decided++
		}
		if e.CriticalFailed {
			w.CriticalFails++
		}
		if e.AutoFailed {
			w.AutoFails++
		}
		if details == nil || details[i] == nil {
			continue
		}
		for _, sec := range details[i].Sections {
			for _, cr := range sec.Criteria {
				if cr.Score == nil {
					continue
				}
				if crit[cr.Key] == nil {
					crit[cr.Key] = map[string]*critAcc{}
				}
				ca := crit[cr.Key][w.WeekStart]
				if ca == nil {
					ca = &critAcc{}
					crit[cr.Key][w.WeekStart] = ca
				}
				ca.sum += *cr.Score
				ca.n++
			}
		}
	}
	for _, ct := range contacts {
		w := get(localWeek(ct.StartedAt, loc))
		if ct.CSAT != nil {
			w.CSATResponses++
			if *ct.CSAT >= 4 {
				w.csatHi++
			}
		}
		if ct.NPS != nil {
			w.NPSResponses++
			if *ct.NPS >= 9 {
				w.npsPro++
			} else if *ct.NPS <= 6 {
				w.npsDet++
			}
		}
	}
	keys := make([]string, 0, len(weeks))
	for k := range weeks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]TrendWeek, 0, len(keys))
	for _, k := range keys {
		w := weeks[k]
		if w.scored > 0 {
			w.MeanScore = round2p(w.sum / float64(w.scored))
		}
		if w.decided > 0 {
			w.PassRate = round2p(100 * float64(w.passed) / float64(w.decided))
		}
		if w.CSATResponses > 0 {
			w.CSAT = round2p(100 * float64(w.csatHi) / float64(w.CSATResponses))
		}
		if w.NPSResponses > 0 {
			w.NPS = round2p(100 * float64(w.npsPro-w.npsDet) / float64(w.NPSResponses))
		}
		out = append(out, w.TrendWeek)
	}
	ckeys := make([]string, 0, len(crit))
	for k := range crit {
		ckeys = append(ckeys, k)
	}
	sort.Strings(ckeys)
	criteria := make([]CriterionTrend, 0, len(ckeys))
	for _, k := range ckeys {
		ct := CriterionTrend{Key: k, Weeks: []CriterionWeek{}}
		for _, wk := range keys {
			if ca := crit[k][wk]; ca != nil {
				ct.Weeks = append(ct.Weeks, CriterionWeek{WeekStart: wk, N: ca.n, Mean: round2p(ca.sum / float64(ca.n))})
			}
		}
		criteria = append(criteria, ct)
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
	from, to, _, err := s.trendWindow(c)
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
		agents, err := s.allAgents(ctx)
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
	from, to, _, err := s.trendWindow(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	evals, _, err := s.store.FindScoredEvaluations(ctx, store.TrendFilter{From: from, To: to})
	if err != nil {
		return err
	}
	stats := map[int64]*ReviewerStats{}
	sums := map[int64][2]float64{}
	get := func(id int64) *ReviewerStats {
		if stats[id] == nil {
			stats[id] = &ReviewerStats{ReviewerID: id}
		}
		return stats[id]
	}
	for _, e := range evals {
		st := get(e.ReviewerID)
		st.Volume++
		if e.Total != nil {
			s := sums[e.ReviewerID]
			sums[e.ReviewerID] = [2]float64{s[0] + *e.Total, s[1] + 1}
		}
	}
	for id, s := range sums {
		stats[id].MeanScore = round2p(s[0] / s[1])
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
			entries, err := s.calibrationEntries(ctx, cs.ID)
			if err != nil {
				return err
			}
			sc, err := s.store.FindScorecardByID(ctx, cs.ScorecardID)
			if err != nil {
				return err
			}
			for _, d := range BuildCalibrationReport(cs, sc, entries).Reviewers {
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

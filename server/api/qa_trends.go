package api

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
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

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

func (s *API) handleTrends(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	q, err := httpx.TrendQuery(c)
	if err != nil {
		return err
	}
	out, err := s.svc.Trends(c.Request().Context(), p, q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *API) handleQAMetrics(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	q, err := httpx.TrendQuery(c)
	if err != nil {
		return err
	}
	agentIDs, teamIDs, _, err := s.svc.TrendScope(c.Request().Context(), p, q)
	if err != nil {
		return err
	}
	from, to, err := s.svc.TrendWindow(q.From, q.To)
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
func (s *API) scopeFilter(ctx context.Context, agentIDs, teamIDs []int64) (func(qa.Contact) bool, error) {
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
func (s *API) groupNames(ctx context.Context, group string) (map[string]string, error) {
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

func (s *API) handleReviewerStats(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return err
	}
	from, to, err := httpx.TimeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	if from, to, err = s.svc.TrendWindow(from, to); err != nil {
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
			st.MeanScore = service.Round2p(t.SumTotal / float64(t.Scored))
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
func (s *API) addCalibrationDeviation(ctx context.Context, from, to time.Time, get func(int64) *ReviewerStats) error {
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
		st.CalibrationMAD, st.CalibrationItems = service.Round2p(m.sum/float64(m.n)), m.n
	}
	return nil
}

package service

import (
	"context"
	"slices"
	"sort"
	"time"

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
	AgentID *int64 `json:"agent_id,omitempty"`
	TeamID  *int64 `json:"team_id,omitempty"`
	// WeekClock says how weeks are cut: on each agent's own local clock,
	// Monday to Sunday, so an agent's week is the one they worked.
	WeekClock string           `json:"week_clock"`
	Weeks     []TrendWeek      `json:"weeks"`
	Criteria  []CriterionTrend `json:"criteria"`
}

// TrendQuery asks for the trends of one agent, one team, or (both nil)
// everything the caller reaches, over [From, To); zero bounds mean the last
// 12 weeks.
type TrendQuery struct {
	AgentID *int64
	TeamID  *int64
	From    time.Time
	To      time.Time
}

// Trends aggregates the QA and survey results p may read per agent-local week.
func (s *Service) Trends(ctx context.Context, p auth.Principal, q TrendQuery) (Trends, error) {
	agentIDs, teamIDs, out, err := s.TrendScope(ctx, p, q)
	if err != nil {
		return out, err
	}
	from, to, err := s.trendWindow(q.From, q.To)
	if err != nil {
		return out, err
	}
	weeks, crit, surveys, err := s.store.TrendTotals(ctx, store.TrendFilter{AgentIDs: agentIDs, TeamIDs: teamIDs, From: from, To: to})
	if err != nil {
		return out, err
	}
	out.WeekClock = "each agent's local clock, weeks start Monday"
	out.Weeks, out.Criteria = BuildTrends(weeks, crit, surveys)
	return out, nil
}

// TrendScope settles whose results a trend request reads: one agent, one
// team, or everything p reaches. It returns nil agent and team lists for
// "everyone".
func (s *Service) TrendScope(ctx context.Context, p auth.Principal, q TrendQuery) (agentIDs, teamIDs []int64, out Trends, err error) {
	scope := p.ScopeOf(auth.QATrends, auth.Read)
	if q.AgentID != nil {
		a, ferr := s.store.FindAgentByID(ctx, *q.AgentID)
		if ferr != nil {
			return nil, nil, out, ferr
		}
		if err = p.AllowObject(auth.QATrends, auth.Read, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
			return nil, nil, out, err
		}
		out.AgentID = &a.ID
		return []int64{a.ID}, nil, out, nil
	}
	if q.TeamID != nil {
		id := *q.TeamID
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

// TrendWindow settles a trend window: zero bounds mean the last 12 weeks
// ending now; the window spans at most five years.
func (s *Service) TrendWindow(from, to time.Time) (time.Time, time.Time, error) {
	return s.trendWindow(from, to)
}

func (s *Service) trendWindow(from, to time.Time) (time.Time, time.Time, error) {
	if to.IsZero() {
		to = s.now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -84)
	}
	if to.Sub(from) > 5*366*24*time.Hour {
		return from, to, &fault.Error{Code: fault.Invalid, Message: "bad time range", Fields: map[string]string{"from": "the range may span at most five years"}}
	}
	return from, to, nil
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
			tw.MeanScore = Round2p(w.SumTotal / float64(w.Scored))
		}
		if w.Decided > 0 {
			tw.PassRate = Round2p(100 * float64(w.Passed) / float64(w.Decided))
		}
	}
	for _, sv := range surveys {
		tw := get(sv.Week)
		tw.CSATResponses, tw.NPSResponses = sv.CSAT, sv.NPS
		if sv.CSAT > 0 {
			tw.CSAT = Round2p(100 * float64(sv.CSATHigh) / float64(sv.CSAT))
		}
		if sv.NPS > 0 {
			tw.NPS = Round2p(100 * float64(sv.NPSPromoters-sv.NPSDetractors) / float64(sv.NPS))
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
		last.Weeks = append(last.Weeks, CriterionWeek{WeekStart: ct.Week, N: ct.N, Mean: Round2p(ct.Sum / float64(ct.N))})
	}
	return out, criteria
}

// Round2p rounds half away from zero to 2 decimals.
func Round2p(v float64) *float64 {
	r := float64(int64(v*100+copysignHalf(v))) / 100
	return &r
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

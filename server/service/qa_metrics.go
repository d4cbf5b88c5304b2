package service

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
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

// MetricsQuery asks for the metrics of the contacts of AgentIDs or TeamIDs
// (nil: everyone) that started in [From, To), grouped by agent, team or
// queue; follow-ups within Window count against first-contact resolution.
type MetricsQuery struct {
	AgentIDs, TeamIDs []int64
	From, To          time.Time
	Window            time.Duration
	Group             string
}

// QAMetrics summarizes CSAT, NPS, CES, FCR, AHT and resolution time per group.
func (s *Service) QAMetrics(ctx context.Context, p auth.Principal, q MetricsQuery) ([]MetricsRow, error) {
	if q.Group != "agent" && q.Group != "team" && q.Group != "queue" {
		return nil, &fault.Error{Code: fault.Invalid, Message: "bad grouping", Fields: map[string]string{"group": "must be agent, team or queue"}}
	}
	if p.ScopeOf(auth.QATrends, auth.Read) == auth.Own && q.Group != "agent" {
		return nil, fault.Errorf(fault.Forbidden, "agents see their own metrics only (group=agent)")
	}
	// Follow-up contacts of any agent count against FCR, so read everyone's
	// contacts up to one window past the range.
	all, _, err := s.store.FindContacts(ctx, store.ContactFilter{From: q.From, To: q.To.Add(q.Window), All: true})
	if err != nil {
		return nil, err
	}
	inScope, err := s.scopeFilter(ctx, q.AgentIDs, q.TeamIDs)
	if err != nil {
		return nil, err
	}
	names, err := s.groupNames(ctx, q.Group)
	if err != nil {
		return nil, err
	}
	byExt := map[string]qa.Contact{}
	keys := map[string]bool{}
	views := make([]qa.Interaction, len(all))
	for i, ct := range all {
		byExt[ct.ExternalID] = ct
		views[i] = ContactInteraction(ct, "")
		if !ct.StartedAt.Before(q.From) && ct.StartedAt.Before(q.To) && inScope(ct) {
			keys[groupKey(q.Group, ct)] = true
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
			return !ct.StartedAt.Before(q.From) && ct.StartedAt.Before(q.To) && inScope(ct) && groupKey(q.Group, ct) == k
		}, q.Window)
		rows = append(rows, MetricsRow{Group: k, Name: names[k], Metrics: m})
	}
	return rows, nil
}

// scopeFilter returns a test for contacts inside the agent or team lists
// (nil lists: everything).
func (s *Service) scopeFilter(ctx context.Context, agentIDs, teamIDs []int64) (func(qa.Contact) bool, error) {
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
func (s *Service) groupNames(ctx context.Context, group string) (map[string]string, error) {
	names := map[string]string{}
	switch group {
	case "agent":
		agents, err := s.AllAgents(ctx)
		for _, a := range agents {
			names[strconv.FormatInt(a.ID, 10)] = a.Name
		}
		return names, err
	case "team":
		teams, _, err := s.store.FindTeams(ctx, store.TeamFilter{Page: store.Page{Limit: 500}})
		for _, t := range teams {
			names[strconv.FormatInt(t.ID, 10)] = t.Name
		}
		return names, err
	default:
		queues, _, err := s.store.FindQueues(ctx, store.Page{Limit: 500})
		for _, q := range queues {
			names[strconv.FormatInt(q.ID, 10)] = q.Name
		}
		return names, err
	}
}

// ReviewerStatsBetween is each reviewer's output and calibration agreement
// over [from, to).
func (s *Service) ReviewerStatsBetween(ctx context.Context, from, to time.Time) ([]ReviewerStats, error) {
	totals, err := s.store.FindReviewerTotals(ctx, from, to)
	if err != nil {
		return nil, err
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
			st.MeanScore = Round2p(t.SumTotal / float64(t.Scored))
		}
	}
	if err := s.addCalibrationDeviation(ctx, from, to, get); err != nil {
		return nil, err
	}
	out := make([]ReviewerStats, 0, len(stats))
	for id, st := range stats {
		if u, err := s.store.FindUserByID(ctx, id); err == nil {
			st.Name = u.Name
		}
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ReviewerID < out[j].ReviewerID })
	return out, nil
}

// addCalibrationDeviation adds each reviewer's mean absolute deviation over
// the closed calibration sessions created in [from, to).
func (s *Service) addCalibrationDeviation(ctx context.Context, from, to time.Time, get func(int64) *ReviewerStats) error {
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
			entries, err := s.CalibrationEntries(ctx, cs.ID)
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
		st.CalibrationMAD, st.CalibrationItems = Round2p(m.sum/float64(m.n)), m.n
	}
	return nil
}

// ContactInteraction is the metrics' view of a stored interaction; agents are
// named by id.
func ContactInteraction(ct qa.Contact, queue string) qa.Interaction {
	return qa.Interaction{ExternalID: ct.ExternalID, Channel: ct.Channel, Queue: queue, Agent: strconv.FormatInt(ct.AgentID, 10), Customer: ct.Customer,
		StartedAt: ct.StartedAt, HandleSeconds: ct.HandleSeconds, ResolutionSeconds: ct.ResolutionSeconds, Resolved: ct.Resolved,
		CSAT: ct.CSAT, NPS: ct.NPS, CES: ct.CES}
}

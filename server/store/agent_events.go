package store

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/peakwise/peakwise/intraday"
)

// AgentEvent is a stored state change of an agent, from the contact center
// platform. SourceID is the platform's event id: stored once however often
// it is sent.
type AgentEvent struct {
	ID         int64          `json:"id"`
	SourceID   string         `json:"event_id"`
	AgentID    int64          `json:"agent_id"`
	State      intraday.State `json:"state"`
	Code       string         `json:"code,omitempty"`
	QueueID    *int64         `json:"queue_id,omitempty"`
	Channel    string         `json:"channel,omitempty"`
	At         time.Time      `json:"at"`
	ReceivedAt time.Time      `json:"received_at"`
}

type agentEventRow struct {
	ID         int64
	SourceID   string
	AgentID    int64
	State      string
	Code       string
	QueueID    *int64
	Channel    string
	At         time.Time
	ReceivedAt time.Time
}

func (agentEventRow) TableName() string { return "agent_events" }

func (r agentEventRow) domain() AgentEvent {
	return AgentEvent{ID: r.ID, SourceID: r.SourceID, AgentID: r.AgentID, State: intraday.State(r.State), Code: r.Code, QueueID: r.QueueID,
		Channel: r.Channel, At: r.At.UTC(), ReceivedAt: r.ReceivedAt.UTC()}
}

// InsertAgentEvents stores the events whose SourceID is new and returns how
// many were new; the others are already there and are left alone, so a
// resent batch changes nothing.
func (s *Store) InsertAgentEvents(ctx context.Context, evs []AgentEvent) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	now := s.now()
	rows := make([]agentEventRow, len(evs))
	for i, e := range evs {
		rows[i] = agentEventRow{SourceID: e.SourceID, AgentID: e.AgentID, State: string(e.State), Code: e.Code, QueueID: e.QueueID, Channel: e.Channel,
			At: e.At.UTC(), ReceivedAt: now}
	}
	// Concurrent batches that share events insert them in one order, so on
	// PostgreSQL each waits for the other's uncommitted row instead of the two
	// locking the same keys crosswise (a deadlock).
	sort.Slice(rows, func(i, j int) bool { return rows[i].SourceID < rows[j].SourceID })
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source_id"}}, DoNothing: true}).CreateInBatches(&rows, 300)
	return int(res.RowsAffected), translate(res.Error, "agent event")
}

// AgentEventFilter narrows FindAgentEvents to agents (nil: all) and a time range [From, To).
type AgentEventFilter struct {
	AgentIDs []int64
	From, To time.Time
}

// FindAgentEvents returns the events in the range, oldest first (by time, then id).
func (s *Store) FindAgentEvents(ctx context.Context, f AgentEventFilter) ([]AgentEvent, error) {
	q := s.conn(ctx).Where("at >= ? AND at < ?", f.From.UTC(), f.To.UTC())
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", f.AgentIDs)
	}
	var rows []agentEventRow
	err := q.Order("at, id").Find(&rows).Error
	return mapRows[agentEventRow, AgentEvent](rows), translate(err, "agent event")
}

// LastAgentEvents returns, per agent, the latest event before t (the state
// the agent was in at t); agents with none are absent. On equal times the
// event stored last wins.
func (s *Store) LastAgentEvents(ctx context.Context, agentIDs []int64, t time.Time) (map[int64]AgentEvent, error) {
	out := map[int64]AgentEvent{}
	if len(agentIDs) == 0 {
		return out, nil
	}
	latest := s.conn(ctx).Model(&agentEventRow{}).Select("agent_id, MAX(at) AS at").Where("agent_id IN ? AND at < ?", agentIDs, t.UTC()).Group("agent_id")
	var rows []agentEventRow
	err := s.conn(ctx).Table("agent_events AS e").Select("e.*").
		Joins("JOIN (?) AS l ON l.agent_id = e.agent_id AND l.at = e.at", latest).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "agent event")
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	for _, r := range rows {
		out[r.AgentID] = r.domain()
	}
	return out, nil
}

// AgentIDsByRef resolves agents named by id (as text) or email, as a
// platform names them in its events, to their ids: the keys are the refs
// trimmed and lower-cased; refs that name no agent are left out. One query,
// however many agents the center has.
func (s *Store) AgentIDsByRef(ctx context.Context, refs []string) (map[string]int64, error) {
	var ids []int64
	var emails []string
	for _, r := range refs {
		r = strings.ToLower(strings.TrimSpace(r))
		if id, err := strconv.ParseInt(r, 10, 64); err == nil {
			ids = append(ids, id)
		} else if r != "" {
			emails = append(emails, r)
		}
	}
	out := map[string]int64{}
	if len(ids) == 0 && len(emails) == 0 {
		return out, nil
	}
	var rows []struct {
		ID    int64
		Email string
	}
	q := s.conn(ctx).Table("agents").Select("id, email")
	switch {
	case len(ids) > 0 && len(emails) > 0:
		q = q.Where("id IN ? OR lower(email) IN ?", ids, emails)
	case len(ids) > 0:
		q = q.Where("id IN ?", ids)
	default:
		q = q.Where("lower(email) IN ?", emails)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "agent")
	}
	for _, r := range rows {
		out[strconv.FormatInt(r.ID, 10)] = r.ID
		out[strings.ToLower(r.Email)] = r.ID
	}
	return out, nil
}

package store

import (
	"context"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/peakwise/peakwise/qa"
)

type contactRow struct {
	ID                int64
	ExternalID        string
	Channel           string
	QueueID           *int64
	AgentID           int64
	TeamID            *int64
	Customer          string
	StartedAt         time.Time
	HandleSeconds     int
	ResolutionSeconds *int
	Resolved          *bool
	Link              string
	Transcript        string
	CSAT              *int `gorm:"column:csat"`
	NPS               *int `gorm:"column:nps"`
	CES               *int `gorm:"column:ces"`
	LocalWeek         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (contactRow) TableName() string { return "interactions" }

func (r contactRow) domain() qa.Contact {
	return qa.Contact{ID: r.ID, ExternalID: r.ExternalID, Channel: r.Channel, QueueID: r.QueueID, AgentID: r.AgentID, TeamID: r.TeamID,
		Customer: r.Customer, StartedAt: r.StartedAt.UTC(), HandleSeconds: r.HandleSeconds, ResolutionSeconds: r.ResolutionSeconds,
		Resolved: r.Resolved, Link: r.Link, Transcript: r.Transcript, CSAT: r.CSAT, NPS: r.NPS, CES: r.CES}
}

// UpsertContacts stores interactions, replacing those whose external id is
// already known (so re-importing a file changes nothing twice). Call it in a
// transaction with the validation of the whole batch. Returns how many were
// new.
func (s *Store) UpsertContacts(ctx context.Context, cs []qa.Contact) (created int, err error) {
	if len(cs) == 0 {
		return 0, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ExternalID
	}
	known := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		var found []string
		if err := s.conn(ctx).Model(&contactRow{}).Where("external_id IN ?", ids[start:end]).Pluck("external_id", &found).Error; err != nil {
			return 0, translate(err, "interaction")
		}
		for _, id := range found {
			known[id] = true
		}
	}
	agentIDs := make([]int64, len(cs))
	for i, c := range cs {
		agentIDs[i] = c.AgentID
	}
	zones, err := s.agentZones(ctx, agentIDs)
	if err != nil {
		return 0, err
	}
	now := s.now()
	rows := make([]contactRow, len(cs))
	for i, c := range cs {
		rows[i] = contactRow{LocalWeek: qa.WeekOf(c.StartedAt, zones[c.AgentID]), ExternalID: c.ExternalID, Channel: c.Channel, QueueID: c.QueueID, AgentID: c.AgentID, TeamID: c.TeamID,
			Customer: c.Customer, StartedAt: c.StartedAt.UTC(), HandleSeconds: c.HandleSeconds, ResolutionSeconds: c.ResolutionSeconds,
			Resolved: c.Resolved, Link: c.Link, Transcript: c.Transcript, CSAT: c.CSAT, NPS: c.NPS, CES: c.CES, CreatedAt: now, UpdatedAt: now}
		if !known[c.ExternalID] {
			created++
		}
	}
	// One key order for every writer, so overlapping imports queue behind each
	// other on PostgreSQL instead of deadlocking.
	sort.Slice(rows, func(i, j int) bool { return rows[i].ExternalID < rows[j].ExternalID })
	err = s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"channel", "queue_id", "agent_id", "team_id", "customer", "started_at", "handle_seconds",
			"resolution_seconds", "resolved", "link", "transcript", "csat", "nps", "ces", "local_week", "updated_at"}),
	}).CreateInBatches(&rows, 200).Error
	return created, translate(err, "interaction")
}

// FindContactByID returns the interaction. Returns NotFound.
func (s *Store) FindContactByID(ctx context.Context, id int64) (qa.Contact, error) {
	r, err := findByID[contactRow](ctx, s, id, "interaction")
	return r.domain(), err
}

// ContactFilter narrows FindContacts. AgentIDs nil means any agent; zero
// TeamID and empty Search mean any.
type ContactFilter struct {
	AgentIDs []int64
	QueueIDs []int64
	TeamID   int64
	Channel  string
	From, To time.Time // started_at in [From, To)
	// Search matches a part of the external id or the customer, ignoring case.
	Search string
	// Newest orders a page newest first (by start) instead of by id.
	Newest bool
	Page   Page
	All    bool // every match, no paging (metrics)
}

// FindContacts returns matching interactions, oldest first, and the total count.
func (s *Store) FindContacts(ctx context.Context, f ContactFilter) ([]qa.Contact, int, error) {
	q := s.conn(ctx).Omit("transcript")
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.QueueIDs != nil {
		q = q.Where("queue_id IN ?", nonEmpty(f.QueueIDs))
	}
	if f.TeamID != 0 {
		q = q.Where("team_id = ?", f.TeamID)
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Search != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Search)) + "%"
		q = q.Where(`(LOWER(external_id) LIKE ? ESCAPE '\' OR LOWER(customer) LIKE ? ESCAPE '\')`, like, like)
	}
	if !f.From.IsZero() {
		q = q.Where("started_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("started_at < ?", f.To.UTC())
	}
	if f.All {
		var rows []contactRow
		err := q.Order("started_at, id").Find(&rows).Error
		return mapRows[contactRow, qa.Contact](rows), len(rows), translate(err, "interaction")
	}
	if f.Newest {
		q = q.Order("started_at DESC, id DESC")
	}
	rows, n, err := findPage[contactRow](q, f.Page, "interaction")
	return mapRows[contactRow, qa.Contact](rows), n, err
}

// likeEscaper escapes the wildcards of LIKE, with backslash as the escape.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
)

// The live GORM models of the organisation tables. Their shapes must match the
// migrations; the mappers below are the only way rows become domain values.

type siteRow struct {
	ID        int64
	Name      string
	Timezone  string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (siteRow) TableName() string { return "sites" }

type teamRow struct {
	ID           int64
	SiteID       int64
	Name         string
	SupervisorID *int64
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (teamRow) TableName() string { return "teams" }

type channelRow struct {
	ID        int64
	Key       string
	Name      string
	Kind      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (channelRow) TableName() string { return "channels" }

type queueRow struct {
	ID                int64
	Name              string
	ChannelID         int64
	Timezone          string
	Language          string
	ServiceLevelPct   float64
	AnswerWithinSec   int
	ResponseWithinSec int
	DefaultAHTSec     int `gorm:"column:default_aht_sec"`
	ChatConcurrency   int
	IntervalMin       int
	ASATargetSec      int `gorm:"column:asa_target_sec"`
	MaxOccupancy      float64
	Shrinkage         float64
	PatienceSec       int
	// MinProficiency and MinLanguageProficiency: migration 0014.
	MinProficiency         int
	MinLanguageProficiency int
	Version                int
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (queueRow) TableName() string { return "queues" }

type agentRow struct {
	ID                 int64
	Name               string
	Email              string
	Timezone           string
	TeamID             *int64
	MinWeekHours       float64
	MaxWeekHours       float64
	MaxShiftsPerWeek   int
	MinRestHours       float64
	MaxConsecutiveDays int
	ContractName       string
	Availability       string
	Preferences        string
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Skills             []agentSkillRow `gorm:"foreignKey:AgentID"`
}

func (agentRow) TableName() string { return "agents" }

type agentSkillRow struct {
	AgentID     int64  `gorm:"primaryKey"`
	Kind        string `gorm:"primaryKey"`
	Value       string `gorm:"primaryKey"`
	Proficiency int
}

func (agentSkillRow) TableName() string { return "agent_skills" }

type userRow struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	PasswordHash string
	AgentID      *int64
	Disabled     bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r siteRow) domain() org.Site {
	return org.Site{ID: r.ID, Name: r.Name, Timezone: r.Timezone, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func siteFrom(s org.Site) siteRow {
	return siteRow{ID: s.ID, Name: strings.TrimSpace(s.Name), Timezone: s.Timezone, Version: s.Version}
}

func (r teamRow) domain() org.Team {
	return org.Team{ID: r.ID, SiteID: r.SiteID, Name: r.Name, SupervisorID: r.SupervisorID, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func teamFrom(t org.Team) teamRow {
	return teamRow{ID: t.ID, SiteID: t.SiteID, Name: strings.TrimSpace(t.Name), SupervisorID: t.SupervisorID, Version: t.Version}
}

func (r channelRow) domain() org.Channel {
	return org.Channel{ID: r.ID, Key: r.Key, Name: r.Name, Kind: org.ChannelKind(r.Kind), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func channelFrom(c org.Channel) channelRow {
	return channelRow{ID: c.ID, Key: c.Key, Name: strings.TrimSpace(c.Name), Kind: string(c.Kind), Version: c.Version}
}

func (r queueRow) domain() org.Queue {
	return org.Queue{ID: r.ID, Name: r.Name, ChannelID: r.ChannelID, Timezone: r.Timezone, Language: r.Language,
		ServiceLevelPct: r.ServiceLevelPct, AnswerWithinSec: r.AnswerWithinSec, ResponseWithinSec: r.ResponseWithinSec,
		DefaultAHTSec: r.DefaultAHTSec, ChatConcurrency: r.ChatConcurrency, IntervalMin: r.IntervalMin,
		ASATargetSec: r.ASATargetSec, MaxOccupancy: r.MaxOccupancy, Shrinkage: r.Shrinkage, PatienceSec: r.PatienceSec,
		MinProficiency: max(1, r.MinProficiency), MinLanguageProficiency: max(1, r.MinLanguageProficiency),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func queueFrom(q org.Queue) queueRow {
	return queueRow{ID: q.ID, Name: strings.TrimSpace(q.Name), ChannelID: q.ChannelID, Timezone: q.Timezone, Language: q.Language,
		ServiceLevelPct: q.ServiceLevelPct, AnswerWithinSec: q.AnswerWithinSec, ResponseWithinSec: q.ResponseWithinSec,
		DefaultAHTSec: q.DefaultAHTSec, ChatConcurrency: q.ChatConcurrency, IntervalMin: q.IntervalMin,
		ASATargetSec: q.ASATargetSec, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage, PatienceSec: q.PatienceSec,
		MinProficiency: q.MinProficiency, MinLanguageProficiency: q.MinLanguageProficiency, Version: q.Version}
}

func (r agentRow) domain() org.Agent {
	a := org.Agent{ID: r.ID, Name: r.Name, Email: r.Email, Timezone: r.Timezone, TeamID: r.TeamID,
		Contract: org.Contract{Name: r.ContractName, MinWeekHours: r.MinWeekHours, MaxWeekHours: r.MaxWeekHours, MaxShiftsPerWeek: r.MaxShiftsPerWeek,
			MinRestHours: r.MinRestHours, MaxConsecutiveDays: r.MaxConsecutiveDays},
		Skills:  make([]org.Skill, 0, len(r.Skills)),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for _, s := range r.Skills {
		a.Skills = append(a.Skills, org.Skill{Kind: s.Kind, Value: s.Value, Proficiency: s.Proficiency})
	}
	if r.Availability != "" {
		_ = json.Unmarshal([]byte(r.Availability), &a.Availability)
	}
	if a.Availability == nil {
		a.Availability = []org.Window{}
	}
	if r.Preferences != "" {
		_ = json.Unmarshal([]byte(r.Preferences), &a.Preferences)
	}
	if a.Preferences.DaysOff == nil {
		a.Preferences.DaysOff = []string{}
	}
	return a
}

func agentFrom(a org.Agent) agentRow {
	c := a.Contract
	return agentRow{ID: a.ID, Name: strings.TrimSpace(a.Name), Email: strings.ToLower(a.Email), Timezone: a.Timezone, TeamID: a.TeamID,
		MinWeekHours: c.MinWeekHours, MaxWeekHours: c.MaxWeekHours, MaxShiftsPerWeek: c.MaxShiftsPerWeek,
		MinRestHours: c.MinRestHours, MaxConsecutiveDays: c.MaxConsecutiveDays, ContractName: c.Name, Version: a.Version,
		Availability: jsonText(a.Availability), Preferences: jsonText(a.Preferences)}
}

// jsonText stores a value as JSON text; marshalling plain structs and slices cannot fail.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (r userRow) domain() org.User {
	return org.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: org.Role(r.Role), AgentID: r.AgentID, Disabled: r.Disabled,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func mapRows[R interface{ domain() D }, D any](rows []R) []D {
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out
}

// --- sites

// FindSiteByID returns the site. Returns NotFound if it does not exist.
func (s *Store) FindSiteByID(ctx context.Context, id int64) (org.Site, error) {
	r, err := findByID[siteRow](ctx, s, id, "site")
	return r.domain(), err
}

// FindSites returns one page of sites and the total count.
func (s *Store) FindSites(ctx context.Context, p Page) ([]org.Site, int, error) {
	rows, n, err := findPage[siteRow](s.conn(ctx), p, "site")
	return mapRows[siteRow, org.Site](rows), n, err
}

// CreateSite stores a new site and returns it with its id. Returns Conflict on a duplicate name.
func (s *Store) CreateSite(ctx context.Context, site org.Site) (org.Site, error) {
	r := siteFrom(site)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Site{}, translate(err, "site")
	}
	return r.domain(), nil
}

// UpdateSite overwrites the site if site.Version is still current.
// Returns NotFound, or Conflict for a stale version or a duplicate name.
func (s *Store) UpdateSite(ctx context.Context, site org.Site) (org.Site, error) {
	r := siteFrom(site)
	r.Version = site.Version + 1
	if err := updateVersioned(ctx, s, site.ID, site.Version, &r, "site"); err != nil {
		return org.Site{}, err
	}
	return s.FindSiteByID(ctx, site.ID)
}

// DeleteSite removes the site. Returns NotFound, or Conflict while teams use it.
func (s *Store) DeleteSite(ctx context.Context, id int64) error {
	return deleteByID[siteRow](ctx, s, id, "site")
}

// --- teams

// TeamFilter narrows FindTeams. Zero values match everything.
type TeamFilter struct {
	SupervisorID *int64
	Page         Page
}

// FindTeamByID returns the team. Returns NotFound if it does not exist.
func (s *Store) FindTeamByID(ctx context.Context, id int64) (org.Team, error) {
	r, err := findByID[teamRow](ctx, s, id, "team")
	return r.domain(), err
}

// FindTeams returns one page of teams and the total count.
func (s *Store) FindTeams(ctx context.Context, f TeamFilter) ([]org.Team, int, error) {
	q := s.conn(ctx)
	if f.SupervisorID != nil {
		q = q.Where("supervisor_id = ?", *f.SupervisorID)
	}
	rows, n, err := findPage[teamRow](q, f.Page, "team")
	return mapRows[teamRow, org.Team](rows), n, err
}

// CreateTeam stores a new team. Returns Conflict for a duplicate name in the site or a missing site.
func (s *Store) CreateTeam(ctx context.Context, t org.Team) (org.Team, error) {
	r := teamFrom(t)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Team{}, translate(err, "team")
	}
	return r.domain(), nil
}

// UpdateTeam overwrites the team if t.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateTeam(ctx context.Context, t org.Team) (org.Team, error) {
	r := teamFrom(t)
	r.Version = t.Version + 1
	if err := updateVersioned(ctx, s, t.ID, t.Version, &r, "team"); err != nil {
		return org.Team{}, err
	}
	return s.FindTeamByID(ctx, t.ID)
}

// DeleteTeam removes the team. Returns NotFound, or Conflict while agents belong to it.
func (s *Store) DeleteTeam(ctx context.Context, id int64) error {
	return deleteByID[teamRow](ctx, s, id, "team")
}

// SupervisedTeamIDs returns the ids of the teams userID supervises.
func (s *Store) SupervisedTeamIDs(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&teamRow{}).Where("supervisor_id = ?", userID).Order("id").Pluck("id", &ids).Error
	return ids, translate(err, "team")
}

// --- channels

// FindChannelByID returns the channel. Returns NotFound if it does not exist.
func (s *Store) FindChannelByID(ctx context.Context, id int64) (org.Channel, error) {
	r, err := findByID[channelRow](ctx, s, id, "channel")
	return r.domain(), err
}

// FindChannels returns one page of channels and the total count.
func (s *Store) FindChannels(ctx context.Context, p Page) ([]org.Channel, int, error) {
	rows, n, err := findPage[channelRow](s.conn(ctx), p, "channel")
	return mapRows[channelRow, org.Channel](rows), n, err
}

// CreateChannel stores a new channel. Returns Conflict on a duplicate key.
func (s *Store) CreateChannel(ctx context.Context, c org.Channel) (org.Channel, error) {
	r := channelFrom(c)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Channel{}, translate(err, "channel")
	}
	return r.domain(), nil
}

// UpdateChannel overwrites the channel if c.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateChannel(ctx context.Context, c org.Channel) (org.Channel, error) {
	r := channelFrom(c)
	r.Version = c.Version + 1
	if err := updateVersioned(ctx, s, c.ID, c.Version, &r, "channel"); err != nil {
		return org.Channel{}, err
	}
	return s.FindChannelByID(ctx, c.ID)
}

// DeleteChannel removes the channel. Returns NotFound, or Conflict while queues use it.
func (s *Store) DeleteChannel(ctx context.Context, id int64) error {
	return deleteByID[channelRow](ctx, s, id, "channel")
}

// --- queues

// FindQueueByID returns the queue. Returns NotFound if it does not exist.
func (s *Store) FindQueueByID(ctx context.Context, id int64) (org.Queue, error) {
	r, err := findByID[queueRow](ctx, s, id, "queue")
	return r.domain(), err
}

// FindQueues returns one page of queues and the total count.
func (s *Store) FindQueues(ctx context.Context, p Page) ([]org.Queue, int, error) {
	rows, n, err := findPage[queueRow](s.conn(ctx), p, "queue")
	return mapRows[queueRow, org.Queue](rows), n, err
}

// CreateQueue stores a new queue. Returns Conflict on a duplicate name or a missing channel.
func (s *Store) CreateQueue(ctx context.Context, q org.Queue) (org.Queue, error) {
	r := queueFrom(q.WithDefaults())
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Queue{}, translate(err, "queue")
	}
	return r.domain(), nil
}

// UpdateQueue overwrites the queue if q.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateQueue(ctx context.Context, q org.Queue) (org.Queue, error) {
	r := queueFrom(q)
	r.Version = q.Version + 1
	if err := updateVersioned(ctx, s, q.ID, q.Version, &r, "queue"); err != nil {
		return org.Queue{}, err
	}
	return s.FindQueueByID(ctx, q.ID)
}

// DeleteQueue removes the queue. Returns NotFound, or Conflict while records use it.
func (s *Store) DeleteQueue(ctx context.Context, id int64) error {
	return deleteByID[queueRow](ctx, s, id, "queue")
}

// --- agents

// AgentFilter narrows FindAgents. TeamIDs, when not nil, keeps agents of those
// teams only (an empty non-nil slice matches none); IDs likewise.
type AgentFilter struct {
	TeamIDs []int64
	IDs     []int64
	Page    Page
}

// FindAgentByID returns the agent with their skills. Returns NotFound if it does not exist.
func (s *Store) FindAgentByID(ctx context.Context, id int64) (org.Agent, error) {
	var r agentRow
	err := s.conn(ctx).Preload("Skills", orderSkills).Where("id = ?", id).Take(&r).Error
	return r.domain(), translate(err, "agent")
}

func orderSkills(db *gorm.DB) *gorm.DB { return db.Order("kind, value") }

// FindAgents returns one page of agents (with skills) and the total count.
func (s *Store) FindAgents(ctx context.Context, f AgentFilter) ([]org.Agent, int, error) {
	q := s.conn(ctx)
	if f.TeamIDs != nil {
		q = q.Where("team_id IN ?", nonEmpty(f.TeamIDs))
	}
	if f.IDs != nil {
		q = q.Where("id IN ?", nonEmpty(f.IDs))
	}
	rows, n, err := findPage[agentRow](q.Preload("Skills", orderSkills), f.Page, "agent")
	return mapRows[agentRow, org.Agent](rows), n, err
}

// nonEmpty keeps "IN ()" valid SQL: no real id is 0.
func nonEmpty(ids []int64) []int64 {
	if len(ids) == 0 {
		return []int64{0}
	}
	return ids
}

// CreateAgent stores a new agent and their skills. Returns Conflict on a duplicate email or a missing team.
func (s *Store) CreateAgent(ctx context.Context, a org.Agent) (org.Agent, error) {
	var out org.Agent
	err := s.Tx(ctx, func(tx *Store) error {
		r := agentFrom(a)
		r.ID, r.Version = 0, 1
		if err := tx.conn(ctx).Omit("Skills").Create(&r).Error; err != nil {
			return translate(err, "agent")
		}
		if err := tx.replaceSkills(ctx, r.ID, a.Skills); err != nil {
			return err
		}
		var err error
		out, err = tx.FindAgentByID(ctx, r.ID)
		return err
	})
	return out, err
}

// UpdateAgent overwrites the agent and their skills if a.Version is still current.
// Returns NotFound, or Conflict for a stale version or a duplicate email.
func (s *Store) UpdateAgent(ctx context.Context, a org.Agent) (org.Agent, error) {
	var out org.Agent
	err := s.Tx(ctx, func(tx *Store) error {
		r := agentFrom(a)
		r.Version = a.Version + 1
		if err := updateVersioned(ctx, tx, a.ID, a.Version, &r, "agent"); err != nil {
			return err
		}
		if err := tx.replaceSkills(ctx, a.ID, a.Skills); err != nil {
			return err
		}
		var err error
		out, err = tx.FindAgentByID(ctx, a.ID)
		return err
	})
	return out, err
}

func (s *Store) replaceSkills(ctx context.Context, agentID int64, skills []org.Skill) error {
	if err := s.conn(ctx).Where("agent_id = ?", agentID).Delete(&agentSkillRow{}).Error; err != nil {
		return translate(err, "agent skill")
	}
	if len(skills) == 0 {
		return nil
	}
	rows := make([]agentSkillRow, len(skills))
	for i, sk := range skills {
		rows[i] = agentSkillRow{AgentID: agentID, Kind: sk.Kind, Value: sk.Value, Proficiency: sk.Proficiency}
	}
	return translate(s.conn(ctx).Create(&rows).Error, "agent skill")
}

// DeleteAgent removes the agent. Returns NotFound, or Conflict while records use it.
func (s *Store) DeleteAgent(ctx context.Context, id int64) error {
	var linked int64
	if err := s.conn(ctx).Model(&userRow{}).Where("agent_id = ?", id).Count(&linked).Error; err != nil {
		return translate(err, "agent")
	}
	if linked > 0 {
		return fault.Errorf(fault.Conflict, "agent is linked to a user; unlink or disable the user first")
	}
	return deleteByID[agentRow](ctx, s, id, "agent")
}

// --- special days

type specialDayRow struct {
	ID        int64
	QueueID   *int64
	Date      string
	Closed    bool
	Factor    float64
	Note      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (specialDayRow) TableName() string { return "special_days" }

func (r specialDayRow) domain() org.SpecialDay {
	return org.SpecialDay{ID: r.ID, QueueID: r.QueueID, Date: r.Date, Closed: r.Closed, Factor: r.Factor, Note: r.Note,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func specialDayFrom(d org.SpecialDay) specialDayRow {
	factor := d.Factor
	if d.Closed {
		factor = 0
	}
	return specialDayRow{ID: d.ID, QueueID: d.QueueID, Date: d.Date, Closed: d.Closed, Factor: factor, Note: strings.TrimSpace(d.Note), Version: d.Version}
}

// SpecialDayFilter narrows FindSpecialDays. QueueID keeps that queue's days and
// the days of every queue; From and To (YYYY-MM-DD, inclusive) bound the dates.
type SpecialDayFilter struct {
	QueueID  *int64
	From, To string
	Page     Page
}

// FindSpecialDayByID returns the special day. Returns NotFound if it does not exist.
func (s *Store) FindSpecialDayByID(ctx context.Context, id int64) (org.SpecialDay, error) {
	r, err := findByID[specialDayRow](ctx, s, id, "special day")
	return r.domain(), err
}

// FindSpecialDays returns one page of special days and the total count.
func (s *Store) FindSpecialDays(ctx context.Context, f SpecialDayFilter) ([]org.SpecialDay, int, error) {
	q := s.conn(ctx)
	if f.QueueID != nil {
		q = q.Where("queue_id = ? OR queue_id IS NULL", *f.QueueID)
	}
	if f.From != "" {
		q = q.Where("date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("date <= ?", f.To)
	}
	rows, n, err := findPage[specialDayRow](q, f.Page, "special day")
	return mapRows[specialDayRow, org.SpecialDay](rows), n, err
}

// CreateSpecialDay stores a special day. Returns Conflict for a missing queue.
func (s *Store) CreateSpecialDay(ctx context.Context, d org.SpecialDay) (org.SpecialDay, error) {
	r := specialDayFrom(d)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.SpecialDay{}, translate(err, "special day")
	}
	return r.domain(), nil
}

// UpdateSpecialDay overwrites the day if d.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateSpecialDay(ctx context.Context, d org.SpecialDay) (org.SpecialDay, error) {
	r := specialDayFrom(d)
	r.Version = d.Version + 1
	if err := updateVersioned(ctx, s, d.ID, d.Version, &r, "special day"); err != nil {
		return org.SpecialDay{}, err
	}
	return s.FindSpecialDayByID(ctx, d.ID)
}

// DeleteSpecialDay removes the day. Returns NotFound.
func (s *Store) DeleteSpecialDay(ctx context.Context, id int64) error {
	return deleteByID[specialDayRow](ctx, s, id, "special day")
}

// FindAgentByEmail returns the agent with that email. Returns NotFound if there is none.
func (s *Store) FindAgentByEmail(ctx context.Context, email string) (org.Agent, error) {
	var r agentRow
	err := s.conn(ctx).Preload("Skills", orderSkills).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&r).Error
	return r.domain(), translate(err, "agent")
}

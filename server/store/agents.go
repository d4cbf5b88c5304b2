package store

import (
	"context"
	"encoding/json"
	"gorm.io/gorm/clause"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
)

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

// FindAgentByEmail returns the agent with that email. Returns NotFound if there is none.
func (s *Store) FindAgentByEmail(ctx context.Context, email string) (org.Agent, error) {
	var r agentRow
	err := s.conn(ctx).Preload("Skills", orderSkills).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&r).Error
	return r.domain(), translate(err, "agent")
}

// LockAgent holds the agent's row until the surrounding transaction ends, so
// a check-then-write about one agent (no overlapping time-off request yet?
// then make one) runs one at a time. On PostgreSQL it is SELECT ... FOR
// UPDATE; an SQLite transaction holds the database's write lock already.
// Returns NotFound for an unknown agent.
func (s *Store) LockAgent(ctx context.Context, id int64) error {
	var row struct{ ID int64 }
	err := s.conn(ctx).Table("agents").Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Where("id = ?", id).Take(&row).Error
	return translate(err, "agent")
}

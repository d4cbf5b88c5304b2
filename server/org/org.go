// Package org holds the records that describe a contact center: sites, teams,
// channels, queues, agents and users, with their validation rules. It is pure:
// no database, no HTTP.
package org

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peakwise/peakwise/server/fault"
)

// Role is what a user may do in Peakwise.
type Role string

// The roles. Supervisors see and coach their own team; agents see only their own records.
const (
	RoleAdmin      Role = "admin"
	RolePlanner    Role = "planner"
	RoleQAReviewer Role = "qa_reviewer"
	RoleSupervisor Role = "supervisor"
	RoleAgent      Role = "agent"
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleAdmin, RolePlanner, RoleQAReviewer, RoleSupervisor, RoleAgent}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// ChannelKind says how a channel's work queues: real-time contacts wait for an
// agent (voice, chat), deferred work waits in a backlog (email, social).
type ChannelKind string

const (
	Realtime ChannelKind = "realtime"
	Deferred ChannelKind = "deferred"
)

// Site is a physical or virtual location with its own time zone.
type Site struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Timezone  string    `json:"timezone"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Team groups agents under a site and, optionally, a supervising user.
type Team struct {
	ID           int64     `json:"id"`
	SiteID       int64     `json:"site_id"`
	Name         string    `json:"name"`
	SupervisorID *int64    `json:"supervisor_id"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Channel is a contact medium: voice, chat, email, social, sms, or one an admin adds.
type Channel struct {
	ID        int64       `json:"id"`
	Key       string      `json:"key"`
	Name      string      `json:"name"`
	Kind      ChannelKind `json:"kind"`
	Version   int         `json:"version"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Queue is a channel served in one time zone (and optionally one language),
// with its service target.
type Queue struct {
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	ChannelID         int64   `json:"channel_id"`
	Timezone          string  `json:"timezone"`
	Language          string  `json:"language"`
	ServiceLevelPct   float64 `json:"service_level_pct"`     // e.g. 80 for 80% answered within the threshold
	AnswerWithinSec   int     `json:"answer_within_seconds"` // real-time channels: e.g. 20
	ResponseWithinSec int     `json:"response_within_seconds"`
	DefaultAHTSec     int     `json:"default_aht_seconds"`
	ChatConcurrency   int     `json:"chat_concurrency"`
	IntervalMin       int     `json:"interval_minutes"`
	ASATargetSec      int     `json:"asa_target_seconds"` // 0: no ASA target
	MaxOccupancy      float64 `json:"max_occupancy"`      // cap on agent occupancy, e.g. 0.85
	Shrinkage         float64 `json:"shrinkage"`          // share of paid time off the phones, e.g. 0.30
	PatienceSec       int     `json:"patience_seconds"`   // mean customer patience; 0: Erlang C, >0: Erlang A
	// MinProficiency and MinLanguageProficiency are the least channel and
	// language skill levels (1-5) an agent needs to be rostered on the
	// queue; 1 (the default; 0 reads as 1) takes anyone with the skill.
	MinProficiency         int       `json:"min_proficiency"`
	MinLanguageProficiency int       `json:"min_language_proficiency"`
	Version                int       `json:"version"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// Skill is a channel or language an agent can serve, with proficiency 1 (learning) to 5 (expert).
type Skill struct {
	Kind        string `json:"kind"` // "channel" or "language"
	Value       string `json:"value"`
	Proficiency int    `json:"proficiency"`
}

// Contract holds the working-time rules an agent's schedule must keep.
type Contract struct {
	// Name is the kind of contract, e.g. "FT"; shift templates may be
	// limited to named contracts. Empty: only unrestricted templates.
	Name               string  `json:"name"`
	MinWeekHours       float64 `json:"min_week_hours"`
	MaxWeekHours       float64 `json:"max_week_hours"`
	MaxShiftsPerWeek   int     `json:"max_shifts_per_week"`
	MinRestHours       float64 `json:"min_rest_hours"`
	MaxConsecutiveDays int     `json:"max_consecutive_days"`
}

// DefaultContract is a full-time contract: 0-40 h, 5 shifts, 11 h rest, 6 days in a row at most.
var DefaultContract = Contract{MinWeekHours: 0, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}

// Window is a weekly span of local clock time, e.g. mon 08:00-16:00. To may be
// "24:00"; a window with To before From runs past midnight into the next day.
type Window struct {
	Day  string `json:"day"` // mon, tue, wed, thu, fri, sat, sun
	From string `json:"from"`
	To   string `json:"to"`
}

// Preferences are an agent's wishes, honoured where possible (soft).
type Preferences struct {
	ShiftTime string   `json:"shift_time"` // "", "early" or "late"
	DaysOff   []string `json:"days_off"`   // days they would rather not work
}

// Weekdays are the day names windows and preferences use, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func validDay(d string) bool {
	for _, w := range Weekdays {
		if w == d {
			return true
		}
	}
	return false
}

func validClock(s string, allow24 bool) bool {
	if allow24 && s == "24:00" {
		return true
	}
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// Agent is a person who handles contacts.
type Agent struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Timezone string   `json:"timezone"`
	TeamID   *int64   `json:"team_id"`
	Skills   []Skill  `json:"skills"`
	Contract Contract `json:"contract"`
	// Availability lists when the agent can work, on their own clock; empty means any time.
	Availability []Window    `json:"availability"`
	Preferences  Preferences `json:"preferences"`
	Version      int         `json:"version"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// User is someone who signs in. AgentID links a user to the agent they are.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	AgentID   *int64    `json:"agent_id"`
	Disabled  bool      `json:"disabled"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// CheckTimezone records a problem under field if tz is not a known IANA zone.
func CheckTimezone(f fault.Fields, field, tz string) {
	if tz == "" {
		f.Add(field, "is required")
		return
	}
	if tz == "Local" || strings.HasPrefix(tz, "/") {
		f.Add(field, "unknown time zone %q", tz)
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		f.Add(field, "unknown time zone %q", tz)
	}
}

func checkName(f fault.Fields, field, name string, max int) {
	switch n := len(strings.TrimSpace(name)); {
	case n == 0:
		f.Add(field, "is required")
	case n > max:
		f.Add(field, "is longer than %d characters", max)
	}
}

// CheckEmail records a problem under field unless email is a plain address.
func CheckEmail(f fault.Fields, field, email string) {
	a, err := mail.ParseAddress(email)
	if email == "" {
		f.Add(field, "is required")
	} else if err != nil || a.Address != email {
		f.Add(field, "%q is not an email address", email)
	}
}

// Validate returns an Invalid error naming every bad field.
func (s Site) Validate() error {
	f := fault.Fields{}
	checkName(f, "name", s.Name, 100)
	CheckTimezone(f, "timezone", s.Timezone)
	return f.Err("invalid site")
}

// Validate returns an Invalid error naming every bad field.
func (t Team) Validate() error {
	f := fault.Fields{}
	checkName(f, "name", t.Name, 100)
	if t.SiteID <= 0 {
		f.Add("site_id", "is required")
	}
	return f.Err("invalid team")
}

// Validate returns an Invalid error naming every bad field.
func (c Channel) Validate() error {
	f := fault.Fields{}
	if !keyPattern.MatchString(c.Key) {
		f.Add("key", "must be 1-32 lower-case letters, digits, '-' or '_', starting with a letter")
	}
	checkName(f, "name", c.Name, 100)
	if c.Kind != Realtime && c.Kind != Deferred {
		f.Add("kind", "must be %q or %q", Realtime, Deferred)
	}
	return f.Err("invalid channel")
}

// Validate returns an Invalid error naming every bad field. The caller checks
// that the channel exists; kind-specific targets are checked with CheckTarget.
func (q Queue) Validate() error {
	f := fault.Fields{}
	checkName(f, "name", q.Name, 100)
	if q.ChannelID <= 0 {
		f.Add("channel_id", "is required")
	}
	CheckTimezone(f, "timezone", q.Timezone)
	if len(q.Language) > 16 {
		f.Add("language", "is longer than 16 characters")
	}
	if q.ServiceLevelPct < 0 || q.ServiceLevelPct > 100 {
		f.Add("service_level_pct", "must be between 0 and 100, got %g", q.ServiceLevelPct)
	}
	if q.AnswerWithinSec < 0 {
		f.Add("answer_within_seconds", "must not be negative")
	}
	if q.ResponseWithinSec < 0 {
		f.Add("response_within_seconds", "must not be negative")
	}
	if q.DefaultAHTSec <= 0 {
		f.Add("default_aht_seconds", "must be positive")
	}
	if q.ChatConcurrency < 1 || q.ChatConcurrency > 20 {
		f.Add("chat_concurrency", "must be between 1 and 20")
	}
	switch q.IntervalMin {
	case 15, 30, 60:
	default:
		f.Add("interval_minutes", "must be 15, 30 or 60")
	}
	if q.ASATargetSec < 0 {
		f.Add("asa_target_seconds", "must not be negative")
	}
	if q.MaxOccupancy <= 0 || q.MaxOccupancy > 1 {
		f.Add("max_occupancy", "must be above 0 and at most 1, got %g", q.MaxOccupancy)
	}
	if q.Shrinkage < 0 || q.Shrinkage >= 1 {
		f.Add("shrinkage", "must be at least 0 and below 1, got %g", q.Shrinkage)
	}
	if q.PatienceSec < 0 {
		f.Add("patience_seconds", "must not be negative")
	}
	if q.MinProficiency < 0 || q.MinProficiency > 5 {
		f.Add("min_proficiency", "must be 1 to 5 (0 is taken as 1), got %d", q.MinProficiency)
	}
	if q.MinLanguageProficiency < 0 || q.MinLanguageProficiency > 5 {
		f.Add("min_language_proficiency", "must be 1 to 5 (0 is taken as 1), got %d", q.MinLanguageProficiency)
	}
	return f.Err("invalid queue")
}

// DefaultMaxOccupancy caps occupancy when a queue does not say otherwise.
const DefaultMaxOccupancy = 0.85

// WithDefaults fills the fields a client may leave out: occupancy cap 0.85,
// one contact at a time, 30-minute intervals.
func (q Queue) WithDefaults() Queue {
	if q.MaxOccupancy == 0 {
		q.MaxOccupancy = DefaultMaxOccupancy
	}
	if q.ChatConcurrency == 0 {
		q.ChatConcurrency = 1
	}
	if q.IntervalMin == 0 {
		q.IntervalMin = 30
	}
	if q.MinProficiency == 0 {
		q.MinProficiency = 1
	}
	if q.MinLanguageProficiency == 0 {
		q.MinLanguageProficiency = 1
	}
	return q
}

// CheckTarget returns an Invalid error if the queue lacks the target its channel kind needs.
func (q Queue) CheckTarget(kind ChannelKind) error {
	f := fault.Fields{}
	if kind == Realtime && q.AnswerWithinSec == 0 {
		f.Add("answer_within_seconds", "is required for a real-time channel")
	}
	if kind == Deferred && q.ResponseWithinSec == 0 {
		f.Add("response_within_seconds", "is required for a deferred channel")
	}
	return f.Err("invalid queue")
}

// Validate returns an Invalid error naming every bad field.
func (a Agent) Validate() error {
	f := fault.Fields{}
	checkName(f, "name", a.Name, 200)
	CheckEmail(f, "email", a.Email)
	CheckTimezone(f, "timezone", a.Timezone)
	seen := map[string]bool{}
	for i, s := range a.Skills {
		field := "skills[" + strconv.Itoa(i) + "]"
		if s.Kind != "channel" && s.Kind != "language" {
			f.Add(field+".kind", "must be \"channel\" or \"language\"")
		}
		if strings.TrimSpace(s.Value) == "" {
			f.Add(field+".value", "is required")
		}
		if s.Proficiency < 1 || s.Proficiency > 5 {
			f.Add(field+".proficiency", "must be between 1 and 5")
		}
		if seen[s.Kind+":"+s.Value] {
			f.Add(field, "duplicate skill %s %q", s.Kind, s.Value)
		}
		seen[s.Kind+":"+s.Value] = true
	}
	c := a.Contract
	if c.Name != strings.TrimSpace(c.Name) || len(c.Name) > 32 {
		f.Add("contract.name", "must be at most 32 characters without surrounding spaces")
	}
	if c.MinWeekHours < 0 {
		f.Add("contract.min_week_hours", "must not be negative")
	}
	if c.MaxWeekHours < 0 || c.MaxWeekHours > 168 {
		f.Add("contract.max_week_hours", "must be between 0 and 168")
	}
	if c.MinWeekHours > c.MaxWeekHours {
		f.Add("contract.min_week_hours", "must not exceed max_week_hours")
	}
	if c.MaxShiftsPerWeek < 0 || c.MaxShiftsPerWeek > 14 {
		f.Add("contract.max_shifts_per_week", "must be between 0 and 14")
	}
	if c.MinRestHours < 0 || c.MinRestHours > 48 {
		f.Add("contract.min_rest_hours", "must be between 0 and 48")
	}
	if c.MaxConsecutiveDays < 1 || c.MaxConsecutiveDays > 14 {
		f.Add("contract.max_consecutive_days", "must be between 1 and 14")
	}
	for i, w := range a.Availability {
		field := "availability[" + strconv.Itoa(i) + "]"
		if !validDay(w.Day) {
			f.Add(field+".day", "must be one of mon, tue, wed, thu, fri, sat, sun")
		}
		if !validClock(w.From, false) {
			f.Add(field+".from", "must be a clock time like 08:00")
		}
		if !validClock(w.To, true) {
			f.Add(field+".to", "must be a clock time like 16:30 (or 24:00)")
		}
		if w.From == w.To {
			f.Add(field+".to", "must differ from from")
		}
	}
	switch a.Preferences.ShiftTime {
	case "", "early", "late":
	default:
		f.Add("preferences.shift_time", "must be empty, \"early\" or \"late\"")
	}
	for i, d := range a.Preferences.DaysOff {
		if !validDay(d) {
			f.Add("preferences.days_off["+strconv.Itoa(i)+"]", "must be one of mon, tue, wed, thu, fri, sat, sun")
		}
	}
	return f.Err("invalid agent")
}

// Validate returns an Invalid error naming every bad field.
func (u User) Validate() error {
	f := fault.Fields{}
	CheckEmail(f, "email", u.Email)
	checkName(f, "name", u.Name, 200)
	if !u.Role.Valid() {
		f.Add("role", "unknown role %q", u.Role)
	}
	if u.Role == RoleAgent && u.AgentID == nil {
		f.Add("agent_id", "is required for a user with the agent role")
	}
	return f.Err("invalid user")
}

// CheckPassword returns an Invalid error unless password is acceptable: valid
// UTF-8 of 10 to 256 characters (counted as runes, not bytes).
func CheckPassword(password string) error {
	f := fault.Fields{}
	n := utf8.RuneCountInString(password)
	if !utf8.ValidString(password) {
		f.Add("password", "must be valid UTF-8 text")
	} else if n < 10 {
		f.Add("password", "must be at least 10 characters")
	} else if n > 256 {
		f.Add("password", "must be at most 256 characters")
	}
	return f.Err("invalid password")
}

// SpecialDay changes a queue's forecast on one local calendar date: closed, or
// volume multiplied by Factor (e.g. 1.4 for a launch day). QueueID nil applies
// to every queue.
type SpecialDay struct {
	ID        int64     `json:"id"`
	QueueID   *int64    `json:"queue_id"`
	Date      string    `json:"date"` // YYYY-MM-DD in the queue's time zone
	Closed    bool      `json:"closed"`
	Factor    float64   `json:"factor"`
	Note      string    `json:"note"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate returns an Invalid error naming every bad field.
func (d SpecialDay) Validate() error {
	f := fault.Fields{}
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		f.Add("date", "must be a date like 2026-12-24, got %q", d.Date)
	}
	if d.Closed && d.Factor != 0 && d.Factor != 1 {
		f.Add("factor", "a closed day has no factor")
	}
	if !d.Closed && (d.Factor <= 0 || d.Factor > 20) {
		f.Add("factor", "must be above 0 and at most 20 (1 = a normal day), got %g", d.Factor)
	}
	if len(d.Note) > 200 {
		f.Add("note", "is longer than 200 characters")
	}
	return f.Err("invalid special day")
}

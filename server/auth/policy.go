package auth

import (
	"slices"
	"time"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
)

// Principal is the signed-in user a request acts for.
type Principal struct {
	User org.User
	// TeamIDs are the teams a supervisor supervises; empty for other roles.
	TeamIDs []int64
	// ViaToken is true when the request authenticated with an API token (no CSRF check).
	ViaToken bool
}

// Session is a browser session. ID is the hash of the cookie's secret.
type Session struct {
	ID         string
	UserID     int64
	CSRFToken  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// APIToken is a script's credential. Only the hash of its secret is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Resource is a kind of record the policy knows.
type Resource string

// Action is what a principal wants to do with a resource.
type Action string

const (
	Read   Action = "read" // read one or list
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	Accept Action = "accept" // take something offered, e.g. a colleague's shift
)

// The resources of the foundation. Later issues add theirs to the table.
const (
	Sites         Resource = "sites"
	Teams         Resource = "teams"
	Channels      Resource = "channels"
	Queues        Resource = "queues"
	Agents        Resource = "agents"
	Users         Resource = "users"
	Tokens        Resource = "tokens"
	Jobs          Resource = "jobs"
	SpecialDays   Resource = "special-days"
	Schedules     Resource = "schedules"      // shift plans: drafts and published revisions
	Shifts        Resource = "shifts"         // one agent's published shifts
	CalendarFeeds Resource = "calendar-feeds" // an agent's secret iCalendar URL
	TimeOff       Resource = "time-off"       // agents' time-off requests
	Swaps         Resource = "swaps"          // shift swap offers between agents
	Forecasts     Resource = "forecasts"      // contact history, forecasts and their accuracy
	Requirements  Resource = "requirements"   // staffing requirements computed from forecasts
	// ShiftTemplates are stored sets of shift templates that plans are generated from.
	ShiftTemplates Resource = "shift-templates"
	// AgentStates are the live states and queue actuals a contact center platform sends.
	AgentStates Resource = "agent-states"
	// Adherence is real-time adherence to the published schedule, and the exceptions that excuse it.
	Adherence Resource = "adherence"
	// LiveSettings are how adherence is judged (grace, states per activity) and platform statuses map.
	LiveSettings Resource = "live-settings"
)

// The quality monitoring resources. Planners reach no individual QA data.
const (
	Scorecards   Resource = "scorecards"   // QA scorecards and their versions
	Interactions Resource = "interactions" // customer interactions and their survey answers
	Evaluations  Resource = "evaluations"  // scored interactions; agents see only their released ones
	Disputes     Resource = "disputes"     // agents' objections to a released evaluation
	Calibrations Resource = "calibrations" // blind calibration sessions among reviewers
	Coaching     Resource = "coaching"     // coaching sessions; agents see only shared notes
	QATrends     Resource = "qa-trends"    // QA and survey results over time
)

// Scope says how much of a resource a role reaches with an action.
type Scope int

const (
	None Scope = iota // not allowed at all
	Own               // only records that are the principal's own (an agent's self)
	Team              // records of the principal's supervised teams, and their own
	All               // every record
)

type roleScopes map[org.Role]Scope

var (
	everyone   = roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleQAReviewer: All, org.RoleSupervisor: All, org.RoleAgent: All}
	adminOnly  = roleScopes{org.RoleAdmin: All}
	planners   = roleScopes{org.RoleAdmin: All, org.RolePlanner: All}
	peopleRead = roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleQAReviewer: All, org.RoleSupervisor: Team, org.RoleAgent: Own}
	// peopleTeam: agents act on their own records, supervisors on their team's, planners and admins on all.
	peopleTeam = roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleSupervisor: Team, org.RoleAgent: Own}
	deciders   = roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleSupervisor: Team}
	// qaPeople: reviewers and admins reach all, supervisors their team, agents themselves.
	qaPeople  = roleScopes{org.RoleAdmin: All, org.RoleQAReviewer: All, org.RoleSupervisor: Team, org.RoleAgent: Own}
	qaStaff   = roleScopes{org.RoleAdmin: All, org.RoleQAReviewer: All}
	coaches   = roleScopes{org.RoleAdmin: All, org.RoleQAReviewer: All, org.RoleSupervisor: Team}
	ownTokens = roleScopes{org.RoleAdmin: All, org.RolePlanner: Own, org.RoleQAReviewer: Own, org.RoleSupervisor: Own, org.RoleAgent: Own}
)

// policy is THE authorization table: resource -> action -> role -> scope.
// Handlers never check roles themselves; they ask Allow or ScopeOf.
var policy = map[Resource]map[Action]roleScopes{
	Sites:        {Read: everyone, Create: adminOnly, Update: adminOnly, Delete: adminOnly},
	Teams:        {Read: everyone, Create: adminOnly, Update: adminOnly, Delete: adminOnly},
	Channels:     {Read: everyone, Create: planners, Update: planners, Delete: adminOnly},
	Queues:       {Read: everyone, Create: planners, Update: planners, Delete: planners},
	Agents:       {Read: peopleRead, Create: planners, Update: planners, Delete: adminOnly},
	Users:        {Read: adminOnly, Create: adminOnly, Update: adminOnly, Delete: adminOnly},
	Tokens:       {Read: ownTokens, Create: ownTokens, Update: {}, Delete: ownTokens},
	Jobs:         {Read: planners, Create: adminOnly, Update: planners},
	SpecialDays:  {Read: everyone, Create: planners, Update: planners, Delete: planners},
	Schedules:    {Read: roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleSupervisor: All}, Create: planners, Update: planners},
	Shifts:       {Read: peopleTeam},
	TimeOff:      {Read: peopleTeam, Create: peopleTeam, Update: deciders, Delete: peopleTeam},
	Swaps:        {Read: peopleTeam, Create: peopleTeam, Update: deciders, Delete: peopleTeam, Accept: roleScopes{org.RoleAgent: All}},
	Forecasts:    {Read: planners, Create: planners},
	Requirements: {Read: roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleSupervisor: All}},
	Scorecards:   {Read: roleScopes{org.RoleAdmin: All, org.RoleQAReviewer: All, org.RoleSupervisor: All}, Create: qaStaff, Update: qaStaff},
	Interactions: {Read: coaches, Create: qaStaff},
	// Evaluations: agents read their own released ones and acknowledge them (Accept).
	Evaluations:  {Read: qaPeople, Create: qaStaff, Update: qaStaff, Accept: roleScopes{org.RoleAgent: Own}},
	Disputes:     {Read: qaPeople, Create: roleScopes{org.RoleAgent: Own}, Update: coaches},
	Calibrations: {Read: qaStaff, Create: qaStaff, Update: qaStaff},
	// Coaching: agents read their own sessions' shared notes and acknowledge them (Accept).
	Coaching: {Read: qaPeople, Create: coaches, Update: coaches, Accept: roleScopes{org.RoleAgent: Own}},
	QATrends: {Read: qaPeople},
	CalendarFeeds: {Create: roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleAgent: Own},
		Delete: roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleAgent: Own}},
	// ShiftTemplates: planners keep them; supervisors read them to understand a plan.
	ShiftTemplates: {Read: roleScopes{org.RoleAdmin: All, org.RolePlanner: All, org.RoleSupervisor: All}, Create: planners, Update: planners, Delete: planners},
	// AgentStates: the platform's integration signs in as a planner or admin to send them.
	AgentStates: {Read: deciders, Create: planners},
	// Adherence: agents see their own day, supervisors their teams'; deciders excuse it.
	Adherence: {Read: peopleTeam, Create: deciders},
	// LiveSettings: those who watch adherence read how it is judged; admins set it.
	LiveSettings: {Read: deciders, Update: adminOnly},
}

// ScopeOf returns how far p reaches with action on res. Disabled users reach nothing.
func (p Principal) ScopeOf(res Resource, action Action) Scope {
	if p.User.Disabled {
		return None
	}
	return policy[res][action][p.User.Role]
}

// Allow returns Forbidden unless p may take action on at least some records of res.
func (p Principal) Allow(res Resource, action Action) error {
	if p.ScopeOf(res, action) == None {
		return fault.Errorf(fault.Forbidden, "your role (%s) may not %s %s", p.User.Role, action, res)
	}
	return nil
}

// Owner describes whose a record is, for object-level checks.
type Owner struct {
	AgentID *int64 // the agent the record belongs to, if any
	TeamID  *int64 // the team the record belongs to, if any
	UserID  *int64 // the user the record belongs to, if any
}

// AllowObject returns nil if p may take action on a record owned as o. When the
// role may act on some records but not this one, it returns NotFound rather
// than Forbidden, so ids of other people's records reveal nothing.
func (p Principal) AllowObject(res Resource, action Action, o Owner) error {
	if err := p.Allow(res, action); err != nil {
		return err
	}
	if p.reaches(p.ScopeOf(res, action), o) {
		return nil
	}
	return fault.Errorf(fault.NotFound, "%s not found", singular(res))
}

func (p Principal) reaches(scope Scope, o Owner) bool {
	own := (o.AgentID != nil && p.User.AgentID != nil && *o.AgentID == *p.User.AgentID) ||
		(o.UserID != nil && *o.UserID == p.User.ID)
	switch scope {
	case All:
		return true
	case Team:
		return own || (o.TeamID != nil && slices.Contains(p.TeamIDs, *o.TeamID))
	case Own:
		return own
	}
	return false
}

func singular(r Resource) string {
	s := string(r)
	if len(s) > 1 && s[len(s)-1] == 's' {
		return s[:len(s)-1]
	}
	return s
}

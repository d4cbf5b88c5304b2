// Package calendar is the agent-facing side of published schedules: shifts and
// breaks as instants, the changes between two published revisions, stable
// identities for shifts across revisions, and the iCalendar feed. It is pure.
package calendar

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"time"
)

// Break is a break inside a shift.
type Break struct {
	Name  string    `json:"name"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Paid  bool      `json:"paid"`
}

// Shift is one agent's (or, in headcount plans, nobody's) working block.
// Start and End are instants; shown in any zone they keep their meaning.
type Shift struct {
	ID          int64     `json:"id"`
	UID         string    `json:"uid"` // stable across revisions of a plan
	AgentID     int64     `json:"agent_id"`
	QueueID     int64     `json:"queue_id,omitempty"`
	Template    string    `json:"template"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	PaidMinutes int       `json:"paid_minutes"`
	Breaks      []Break   `json:"breaks"`
	Note        string    `json:"note,omitempty"`
	// ShortNotice is set when the publication that made this shift what it is
	// changed it less than 48 hours ahead.
	ShortNotice bool `json:"short_notice"`
}

// NewUID returns a fresh shift identity.
func NewUID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CarryUIDs gives each shift of next the UID of the shift it continues in prev,
// so calendar apps update an event instead of adding a second one. A shift
// continues another when it belongs to the same agent and either starts at the
// same instant or overlaps it in time (a moved or stretched shift); each prev
// shift is continued at most once. A shift that continues none keeps its own
// UID unless that UID belongs to prev (a copied shift given to someone else),
// and otherwise gets a new one. next is modified in place.
func CarryUIDs(prev, next []Shift) {
	used := make([]bool, len(prev))
	byAgent := map[int64][]int{}
	prevUIDs := map[string]bool{}
	for i, s := range prev {
		byAgent[s.AgentID] = append(byAgent[s.AgentID], i)
		prevUIDs[s.UID] = true
	}
	match := func(s Shift, ok func(p Shift) bool) string {
		for _, i := range byAgent[s.AgentID] {
			if !used[i] && ok(prev[i]) {
				used[i] = true
				return prev[i].UID
			}
		}
		return ""
	}
	carried := make([]string, len(next))
	// Exact starts first, so an unchanged shift never loses its UID to a neighbour.
	for k := range next {
		carried[k] = match(next[k], func(p Shift) bool { return p.Start.Equal(next[k].Start) })
	}
	for k := range next {
		if carried[k] == "" {
			carried[k] = match(next[k], func(p Shift) bool { return p.Start.Before(next[k].End) && next[k].Start.Before(p.End) })
		}
		switch {
		case carried[k] != "":
			next[k].UID = carried[k]
		case next[k].UID == "" || prevUIDs[next[k].UID]:
			next[k].UID = NewUID()
		}
	}
}

// ChangeKind says how a shift changed between revisions.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed" // times, breaks, template or queue differ
)

// Change is one agent-visible difference between two revisions.
type Change struct {
	AgentID int64      `json:"agent_id"`
	UID     string     `json:"uid"`
	Kind    ChangeKind `json:"kind"`
	Before  *Shift     `json:"before,omitempty"`
	After   *Shift     `json:"after,omitempty"`
	// Soon is true when the change touches the 48 hours after the time it was
	// computed for, which agents must be told about prominently.
	Soon bool `json:"soon"`
}

// SoonWindow is how far ahead a change counts as short-notice.
const SoonWindow = 48 * time.Hour

// Diff lists what changed from prev to next, matched by UID (see CarryUIDs),
// ordered by agent and time. now marks changes inside the next 48 hours.
func Diff(prev, next []Shift, now time.Time) []Change {
	old := map[string]Shift{}
	for _, s := range prev {
		old[s.UID] = s
	}
	soon := func(ss ...*Shift) bool {
		for _, s := range ss {
			if s != nil && s.Start.Before(now.Add(SoonWindow)) && s.End.After(now) {
				return true
			}
		}
		return false
	}
	var out []Change
	seen := map[string]bool{}
	for i := range next {
		n := next[i]
		seen[n.UID] = true
		p, ok := old[n.UID]
		switch {
		case !ok:
			out = append(out, Change{AgentID: n.AgentID, UID: n.UID, Kind: Added, After: &n, Soon: soon(&n)})
		case !sameShift(p, n):
			out = append(out, Change{AgentID: n.AgentID, UID: n.UID, Kind: Changed, Before: &p, After: &n, Soon: soon(&p, &n)})
		}
	}
	for i := range prev {
		p := prev[i]
		if !seen[p.UID] {
			out = append(out, Change{AgentID: p.AgentID, UID: p.UID, Kind: Removed, Before: &p, Soon: soon(&p)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].AgentID != out[j].AgentID {
			return out[i].AgentID < out[j].AgentID
		}
		return changeTime(out[i]).Before(changeTime(out[j]))
	})
	return out
}

func changeTime(c Change) time.Time {
	if c.After != nil {
		return c.After.Start
	}
	return c.Before.Start
}

func sameShift(a, b Shift) bool {
	if !a.Start.Equal(b.Start) || !a.End.Equal(b.End) || a.Template != b.Template || a.QueueID != b.QueueID ||
		a.PaidMinutes != b.PaidMinutes || a.AgentID != b.AgentID || len(a.Breaks) != len(b.Breaks) {
		return false
	}
	for i := range a.Breaks {
		x, y := a.Breaks[i], b.Breaks[i]
		if x.Name != y.Name || x.Paid != y.Paid || !x.Start.Equal(y.Start) || !x.End.Equal(y.End) {
			return false
		}
	}
	return true
}

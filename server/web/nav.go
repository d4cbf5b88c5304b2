package web

import (
	"strings"

	"github.com/peakwise/peakwise/server/org"
)

// link is one entry of the menu. Current marks the page being shown (or the
// entry whose page it sits under, e.g. Schedules on a plan's page).
type link struct {
	Href, Label string
	Current     bool
}

// menuSection is a labelled group of the menu.
type menuSection struct {
	Label string
	Links []link
}

// The menu's sections. Each role's menu lists the pages its role may open
// and nothing it would be refused (the page handlers' onlyRoles and the
// authorization policy decide that; TestWebMenuPerRole opens every link of
// every role's menu to keep the two in step).
var (
	planningSection = menuSection{Label: "Planning", Links: []link{
		{Href: "/planner", Label: "Queues"},
		{Href: "/planner/history", Label: "Upload history"},
		{Href: "/planner/schedules", Label: "Schedules"},
		{Href: "/planner/templates", Label: "Shift templates"},
		{Href: "/planner/coverage", Label: "Coverage"},
		{Href: "/planner/jobs", Label: "Jobs"},
		{Href: "/swaps", Label: "Shift swaps"},
		{Href: "/live", Label: "Live board"},
		{Href: "/admin/queues", Label: "Queue settings"},
		{Href: "/admin/channels", Label: "Channels"},
		{Href: "/admin/special-days", Label: "Special days"},
		{Href: "/admin/agents", Label: "Agents"},
	}}
	qualitySection = menuSection{Label: "Quality", Links: []link{
		{Href: "/qa", Label: "Evaluations"},
		{Href: "/qa/interactions", Label: "Interactions"},
		{Href: "/qa/coaching/new", Label: "Plan coaching"},
		{Href: "/qa/scorecards", Label: "Scorecards"},
		{Href: "/qa/trends", Label: "Trends"},
	}}
	teamSection = menuSection{Label: "Team", Links: []link{
		{Href: "/team", Label: "My team"},
		{Href: "/swaps", Label: "Shift swaps"},
		{Href: "/live", Label: "Live board"},
		{Href: "/team/quality", Label: "Team quality"},
		{Href: "/qa/coaching/new", Label: "Plan coaching"},
	}}
	supervisorQuality = menuSection{Label: "Quality", Links: []link{
		{Href: "/qa/scorecards", Label: "Scorecards"},
		{Href: "/qa/trends", Label: "Trends"},
	}}
	adminSection = menuSection{Label: "Administration", Links: []link{
		{Href: "/admin", Label: "Users, teams and tokens"},
		{Href: "/admin/live", Label: "Live day settings"},
		{Href: "/admin/sites", Label: "Sites"},
	}}
	adminQuality = menuSection{Label: "Quality", Links: append(append([]link(nil), qualitySection.Links...),
		link{Href: "/team/quality", Label: "Team quality"})}
	// mySection is the pages of a user linked to an agent: their own
	// schedule and quality.
	mySection = menuSection{Label: "Me", Links: []link{
		{Href: "/me", Label: "My week"},
		{Href: "/me/quality", Label: "My quality"},
	}}
	agentSection = menuSection{Label: "My work", Links: []link{
		{Href: "/me", Label: "My week"},
		{Href: "/me/quality", Label: "My quality"},
		{Href: "/qa/trends", Label: "My trends"},
		{Href: "/me/today", Label: "My day"},
		{Href: "/swaps", Label: "Shift swaps"},
	}}
)

// menus is each role's menu, home section first.
var menus = map[org.Role][]menuSection{
	org.RolePlanner:    {planningSection},
	org.RoleQAReviewer: {qualitySection},
	org.RoleSupervisor: {teamSection, supervisorQuality},
	org.RoleAgent:      {agentSection},
	org.RoleAdmin:      {adminSection, planningSection, adminQuality},
}

// menuFor returns the menu of u shown on the page at path: its role's
// sections, then (for other roles than agent) the user's own pages when they
// are linked to an agent. The entry path is on, or sits under by the longest
// prefix, is marked current. The result is a fresh copy.
func menuFor(u org.User, path string) []menuSection {
	base := menus[u.Role]
	out := make([]menuSection, 0, len(base)+1)
	for _, s := range base {
		out = append(out, menuSection{Label: s.Label, Links: append([]link(nil), s.Links...)})
	}
	if u.AgentID != nil && u.Role != org.RoleAgent {
		out = append(out, menuSection{Label: mySection.Label, Links: append([]link(nil), mySection.Links...)})
	}
	best, bi, bj := -1, 0, 0
	for i, s := range out {
		for j, l := range s.Links {
			if (path == l.Href || strings.HasPrefix(path, l.Href+"/")) && len(l.Href) > best {
				best, bi, bj = len(l.Href), i, j
			}
		}
	}
	if best >= 0 {
		out[bi].Links[bj].Current = true
	}
	return out
}

package web

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// agentForm is the add and edit form of an agent: who they are, their
// channel skills (one level per channel), languages ("pt 5, en 3"), contract
// and weekly availability (one input per weekday, "08:00-16:00, 18:00-22:00").
// Preferences are kept as they are; the API changes them.
type agentForm struct {
	Name, Email, Timezone, TeamID string
	ChannelLevels                 map[string]string // channel key -> "" or 1-5
	Languages                     string
	ContractName                  string
	MinWeekHours, MaxWeekHours    string
	MaxShifts, MinRest, MaxDays   string
	Days                          map[string]string // weekday -> windows
	Version                       int

	agent org.Agent // set by Validate
	// windowDay is the weekday of each availability window Validate built,
	// so the service's availability[i] errors land on that day's input.
	windowDay []string
	// languageAt is the index in agent.Skills of the first language skill.
	languageAt int
}

var weekdayNames = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

func parseAgentForm(c echo.Context) recordForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := &agentForm{Name: v("name"), Email: v("email"), Timezone: v("timezone"), TeamID: v("team_id"),
		Languages: v("languages"), ContractName: v("contract.name"), MinWeekHours: v("contract.min_week_hours"), MaxWeekHours: v("contract.max_week_hours"),
		MaxShifts: v("contract.max_shifts_per_week"), MinRest: v("contract.min_rest_hours"), MaxDays: v("contract.max_consecutive_days"),
		ChannelLevels: map[string]string{}, Days: map[string]string{}}
	params, _ := c.FormParams()
	for k := range params {
		if key, ok := strings.CutPrefix(k, "skill."); ok {
			f.ChannelLevels[key] = v(k)
		}
	}
	for _, d := range org.Weekdays {
		f.Days[d] = v("availability." + d)
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	return f
}

// agentFormOf is the agent as the form shows them.
func agentFormOf(a org.Agent) *agentForm {
	g := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	f := &agentForm{Name: a.Name, Email: a.Email, Timezone: a.Timezone, ContractName: a.Contract.Name,
		MinWeekHours: g(a.Contract.MinWeekHours), MaxWeekHours: g(a.Contract.MaxWeekHours), MaxShifts: strconv.Itoa(a.Contract.MaxShiftsPerWeek),
		MinRest: g(a.Contract.MinRestHours), MaxDays: strconv.Itoa(a.Contract.MaxConsecutiveDays),
		ChannelLevels: map[string]string{}, Days: map[string]string{}, Version: a.Version, agent: a}
	if a.TeamID != nil {
		f.TeamID = strconv.FormatInt(*a.TeamID, 10)
	}
	var langs []string
	for _, s := range a.Skills {
		if s.Kind == "channel" {
			f.ChannelLevels[s.Value] = strconv.Itoa(s.Proficiency)
		} else {
			langs = append(langs, fmt.Sprintf("%s %d", s.Value, s.Proficiency))
		}
	}
	f.Languages = strings.Join(langs, ", ")
	for _, w := range a.Availability {
		if f.Days[w.Day] != "" {
			f.Days[w.Day] += ", "
		}
		f.Days[w.Day] += w.From + "-" + w.To
	}
	return f
}

// Validate reads the numbers, levels, languages and windows into the
// agent. Returns Invalid naming the inputs.
func (f *agentForm) Validate() error {
	fields := fault.Fields{}
	a := org.Agent{Name: f.Name, Email: f.Email, Timezone: f.Timezone, Preferences: f.agent.Preferences}
	if f.TeamID != "" {
		id := int64(formInt(fields, "team_id", f.TeamID))
		a.TeamID = &id
	}
	keys := make([]string, 0, len(f.ChannelLevels))
	for k := range f.ChannelLevels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if lv := f.ChannelLevels[k]; lv != "" {
			a.Skills = append(a.Skills, org.Skill{Kind: "channel", Value: k, Proficiency: formInt(fields, "skill."+k, lv)})
		}
	}
	f.languageAt = len(a.Skills)
	for _, part := range strings.Split(f.Languages, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		words := strings.Fields(part)
		lv, err := 0, error(nil)
		if len(words) == 2 {
			lv, err = strconv.Atoi(words[1])
		}
		if len(words) != 2 || err != nil {
			fields.Add("languages", "write each language as its code and level, e.g. pt 5, en 3; got %q", part)
			continue
		}
		a.Skills = append(a.Skills, org.Skill{Kind: "language", Value: words[0], Proficiency: lv})
	}
	a.Contract = org.Contract{Name: f.ContractName, MinWeekHours: formFloat(fields, "contract.min_week_hours", f.MinWeekHours),
		MaxWeekHours: formFloat(fields, "contract.max_week_hours", f.MaxWeekHours), MaxShiftsPerWeek: formInt(fields, "contract.max_shifts_per_week", f.MaxShifts),
		MinRestHours: formFloat(fields, "contract.min_rest_hours", f.MinRest), MaxConsecutiveDays: formInt(fields, "contract.max_consecutive_days", f.MaxDays)}
	f.windowDay = nil
	for _, d := range org.Weekdays {
		for _, span := range strings.Split(f.Days[d], ",") {
			if span = strings.TrimSpace(span); span == "" {
				continue
			}
			from, to, ok := strings.Cut(span, "-")
			if !ok {
				fields.Add("availability."+d, "write a span like 08:00-16:00, got %q", span)
				continue
			}
			a.Availability = append(a.Availability, org.Window{Day: d, From: strings.TrimSpace(from), To: strings.TrimSpace(to)})
			f.windowDay = append(f.windowDay, d)
		}
	}
	f.agent = a
	return fields.Err("invalid agent")
}

// fieldName puts the service's skills[i] and availability[i] errors on the
// inputs they came from.
func (f *agentForm) fieldName(key string) string {
	var i int
	if _, err := fmt.Sscanf(key, "availability[%d]", &i); err == nil && i >= 0 && i < len(f.windowDay) {
		return "availability." + f.windowDay[i]
	}
	if _, err := fmt.Sscanf(key, "skills[%d]", &i); err == nil && i >= 0 && i < len(f.agent.Skills) {
		if i >= f.languageAt {
			return "languages"
		}
		return "skill." + f.agent.Skills[i].Value
	}
	return key
}

func (f *agentForm) version() int { return f.Version }

var levelOptions = []option{{"", "none"}, {"1", "1 (learning)"}, {"2", "2"}, {"3", "3"}, {"4", "4"}, {"5", "5 (expert)"}}

func (f *agentForm) fields(opts recordOptions) []formField {
	teams := []option{{Value: "", Label: "no team"}}
	for _, t := range opts.Teams {
		teams = append(teams, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	out := []formField{
		{Name: "name", Label: "Name", Type: "text", Value: f.Name},
		{Name: "email", Label: "Email", Type: "email", Value: f.Email},
		{Name: "timezone", Label: "Time zone", Type: "text", Value: f.Timezone, Help: "An IANA zone, e.g. Europe/Lisbon; availability is on this clock."},
		{Name: "team_id", Label: "Team", Type: "select", Value: f.TeamID, Options: teams},
	}
	for _, ch := range opts.Channels {
		out = append(out, formField{Name: "skill." + ch.Key, Label: ch.Name + " skill level", Type: "select", Value: f.ChannelLevels[ch.Key], Options: levelOptions})
	}
	num := func(name, label, value, step string) formField {
		return formField{Name: name, Label: label, Type: "number", Value: value, Step: step, Min: "0"}
	}
	out = append(out,
		formField{Name: "languages", Label: "Languages and levels", Type: "text", Value: f.Languages, Help: "Code and level 1-5, e.g. pt 5, en 3."},
		formField{Name: "contract.name", Label: "Contract", Type: "text", Value: f.ContractName, Help: "e.g. FT or PT; shift templates may be limited to a contract."},
		num("contract.min_week_hours", "Least hours a week", f.MinWeekHours, "any"),
		num("contract.max_week_hours", "Most hours a week", f.MaxWeekHours, "any"),
		num("contract.max_shifts_per_week", "Most shifts a week", f.MaxShifts, "1"),
		num("contract.min_rest_hours", "Least rest between shifts (hours)", f.MinRest, "any"),
		num("contract.max_consecutive_days", "Most days in a row", f.MaxDays, "1"),
	)
	for i, d := range org.Weekdays {
		fl := formField{Name: "availability." + d, Label: "Available " + weekdayNames[d], Type: "text", Value: f.Days[d]}
		if i == 0 {
			fl.Help = "Spans like 08:00-16:00, comma-separated; 22:00-06:00 runs past midnight. Leave every day empty for any time; once one day has a span, empty days are days off."
		}
		out = append(out, fl)
	}
	return out
}

// agentsKind is the agents pages, for planners and admins; only admins delete.
func agentsKind(svc *service.Service) recordKind {
	return recordKind{
		res: auth.Agents, roles: []org.Role{org.RolePlanner, org.RoleAdmin}, singular: "agent", plural: "Agents", base: "/admin/agents",
		intro:   "The people who handle contacts: their skills and levels, contract and when they can work. Rostering reads them.",
		columns: []string{"Agent", "Team", "Skills", "Contract"},
		list: func(ctx context.Context) ([]recordRow, error) {
			agents, err := svc.AllAgents(ctx)
			if err != nil {
				return nil, err
			}
			teams, _, err := svc.FindTeams(ctx, service.TeamFilter{Page: pageAll})
			names := map[int64]string{}
			for _, t := range teams {
				names[t.ID] = t.Name
			}
			rows := make([]recordRow, len(agents))
			for i, a := range agents {
				team := "—"
				if a.TeamID != nil {
					team = names[*a.TeamID]
				}
				var skills []string
				for _, s := range a.Skills {
					skills = append(skills, fmt.Sprintf("%s %d", s.Value, s.Proficiency))
				}
				contract := fmt.Sprintf("%g-%g h, %d shifts", a.Contract.MinWeekHours, a.Contract.MaxWeekHours, a.Contract.MaxShiftsPerWeek)
				if a.Contract.Name != "" {
					contract = a.Contract.Name + ": " + contract
				}
				rows[i] = recordRow{ID: a.ID, Name: a.Name, Cells: []string{a.Name, team, strings.Join(skills, ", "), contract}}
			}
			return rows, err
		},
		parse: parseAgentForm,
		blank: func() recordForm {
			f := agentFormOf(org.Agent{Contract: org.DefaultContract})
			return f
		},
		records: recordCases[org.Agent, *agentForm]{
			find: svc.FindAgentByID, add: svc.CreateAgent, change: svc.UpdateAgent, remove: svc.DeleteAgent,
			formOf: agentFormOf,
			value:  func(f *agentForm) org.Agent { return f.agent },
			meta:   func(v *org.Agent) (*int64, *int) { return &v.ID, &v.Version },
			name:   func(v org.Agent) string { return v.Name },
			// The page does not show preferences; the API changes them.
			keep: func(current *agentForm, a *org.Agent) { a.Preferences = current.agent.Preferences },
		},
	}
}

package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// The QA pages' words for stored values: answers, criteria and audited
// changes. The formatters that need no QA types are in ui/words.go.

// scaleLabel names a scale value for a form: yes/no rather than 1/0.
func scaleLabel(scale qa.Scale, v int) string {
	if scale == qa.YesNo {
		if v == 1 {
			return "Yes"
		}
		return "No"
	}
	return strconv.Itoa(v)
}

// answerWords says an answer as the reviewer gave it: Yes or No on a yes/no
// criterion, "3 of 5" on a scale, N/A for nil.
func answerWords(scale qa.Scale, v *int) string {
	if v == nil {
		return "N/A"
	}
	if scale == qa.YesNo {
		return scaleLabel(scale, *v)
	}
	if _, hi, ok := scale.Bounds(); ok {
		return fmt.Sprintf("%d of %d", *v, hi)
	}
	return strconv.Itoa(*v)
}

// criteria indexes a scorecard's criteria by key.
type criteria map[string]qa.Criterion

func criteriaOf(sc qa.Scorecard) criteria {
	out := criteria{}
	for _, sec := range sc.Sections {
		for _, cr := range sec.Criteria {
			out[cr.Key] = cr
		}
	}
	return out
}

// title is a criterion's title, or its key when the scorecard lacks it.
func (cs criteria) title(key string) string {
	if cr, ok := cs[key]; ok && cr.Title != "" {
		return cr.Title
	}
	return key
}

// answer says value v of criterion key in words.
func (cs criteria) answer(key string, v *int) string {
	return answerWords(cs[key].Scale, v)
}

// disputeView is a dispute with its items in words.
type disputeView struct {
	qa.Dispute
	Items []disputeItemView
	// Criteria are the disputed criteria's titles, for lists.
	Criteria string
}

// disputeItemView is a disputed criterion: its title and the proposed answer.
type disputeItemView struct {
	qa.DisputeItem
	Title, Proposes string
}

// disputeViews says disputes in words with the criteria cs.
func disputeViews(cs criteria, ds []qa.Dispute) []disputeView {
	out := make([]disputeView, len(ds))
	for i, d := range ds {
		v := disputeView{Dispute: d, Items: make([]disputeItemView, len(d.Items))}
		titles := make([]string, len(d.Items))
		for j, it := range d.Items {
			v.Items[j] = disputeItemView{DisputeItem: it, Title: cs.title(it.Criterion), Proposes: cs.answer(it.Criterion, it.Proposed)}
			titles[j] = v.Items[j].Title
		}
		v.Criteria = strings.Join(titles, ", ")
		out[i] = v
	}
	return out
}

// allCriteria indexes the criteria of every scorecard by key, for pages that
// list disputes of many evaluations: keys are stable across versions.
func (s *Handler) allCriteria(ctx context.Context) (criteria, error) {
	out := criteria{}
	for page := (service.Page{Limit: 200}); ; page.Offset += page.Limit {
		scs, total, err := s.svc.FindScorecards(ctx, service.ScorecardFilter{IncludeArchived: true, Page: page})
		if err != nil {
			return nil, err
		}
		for _, sc := range scs {
			for k, cr := range criteriaOf(sc) {
				if _, ok := out[k]; !ok {
					out[k] = cr
				}
			}
		}
		if page.Offset+page.Limit >= total {
			return out, nil
		}
	}
}

// historyRow is one audited change of an evaluation, in words.
type historyRow struct {
	service.AuditEvent
	What    string
	Changes []string
}

// evalActions name the audited actions on an evaluation.
var evalActions = map[string]string{
	"rescore": "Score changed", qa.ActionSubmit: "Submitted", qa.ActionRelease: "Released", qa.ActionAcknowledge: "Acknowledged",
	"dispute": "Disputed", "dispute-accept": "Dispute accepted", "dispute-partial": "Dispute partly accepted", "dispute-reject": "Dispute rejected",
}

// evalSnap is what the audit log keeps of an evaluation (service.scoreSnap).
type evalSnap struct {
	State    string            `json:"state"`
	Answers  []qa.Answer       `json:"answers"`
	Total    *float64          `json:"total"`
	Outcome  string            `json:"outcome"`
	Comment  *string           `json:"comment"`
	Comments map[string]string `json:"comments"`
}

// evaluationHistory says each audited change of an evaluation scored on
// scorecard cs in words: "Criterion 'Greeting': No → Yes", "Comment
// changed", "State: draft → submitted".
func evaluationHistory(cs criteria, events []service.AuditEvent) []historyRow {
	out := make([]historyRow, 0, len(events))
	for _, ev := range events {
		row := historyRow{AuditEvent: ev, What: evalActions[ev.Action]}
		if row.What == "" {
			row.What = ev.Action
		}
		var before evalSnap
		_ = json.Unmarshal([]byte(ev.Before), &before)
		if ev.Action == "dispute" {
			// After is the dispute the agent opened.
			var d qa.Dispute
			_ = json.Unmarshal([]byte(ev.After), &d)
			if before.State != "" {
				row.Changes = append(row.Changes, "State: "+before.State+" → disputed")
			}
			for _, it := range d.Items {
				row.Changes = append(row.Changes, fmt.Sprintf("Criterion '%s': agent proposes %s", cs.title(it.Criterion), cs.answer(it.Criterion, it.Proposed)))
			}
		} else {
			var after evalSnap
			_ = json.Unmarshal([]byte(ev.After), &after)
			row.Changes = snapChanges(cs, before, after)
		}
		if len(row.Changes) == 0 {
			row.Changes = []string{"No change to the answers or score"}
		}
		out = append(out, row)
	}
	return out
}

// snapChanges lists what differs from a to b, criteria in scorecard order.
func snapChanges(cs criteria, a, b evalSnap) []string {
	var out []string
	if a.State != b.State && a.State != "" && b.State != "" {
		out = append(out, "State: "+a.State+" → "+b.State)
	}
	av, bv := map[string]*int{}, map[string]*int{}
	given := map[string]bool{}
	var keys []string
	for _, x := range a.Answers {
		av[x.Criterion] = x.Value
		if !given[x.Criterion] {
			given[x.Criterion], keys = true, append(keys, x.Criterion)
		}
	}
	for _, x := range b.Answers {
		bv[x.Criterion] = x.Value
		if !given[x.Criterion] {
			given[x.Criterion], keys = true, append(keys, x.Criterion)
		}
	}
	say := func(m map[string]*int, k string) string {
		v, ok := m[k]
		if !ok {
			return "not answered"
		}
		return cs.answer(k, v)
	}
	for _, k := range keys {
		if was, now := say(av, k), say(bv, k); was != now {
			out = append(out, fmt.Sprintf("Criterion '%s': %s → %s", cs.title(k), was, now))
		}
	}
	if score := func(f *float64) string {
		if f == nil {
			return "none"
		}
		return strconv.FormatFloat(*f, 'f', 2, 64)
	}; score(a.Total) != score(b.Total) {
		out = append(out, "Score: "+score(a.Total)+" → "+score(b.Total))
	}
	if a.Outcome != b.Outcome && a.Outcome != "" && b.Outcome != "" {
		out = append(out, "Outcome: "+codeWords(a.Outcome)+" → "+codeWords(b.Outcome))
	}
	// Snapshots carry comments since they carry the overall comment; older
	// ones say nothing of comments, which is not a change.
	if a.Comment == nil || b.Comment == nil {
		return out
	}
	if *a.Comment != *b.Comment {
		out = append(out, "Comment changed")
	}
	var commented []string
	for k := range a.Comments {
		commented = append(commented, k)
	}
	for k := range b.Comments {
		if _, ok := a.Comments[k]; !ok {
			commented = append(commented, k)
		}
	}
	slices.SortFunc(commented, func(x, y string) int { return cmp.Compare(cs[x].Title, cs[y].Title) })
	for _, k := range commented {
		if a.Comments[k] != b.Comments[k] {
			out = append(out, fmt.Sprintf("Comment on '%s' changed", cs.title(k)))
		}
	}
	return out
}

// codeWords turns a stored code into words: "not_scored" is "Not scored".
func codeWords(code string) string {
	if code == "" {
		return code
	}
	return strings.ToUpper(code[:1]) + strings.ReplaceAll(code[1:], "_", " ")
}

// alreadyDone says, for a life-cycle action refused as a conflict, that the
// record had already moved past it (the browser's Back resent an old form):
// "This evaluation was already released; nothing changed." what names the
// record, state is its state now and possible whether the action is still
// allowed from it (then the conflict was a real concurrent edit, and the
// service's message stands).
func alreadyDone(err error, what, state string, possible bool) (string, bool) {
	if !fault.Is(err, fault.Conflict) || possible {
		return "", false
	}
	return fmt.Sprintf("This %s was already %s; nothing changed.", what, strings.ReplaceAll(state, "_", " ")), true
}

// qaHome is where a role's QA work is listed, for "back" links.
func qaHome(role org.Role) (href, label string) {
	switch role {
	case org.RoleAgent:
		return "/me/quality", "your quality page"
	case org.RoleSupervisor:
		return "/team/quality", "team quality"
	}
	return "/qa", "the QA overview"
}

// showAlreadyDone puts alreadyDone's message and a link back on pg.
func showAlreadyDone(pg *page, msg string, role org.Role) {
	pg.Data["AlreadyDone"] = msg
	pg.Data["Back"], pg.Data["BackLabel"] = qaHome(role)
}

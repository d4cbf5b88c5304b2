package qa

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// SamplePlan says how many interactions to review per agent and week, and by whom.
type SamplePlan struct {
	// PerAgentPerWeek is how many interactions to draw per agent (at least 1).
	PerAgentPerWeek int `json:"per_agent_per_week"`
	// Seed makes the draw reproducible: the same seed, week and interactions give the same plan.
	Seed int64 `json:"seed"`
	// Reviewers share the work; nobody reviews their own interactions.
	Reviewers []string `json:"reviewers"`
	// DueAfter is added to the end of the week to give the due instant (>= 0).
	DueAfter time.Duration `json:"due_after"`
	Filter   SampleFilter  `json:"filter"`
}

// SampleFilter restricts which interactions can be drawn. Zero fields do not restrict.
type SampleFilter struct {
	Channels []string `json:"channels"` // empty: any channel
	Queues   []string `json:"queues"`   // empty: any queue
	// MinHandleSeconds and MaxHandleSeconds bound the handle time, inclusive; 0 = no bound.
	MinHandleSeconds int `json:"min_handle_seconds"`
	MaxHandleSeconds int `json:"max_handle_seconds"`
	// MaxCSAT, when set, keeps only interactions with a CSAT answer at or below it
	// (to review unhappy customers); interactions without a CSAT answer are left out.
	MaxCSAT *int `json:"max_csat"`
}

// Matches reports whether in passes the filter (not the week; Sample checks that).
func (f SampleFilter) Matches(in Interaction) bool {
	switch {
	case len(f.Channels) > 0 && !slices.Contains(f.Channels, in.Channel):
		return false
	case len(f.Queues) > 0 && !slices.Contains(f.Queues, in.Queue):
		return false
	case f.MinHandleSeconds > 0 && in.HandleSeconds < f.MinHandleSeconds:
		return false
	case f.MaxHandleSeconds > 0 && in.HandleSeconds > f.MaxHandleSeconds:
		return false
	case f.MaxCSAT != nil && (in.CSAT == nil || *in.CSAT > *f.MaxCSAT):
		return false
	}
	return true
}

// Assignment asks a reviewer to evaluate one interaction of an agent by Due.
type Assignment struct {
	ExternalID string    `json:"external_id"`
	Agent      string    `json:"agent"`
	Reviewer   string    `json:"reviewer"`
	Due        time.Time `json:"due"`
}

// Validate lists every problem with the plan as FieldErrors: per_agent_per_week at least 1,
// at least one reviewer, no blank or repeated reviewer, due_after not negative, handle-time
// bounds not negative and min <= max, max_csat on the CSAT scale.
func (p SamplePlan) Validate() error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if p.PerAgentPerWeek < 1 {
		add("per_agent_per_week", "must be at least 1, got %d", p.PerAgentPerWeek)
	}
	if len(p.Reviewers) == 0 {
		add("reviewers", "at least one reviewer is needed")
	}
	seen := map[string]bool{}
	for i, r := range p.Reviewers {
		switch {
		case strings.TrimSpace(r) == "":
			add(fmt.Sprintf("reviewers[%d]", i), "is blank")
		case seen[r]:
			add(fmt.Sprintf("reviewers[%d]", i), "%q is listed twice", r)
		}
		seen[r] = true
	}
	if p.DueAfter < 0 {
		add("due_after", "cannot be negative, got %s", p.DueAfter)
	}
	f := p.Filter
	if f.MinHandleSeconds < 0 {
		add("filter.min_handle_seconds", "cannot be negative, got %d", f.MinHandleSeconds)
	}
	if f.MaxHandleSeconds < 0 {
		add("filter.max_handle_seconds", "cannot be negative, got %d", f.MaxHandleSeconds)
	}
	if f.MaxHandleSeconds > 0 && f.MinHandleSeconds > f.MaxHandleSeconds {
		add("filter.max_handle_seconds", "must be at least min_handle_seconds (%d), got %d", f.MinHandleSeconds, f.MaxHandleSeconds)
	}
	if f.MaxCSAT != nil && (*f.MaxCSAT < CSATMin || *f.MaxCSAT > CSATMax) {
		add("filter.max_csat", "must be between %d and %d, got %d", CSATMin, CSATMax, *f.MaxCSAT)
	}
	if errs != nil {
		return errs
	}
	return nil
}

// Sample draws the review assignments for the week that starts at weekStart: the 7 local
// days from weekStart in loc (so a week over a DST change is 167 or 169 hours long).
//
//   - Candidates are the interactions with an agent, started in [weekStart, weekStart + 7
//     local days) and matching plan.Filter.
//   - Per agent, PerAgentPerWeek candidates are drawn at random, spread over the days: in
//     rounds, each day that still has candidates gives one, in a random order of days, until
//     enough are drawn. An agent with fewer candidates gets all of them (no error).
//   - The drawn interactions are split across the reviewers, never to their own agent, with
//     loads as even as that allows: they differ by at most one unless a reviewer's share is
//     capped because the rest is their own work (see assignReviewers). Within that, items go
//     round-robin to the reviewer with the most left to take; which reviewers get the extra
//     item when the total does not divide evenly is drawn with the seed and week.
//   - Due is weekStart + 7 local days + DueAfter for every assignment.
//
// The result is sorted by agent, then interaction start, then external id, and depends only
// on the plan (reviewers in any order), the week and the set of interactions, not their
// order: candidates are sorted before they are shuffled by a generator seeded with the
// seed, the week and the agent. It returns the plan's FieldErrors (see Validate), an error
// for a zero weekStart or nil loc, for two candidates with the same external id, and for an
// agent with candidates whose only possible reviewer is themselves.
func Sample(plan SamplePlan, interactions []Interaction, weekStart time.Time, loc *time.Location) ([]Assignment, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	if loc == nil {
		return nil, errors.New("sample: a time zone (loc) is required to cut the week into days")
	}
	if weekStart.IsZero() {
		return nil, errors.New("sample: weekStart is required")
	}
	start := weekStart.In(loc)
	var days [8]time.Time
	for d := range days {
		days[d] = start.AddDate(0, 0, d)
	}
	due := days[7].Add(plan.DueAfter)

	// Candidates per agent and local day (drawSpread sorts them by external id).
	byAgent := map[string]*[7][]int{} // indexes into interactions
	ids := make(map[string]bool, len(interactions))
	for idx, in := range interactions {
		if in.Agent == "" || in.StartedAt.Before(days[0]) || !in.StartedAt.Before(days[7]) || !plan.Filter.Matches(in) {
			continue
		}
		if ids[in.ExternalID] {
			return nil, fmt.Errorf("sample: interaction %q appears twice", in.ExternalID)
		}
		ids[in.ExternalID] = true
		d := 0
		for d < 6 && !in.StartedAt.Before(days[d+1]) {
			d++
		}
		perDay := byAgent[in.Agent]
		if perDay == nil {
			perDay = new([7][]int)
			byAgent[in.Agent] = perDay
		}
		perDay[d] = append(perDay[d], idx)
	}

	reviewers := slices.Clone(plan.Reviewers)
	slices.Sort(reviewers)
	agents := make([]string, 0, len(byAgent))
	for a := range byAgent {
		agents = append(agents, a)
	}
	slices.Sort(agents)

	drawn := make([][]int, len(agents))
	counts := make([]int, len(agents))
	for i, agent := range agents {
		if len(reviewers) == 1 && reviewers[0] == agent {
			return nil, fmt.Errorf("sample: agent %q has interactions to review, but the only reviewer is %q themselves", agent, agent)
		}
		rng := rand.New(rand.NewPCG(uint64(plan.Seed)^uint64(weekStart.Unix()), hashString(agent)))
		drawn[i] = drawSpread(rng, byAgent[agent], interactions, plan.PerAgentPerWeek)
		counts[i] = len(drawn[i])
	}
	reviewerOf, err := assignReviewers(reviewers, agents, counts, rand.New(rand.NewPCG(uint64(plan.Seed)^uint64(weekStart.Unix()), 0)))
	if err != nil {
		return nil, err
	}

	type pick struct {
		Assignment
		start time.Time
	}
	var picks []pick
	for i, agent := range agents {
		for j, idx := range drawn[i] {
			in := interactions[idx]
			picks = append(picks, pick{Assignment{ExternalID: in.ExternalID, Agent: agent, Reviewer: reviewerOf[i][j], Due: due}, in.StartedAt})
		}
	}
	slices.SortFunc(picks, func(a, b pick) int {
		return cmp.Or(strings.Compare(a.Agent, b.Agent), a.start.Compare(b.start), strings.Compare(a.ExternalID, b.ExternalID))
	})
	out := make([]Assignment, len(picks))
	for i, p := range picks {
		out[i] = p.Assignment
	}
	return out, nil
}

// drawSpread draws n interactions from the per-day candidates: each day's list is sorted by
// external id (so the input order does not matter) and shuffled; then, in rounds, every day
// that still has candidates gives one, days in a random order, until n are drawn or none are
// left.
func drawSpread(rng *rand.Rand, perDay *[7][]int, interactions []Interaction, n int) []int {
	for d := range perDay {
		slices.SortFunc(perDay[d], func(a, b int) int { return strings.Compare(interactions[a].ExternalID, interactions[b].ExternalID) })
		rng.Shuffle(len(perDay[d]), func(i, j int) { perDay[d][i], perDay[d][j] = perDay[d][j], perDay[d][i] })
	}
	var drawn []int
	for round := 0; len(drawn) < n; round++ {
		var open []int
		for d := range perDay {
			if round < len(perDay[d]) {
				open = append(open, d)
			}
		}
		if len(open) == 0 {
			break // fewer candidates than asked for
		}
		rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
		for _, d := range open {
			if len(drawn) == n {
				break
			}
			drawn = append(drawn, perDay[d][round])
		}
	}
	return drawn
}

// assignReviewers returns a reviewer for each of the counts[i] interactions drawn for
// agents[i] (reviewerOf[i][k]),
// never the agent themselves, with loads as even as that allows.
//
// Targets first: reviewer r can take at most cap_r = T - (items of agent r) of the T items,
// and each gets min(cap_r, level) for the highest level that fits, the remainder going one
// each to reviewers picked at random among those with room. Such targets can always be met:
// by Hall's theorem a set of two or more reviewers can take any item, so the only condition
// is target_r <= cap_r. They are met by handing out items one at a time while keeping that
// condition true for what is left: rem_r <= L - left_r, where rem_r is r's remaining target,
// L the items left and left_r those of agent r. A reviewer for whom it is an equality
// ("tight") must be served at once: given an item, or have one of their own items go to
// someone else. Otherwise the next item (agents in order) goes to the reviewer with the
// most remaining target, ties in turn (round-robin).
//
// The error is an internal one (a broken invariant) and should never occur.
func assignReviewers(reviewers, agents []string, counts []int, rng *rand.Rand) ([][]string, error) {
	R := len(reviewers)
	total := 0
	for _, c := range counts {
		total += c
	}
	agentIdx := map[string]int{}
	for i, a := range agents {
		agentIdx[a] = i
	}
	own := make([]int, R) // index of the reviewer's own agent group, or -1
	caps := make([]int, R)
	for r, name := range reviewers {
		own[r] = -1
		caps[r] = total
		if i, ok := agentIdx[name]; ok {
			own[r] = i
			caps[r] -= counts[i]
		}
	}
	// Water-filling: the highest level with sum min(cap, level) <= total.
	sumAt := func(level int) int {
		s := 0
		for _, c := range caps {
			s += min(c, level)
		}
		return s
	}
	lo, hi := 0, total
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if sumAt(mid) <= total {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	rem := make([]int, R)
	var room []int
	for r, c := range caps {
		rem[r] = min(c, lo)
		if c > lo {
			room = append(room, r)
		}
	}
	rng.Shuffle(len(room), func(i, j int) { room[i], room[j] = room[j], room[i] })
	for _, r := range room[:total-sumAt(lo)] {
		rem[r]++
	}

	left := make([]int, len(agents))
	next := make([]int, len(agents)) // next unassigned item of each agent
	out := make([][]string, len(agents))
	for i, c := range counts {
		left[i] = c
		out[i] = make([]string, c)
	}
	leftOwn := func(r int) int {
		if own[r] < 0 {
			return 0
		}
		return left[own[r]]
	}
	firstAgent := func(skip int) int { // the first agent with items left, other than skip
		for i := range agents {
			if i != skip && left[i] > 0 {
				return i
			}
		}
		return -1
	}
	cursor := 0
	bestReviewer := func(exclude int) int { // most remaining target, ties from the cursor on
		best := -1
		for k := 0; k < R; k++ {
			r := (cursor + k) % R
			if r != exclude && rem[r] > 0 && (best < 0 || rem[r] > rem[best]) {
				best = r
			}
		}
		return best
	}
	for L := total; L > 0; L-- {
		var tight []int
		for r := range reviewers {
			if rem[r]+leftOwn(r) == L {
				tight = append(tight, r)
			}
		}
		g, r := -1, -1
		switch {
		case len(tight) == 2: // all that is left is these two agents' items, for each other
			s, t := tight[0], tight[1]
			if rem[t] == 0 {
				s, t = t, s
			}
			g, r = own[s], t
		case len(tight) == 1 && rem[tight[0]] > 0:
			r = tight[0]
			g = firstAgent(own[r])
		case len(tight) == 1: // nothing more for them, but all their own items are left
			g = own[tight[0]]
		default:
			g = firstAgent(-1)
		}
		if g >= 0 && r < 0 {
			r = bestReviewer(reviewerIndex(reviewers, agents[g]))
		}
		if g < 0 || r < 0 {
			return nil, fmt.Errorf("sample: internal error: no reviewer found with %d interactions left to assign", L)
		}
		out[g][next[g]] = reviewers[r]
		next[g]++
		left[g]--
		rem[r]--
		cursor = (r + 1) % R
	}
	return out, nil
}

func reviewerIndex(reviewers []string, name string) int {
	i, ok := slices.BinarySearch(reviewers, name)
	if !ok {
		return -1
	}
	return i
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

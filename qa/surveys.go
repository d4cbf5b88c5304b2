package qa

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Interaction is one customer contact as imported for QA and survey metrics. Survey answers
// and resolution data are optional (nil when unknown).
type Interaction struct {
	ExternalID string    `json:"external_id"` // the id in the source system; unique per import source
	Channel    string    `json:"channel"`     // e.g. voice, chat, email
	Queue      string    `json:"queue"`
	Agent      string    `json:"agent"`
	Customer   string    `json:"customer"` // a stable customer reference; "" when unknown (left out of FCR)
	StartedAt  time.Time `json:"started_at"`
	// HandleSeconds is talk/work time plus after-contact work.
	HandleSeconds int `json:"handle_seconds"`
	// ResolutionSeconds is the time from start until the case was resolved.
	ResolutionSeconds *int `json:"resolution_seconds"`
	// Resolved is the agent's or system's disposition: resolved on this contact or not.
	Resolved *bool `json:"resolved"`
	CSAT     *int  `json:"csat"` // 1-5
	NPS      *int  `json:"nps"`  // 0-10
	CES      *int  `json:"ces"`  // 1-7, 7 = very easy
}

// Bounds of an interaction's handling data and text: a contact handled for
// more than a day, or resolved more than a year after it started, is an
// error in the export, and values past them overflowed the metrics' sums.
const (
	MaxHandleSeconds     = 86_400
	MaxResolutionSeconds = 366 * 86_400
	MaxTextLen           = 200 // external_id, channel, queue, customer
)

// Survey scales.
const (
	CSATMin, CSATMax = 1, 5
	NPSMin, NPSMax   = 0, 10
	CESMin, CESMax   = 1, 7
)

// Validate lists every problem with the interaction as FieldErrors: external_id and agent
// are required (not blank), started_at must be set, handle_seconds and resolution_seconds
// lie within their bounds, text fields are at most MaxTextLen long, and the survey answers
// must be on their scales (CSAT 1-5, NPS 0-10, CES 1-7).
func (in Interaction) Validate() error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(in.ExternalID) == "" {
		add("external_id", "is required")
	}
	if strings.TrimSpace(in.Agent) == "" {
		add("agent", "is required")
	}
	if in.StartedAt.IsZero() {
		add("started_at", "is required")
	}
	for _, f := range []struct{ name, v string }{{"external_id", in.ExternalID}, {"channel", in.Channel}, {"queue", in.Queue}, {"customer", in.Customer}} {
		switch {
		case len(f.v) > MaxTextLen:
			add(f.name, "is longer than %d characters", MaxTextLen)
		case !utf8.ValidString(f.v):
			add(f.name, "is not UTF-8 text")
		case strings.ContainsFunc(f.v, unicode.IsControl):
			add(f.name, "holds a control character")
		}
	}
	if in.HandleSeconds < 0 || in.HandleSeconds > MaxHandleSeconds {
		add("handle_seconds", "must be between 0 and %d (a day), got %d", MaxHandleSeconds, in.HandleSeconds)
	}
	if in.ResolutionSeconds != nil && (*in.ResolutionSeconds < 0 || *in.ResolutionSeconds > MaxResolutionSeconds) {
		add("resolution_seconds", "must be between 0 and %d (366 days), got %d", MaxResolutionSeconds, *in.ResolutionSeconds)
	}
	check := func(field string, v *int, lo, hi int) {
		if v != nil && (*v < lo || *v > hi) {
			add(field, "must be between %d and %d, got %d", lo, hi, *v)
		}
	}
	check("csat", in.CSAT, CSATMin, CSATMax)
	check("nps", in.NPS, NPSMin, NPSMax)
	check("ces", in.CES, CESMin, CESMax)
	if errs != nil {
		return errs
	}
	return nil
}

// Metrics are the survey and handling metrics of a set of interactions (docs/qa-metrics.md).
// Percentages are 0-100 (NPS -100 to 100) and unrounded; a nil metric has no data.
type Metrics struct {
	Interactions int `json:"interactions"`
	// CSATResponses counts CSAT answers; CSAT is the percentage of them that are 4 or 5.
	CSATResponses int      `json:"csat_responses"`
	CSAT          *float64 `json:"csat"`
	// NPSResponses counts NPS answers; NPS is % promoters (9-10) minus % detractors (0-6).
	NPSResponses int      `json:"nps_responses"`
	NPS          *float64 `json:"nps"`
	// CESResponses counts CES answers; CESMean is their mean (1-7), CESHigh the percentage 5-7.
	CESResponses int      `json:"ces_responses"`
	CESMean      *float64 `json:"ces_mean"`
	CESHigh      *float64 `json:"ces_high"`
	// FCRInteractions counts the interactions FCR is computed on (those with a customer);
	// FCR is the percentage of them with no further contact from the customer in the window.
	FCRInteractions int      `json:"fcr_interactions"`
	FCR             *float64 `json:"fcr"`
	// ResolvedResponses counts interactions with a Resolved disposition; ResolvedRate is the
	// percentage of them marked resolved.
	ResolvedResponses int      `json:"resolved_responses"`
	ResolvedRate      *float64 `json:"resolved_rate"`
	// AHTSeconds is the mean handle time; AvgResolutionSeconds the mean of the known
	// resolution times.
	AHTSeconds           *float64 `json:"aht_seconds"`
	AvgResolutionSeconds *float64 `json:"avg_resolution_seconds"`
}

// Summarize computes Metrics over the interactions of all that keep accepts (all of them
// when keep is nil). Definitions (docs/qa-metrics.md):
//
//	CSAT = 100 x (answers 4 or 5) / answers            NPS = 100 x (promoters 9-10 - detractors 0-6) / answers
//	CES  = mean of answers; CESHigh = 100 x (answers 5-7) / answers
//	FCR  = 100 x (kept interactions with a customer and no other interaction of that customer,
//	       anywhere in all, starting in (StartedAt, StartedAt + fcrWindow]) / kept interactions with a customer
//	AHT  = mean HandleSeconds; AvgResolutionSeconds = mean of the non-nil ResolutionSeconds
//
// The follow-up contact may be outside the kept set (another queue, channel or agent), so
// pass all the interactions that can be follow-ups, not just the filtered ones. The last
// interactions, whose window reaches past the newest data, are still counted: a repeat
// contact that has not happened yet cannot be seen, so recent FCR is optimistic until the
// window has passed. Contacts starting at the same instant are not follow-ups of each other.
// FCR is nil when fcrWindow <= 0 or no kept interaction has a customer. Interactions should
// be valid (see Validate); survey answers off their scale are ignored rather than counted.
func Summarize(all []Interaction, keep func(Interaction) bool, fcrWindow time.Duration) Metrics {
	var m Metrics
	var csatGood, promoters, detractors, cesSum, cesHigh, resolvedYes, fcrYes int
	var handle, resolution float64
	var resolutionN int
	var next map[string][]time.Time
	if fcrWindow > 0 {
		next = contactTimes(all)
	}
	for _, in := range all {
		if keep != nil && !keep(in) {
			continue
		}
		m.Interactions++
		handle += float64(in.HandleSeconds)
		if in.ResolutionSeconds != nil {
			resolution += float64(*in.ResolutionSeconds)
			resolutionN++
		}
		if in.Resolved != nil {
			m.ResolvedResponses++
			if *in.Resolved {
				resolvedYes++
			}
		}
		if x := in.CSAT; x != nil && *x >= CSATMin && *x <= CSATMax {
			m.CSATResponses++
			if *x >= 4 {
				csatGood++
			}
		}
		if x := in.NPS; x != nil && *x >= NPSMin && *x <= NPSMax {
			m.NPSResponses++
			switch {
			case *x >= 9:
				promoters++
			case *x <= 6:
				detractors++
			}
		}
		if x := in.CES; x != nil && *x >= CESMin && *x <= CESMax {
			m.CESResponses++
			cesSum += *x
			if *x >= 5 {
				cesHigh++
			}
		}
		if next != nil && in.Customer != "" {
			m.FCRInteractions++
			if !followedUp(next[in.Customer], in.StartedAt, fcrWindow) {
				fcrYes++
			}
		}
	}
	m.CSAT = percent(csatGood, m.CSATResponses)
	if m.NPSResponses > 0 {
		x := 100 * float64(promoters-detractors) / float64(m.NPSResponses)
		m.NPS = &x
	}
	m.CESHigh = percent(cesHigh, m.CESResponses)
	if m.CESResponses > 0 {
		x := float64(cesSum) / float64(m.CESResponses)
		m.CESMean = &x
	}
	m.FCR = percent(fcrYes, m.FCRInteractions)
	m.ResolvedRate = percent(resolvedYes, m.ResolvedResponses)
	if m.Interactions > 0 {
		x := handle / float64(m.Interactions)
		m.AHTSeconds = &x
	}
	if resolutionN > 0 {
		x := resolution / float64(resolutionN)
		m.AvgResolutionSeconds = &x
	}
	return m
}

// contactTimes returns the sorted start times of every customer's interactions.
func contactTimes(all []Interaction) map[string][]time.Time {
	by := map[string][]time.Time{}
	for _, in := range all {
		if in.Customer != "" {
			by[in.Customer] = append(by[in.Customer], in.StartedAt)
		}
	}
	for _, ts := range by {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	}
	return by
}

// followedUp reports whether times (sorted) has an instant in (t, t + window].
func followedUp(times []time.Time, t time.Time, window time.Duration) bool {
	i := sort.Search(len(times), func(i int) bool { return times[i].After(t) })
	return i < len(times) && !times[i].After(t.Add(window))
}

func percent(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	x := 100 * float64(part) / float64(whole)
	return &x
}

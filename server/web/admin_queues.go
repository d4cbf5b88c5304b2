package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/ui"
)

// queueForm is the add and edit form of a queue: its channel, clock and
// language, its targets and staffing assumptions. Form fields carry the
// API's names; occupancy and shrinkage are in percent.
type queueForm struct {
	Name, ChannelID, Timezone, Language                 string
	ServiceLevelPct, AnswerWithin, ResponseWithin       string
	DefaultAHT, ChatConcurrency, IntervalMin, ASATarget string
	MaxOccupancyPct, ShrinkagePct, Patience             string
	MinProficiency, MinLanguageProficiency              string
	Version                                             int

	queue org.Queue // set by Validate
}

func parseQueueForm(c echo.Context) recordForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := &queueForm{Name: v("name"), ChannelID: v("channel_id"), Timezone: v("timezone"), Language: v("language"),
		ServiceLevelPct: v("service_level_pct"), AnswerWithin: v("answer_within_seconds"), ResponseWithin: v("response_within_seconds"),
		DefaultAHT: v("default_aht_seconds"), ChatConcurrency: v("chat_concurrency"), IntervalMin: v("interval_minutes"), ASATarget: v("asa_target_seconds"),
		MaxOccupancyPct: v("max_occupancy"), ShrinkagePct: v("shrinkage"), Patience: v("patience_seconds"),
		MinProficiency: v("min_proficiency"), MinLanguageProficiency: v("min_language_proficiency")}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	return f
}

// queueFormOf is the queue as its form shows it.
func queueFormOf(q org.Queue) *queueForm {
	i, g := strconv.Itoa, func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	return &queueForm{Name: q.Name, ChannelID: strconv.FormatInt(q.ChannelID, 10), Timezone: q.Timezone, Language: q.Language,
		ServiceLevelPct: g(q.ServiceLevelPct), AnswerWithin: i(q.AnswerWithinSec), ResponseWithin: i(q.ResponseWithinSec),
		DefaultAHT: i(q.DefaultAHTSec), ChatConcurrency: i(q.ChatConcurrency), IntervalMin: i(q.IntervalMin), ASATarget: i(q.ASATargetSec),
		MaxOccupancyPct: g(q.MaxOccupancy * 100), ShrinkagePct: g(q.Shrinkage * 100), Patience: i(q.PatienceSec),
		MinProficiency: i(q.MinProficiency), MinLanguageProficiency: i(q.MinLanguageProficiency), Version: q.Version}
}

// Validate reads the numbers into the queue and checks the two percentages
// (the queue's rules name them as shares of 1, which the form does not
// show). Returns Invalid naming the fields.
func (f *queueForm) Validate() error {
	fields := fault.Fields{}
	q := org.Queue{Name: f.Name, Timezone: f.Timezone, Language: f.Language}
	q.ChannelID = int64(formInt(fields, "channel_id", f.ChannelID))
	q.ServiceLevelPct = formFloat(fields, "service_level_pct", f.ServiceLevelPct)
	q.AnswerWithinSec = formInt(fields, "answer_within_seconds", f.AnswerWithin)
	q.ResponseWithinSec = formInt(fields, "response_within_seconds", f.ResponseWithin)
	q.DefaultAHTSec = formInt(fields, "default_aht_seconds", f.DefaultAHT)
	q.ChatConcurrency = formInt(fields, "chat_concurrency", f.ChatConcurrency)
	q.IntervalMin = formInt(fields, "interval_minutes", f.IntervalMin)
	q.ASATargetSec = formInt(fields, "asa_target_seconds", f.ASATarget)
	q.PatienceSec = formInt(fields, "patience_seconds", f.Patience)
	q.MinProficiency = formInt(fields, "min_proficiency", f.MinProficiency)
	q.MinLanguageProficiency = formInt(fields, "min_language_proficiency", f.MinLanguageProficiency)
	occ := formFloat(fields, "max_occupancy", f.MaxOccupancyPct)
	if f.MaxOccupancyPct != "" && (occ <= 0 || occ > 100) {
		fields.Add("max_occupancy", "must be above 0%% and at most 100%%, got %g%%", occ)
	}
	shr := formFloat(fields, "shrinkage", f.ShrinkagePct)
	if shr < 0 || shr >= 100 {
		fields.Add("shrinkage", "must be at least 0%% and below 100%%, got %g%%", shr)
	}
	q.MaxOccupancy, q.Shrinkage = occ/100, shr/100
	f.queue = q.WithDefaults()
	return fields.Err("invalid queue")
}

func (f *queueForm) version() int { return f.Version }

var intervalOptions = []option{{"15", "15 minutes"}, {"30", "30 minutes"}, {"60", "60 minutes"}}

func (f *queueForm) fields(opts recordOptions) []formField {
	chs := make([]option, len(opts.Channels))
	for i, ch := range opts.Channels {
		chs[i] = option{Value: strconv.FormatInt(ch.ID, 10), Label: ch.Name + " (" + channelKindName(ch.Kind) + ")"}
	}
	num := func(name, label, value, help, step string) formField {
		return formField{Name: name, Label: label, Type: "number", Value: value, Help: help, Step: step, Min: "0"}
	}
	return []formField{
		{Name: "name", Label: "Name", Type: "text", Value: f.Name},
		{Name: "channel_id", Label: "Channel", Type: "select", Value: f.ChannelID, Options: chs},
		{Name: "timezone", Label: "Time zone", Type: "text", Value: f.Timezone, Help: "An IANA zone, e.g. Europe/Lisbon; the queue's days and intervals run on this clock."},
		{Name: "language", Label: "Language (optional)", Type: "text", Value: f.Language, Help: "A language skill agents need, e.g. pt."},
		num("service_level_pct", "Service level target (%)", f.ServiceLevelPct, "e.g. 80 for 80% answered within the time below.", "any"),
		num("answer_within_seconds", "Answered within (seconds, live channels)", f.AnswerWithin, "e.g. 20; needed for calls and chats.", "1"),
		num("response_within_seconds", "Responded within (seconds, later channels)", f.ResponseWithin, "e.g. 14400 for 4 hours; needed for email.", "1"),
		num("default_aht_seconds", "Default handle time (seconds)", f.DefaultAHT, "Used where the forecast has no handle time.", "1"),
		num("asa_target_seconds", "Average speed of answer target (seconds, 0 for none)", f.ASATarget, "", "1"),
		num("max_occupancy", "Maximum occupancy (%)", f.MaxOccupancyPct, "Empty for 85%.", "any"),
		num("shrinkage", "Shrinkage (%)", f.ShrinkagePct, "Share of paid time off the queue: breaks, meetings, absence.", "any"),
		num("patience_seconds", "Customer patience (seconds, 0 for none)", f.Patience, "Above 0 sizes with Erlang A, which counts callers who hang up.", "1"),
		num("chat_concurrency", "Contacts at once per agent", f.ChatConcurrency, "1 for calls; up to 20 for chats.", "1"),
		{Name: "interval_minutes", Label: "Planning interval", Type: "select", Value: f.IntervalMin, Options: intervalOptions},
		num("min_proficiency", "Least channel skill level rostered (1-5)", f.MinProficiency, "", "1"),
		num("min_language_proficiency", "Least language skill level rostered (1-5)", f.MinLanguageProficiency, "", "1"),
	}
}

// queuesKind is the queue settings pages, for planners and admins.
func queuesKind(svc *service.Service) recordKind {
	return recordKind{
		res: auth.Queues, roles: []org.Role{org.RolePlanner, org.RoleAdmin}, singular: "queue", plural: "Queue settings", base: "/admin/queues",
		intro:   "A queue is a channel served on one clock (and in one language), with its service target and the assumptions its staffing is sized with.",
		columns: []string{"Queue", "Channel", "Time zone", "Target", "Handle time", "Shrinkage"},
		list: func(ctx context.Context) ([]recordRow, error) {
			qs, _, err := svc.FindQueues(ctx, pageAll)
			if err != nil {
				return nil, err
			}
			chs, _, err := svc.FindChannels(ctx, pageAll)
			names := map[int64]string{}
			for _, ch := range chs {
				names[ch.ID] = ch.Name
			}
			rows := make([]recordRow, len(qs))
			for i, q := range qs {
				rows[i] = recordRow{ID: q.ID, Name: q.Name, Cells: []string{q.Name, names[q.ChannelID], q.Timezone, queueTarget(q),
					ui.Seconds(q.DefaultAHTSec), strconv.FormatFloat(q.Shrinkage*100, 'f', -1, 64) + "%"}}
			}
			return rows, err
		},
		parse: parseQueueForm,
		blank: func() recordForm {
			return &queueForm{ServiceLevelPct: "80", AnswerWithin: "20", DefaultAHT: "300", ChatConcurrency: "1", IntervalMin: "30", MaxOccupancyPct: "85",
				ShrinkagePct: "30", ASATarget: "0", Patience: "0", ResponseWithin: "0", MinProficiency: "1", MinLanguageProficiency: "1"}
		},
		records: recordCases[org.Queue, *queueForm]{
			find: svc.FindQueueByID, add: svc.CreateQueue, change: svc.UpdateQueue, remove: svc.DeleteQueue,
			formOf: queueFormOf,
			value:  func(f *queueForm) org.Queue { return f.queue },
			meta:   func(v *org.Queue) (*int64, *int) { return &v.ID, &v.Version },
			name:   func(v org.Queue) string { return v.Name },
		},
	}
}

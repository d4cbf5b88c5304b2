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
)

// specialDayForm is the add and edit form of a special day. An empty queue
// is every queue; a closed day takes no factor.
type specialDayForm struct {
	QueueID, Date, Factor, Note string
	Closed                      bool
	Version                     int

	day org.SpecialDay // set by Validate
}

func parseSpecialDayForm(c echo.Context) recordForm {
	f := &specialDayForm{QueueID: c.FormValue("queue_id"), Date: strings.TrimSpace(c.FormValue("date")), Factor: strings.TrimSpace(c.FormValue("factor")),
		Note: strings.TrimSpace(c.FormValue("note")), Closed: c.FormValue("closed") != ""}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	return f
}

// Validate reads the queue and factor. Returns Invalid naming the fields.
func (f *specialDayForm) Validate() error {
	fields := fault.Fields{}
	d := org.SpecialDay{Date: f.Date, Closed: f.Closed, Note: f.Note}
	if f.QueueID != "" {
		id := int64(formInt(fields, "queue_id", f.QueueID))
		d.QueueID = &id
	}
	if !f.Closed {
		d.Factor = 1
		if f.Factor != "" {
			d.Factor = formFloat(fields, "factor", f.Factor)
		}
	}
	f.day = d
	return fields.Err("invalid special day")
}

func (f *specialDayForm) version() int { return f.Version }

func (f *specialDayForm) fields(opts recordOptions) []formField {
	qs := []option{{Value: "", Label: "every queue"}}
	for _, q := range opts.Queues {
		qs = append(qs, option{Value: strconv.FormatInt(q.ID, 10), Label: q.Name})
	}
	return []formField{
		{Name: "date", Label: "Date", Type: "date", Value: f.Date, Help: "On each queue's own clock."},
		{Name: "queue_id", Label: "Queue", Type: "select", Value: f.QueueID, Options: qs},
		{Name: "closed", Label: "Closed all day", Type: "checkbox", Checked: f.Closed},
		{Name: "factor", Label: "Volume factor (if open)", Type: "number", Value: f.Factor, Step: "any", Min: "0", Help: "1 is a normal day; 1.4 is 40% busier, 0.5 half as busy."},
		{Name: "note", Label: "Note", Type: "text", Value: f.Note, Help: "e.g. Christmas Eve, product launch."},
	}
}

func specialDayFormOf(d org.SpecialDay) *specialDayForm {
	f := &specialDayForm{Date: d.Date, Closed: d.Closed, Note: d.Note, Version: d.Version}
	if d.QueueID != nil {
		f.QueueID = strconv.FormatInt(*d.QueueID, 10)
	}
	if !d.Closed {
		f.Factor = strconv.FormatFloat(d.Factor, 'f', -1, 64)
	}
	return f
}

// specialDaysKind is the special days pages, for planners and admins.
func specialDaysKind(svc *service.Service) recordKind {
	return recordKind{
		res: auth.SpecialDays, roles: []org.Role{org.RolePlanner, org.RoleAdmin}, singular: "special day", plural: "Special days", base: "/admin/special-days",
		intro:   "Holidays and events: a day a queue is closed, or busier or quieter than usual. Forecasts apply them to history and to the days ahead.",
		columns: []string{"Date", "Queue", "Volume", "Note"},
		list: func(ctx context.Context) ([]recordRow, error) {
			days, _, err := svc.FindSpecialDays(ctx, service.SpecialDayFilter{Page: pageAll})
			if err != nil {
				return nil, err
			}
			qs, _, err := svc.FindQueues(ctx, pageAll)
			names := map[int64]string{}
			for _, q := range qs {
				names[q.ID] = q.Name
			}
			rows := make([]recordRow, len(days))
			for i, d := range days {
				queue, volume := "every queue", "closed"
				if d.QueueID != nil {
					queue = names[*d.QueueID]
				}
				if !d.Closed {
					volume = "× " + strconv.FormatFloat(d.Factor, 'f', -1, 64)
				}
				rows[i] = recordRow{ID: d.ID, Name: d.Date, Cells: []string{d.Date, queue, volume, d.Note}}
			}
			return rows, err
		},
		parse: parseSpecialDayForm,
		blank: func() recordForm { return &specialDayForm{Factor: "1"} },
		records: recordCases[org.SpecialDay, *specialDayForm]{
			find: svc.FindSpecialDayByID, add: svc.CreateSpecialDay, change: svc.UpdateSpecialDay, remove: svc.DeleteSpecialDay,
			formOf: specialDayFormOf,
			value:  func(f *specialDayForm) org.SpecialDay { return f.day },
			meta:   func(v *org.SpecialDay) (*int64, *int) { return &v.ID, &v.Version },
			name:   func(v org.SpecialDay) string { return v.Date },
		},
	}
}

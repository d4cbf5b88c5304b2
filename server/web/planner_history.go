package web

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

func (s *Handler) webHistoryForm(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	return s.historyPage(c, http.StatusOK, s.newPage(c, "Upload history"))
}

func (s *Handler) historyPage(c echo.Context, status int, pg page) error {
	ctx := c.Request().Context()
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	channels, _, err := s.svc.FindChannels(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	keys := map[int64]string{}
	for _, ch := range channels {
		keys[ch.ID] = ch.Key
	}
	type row struct {
		Queue   org.Queue
		Channel string
	}
	rows := make([]row, len(queues))
	for i, q := range queues {
		rows[i] = row{q, keys[q.ChannelID]}
	}
	pg.Data["Queues"] = rows
	for _, k := range []string{"Problems", "Summary"} {
		if _, ok := pg.Data[k]; !ok {
			pg.Data[k] = nil
		}
	}
	return s.render(c, status, "planner_history", pg)
}

// lineProblem is one bad line of an uploaded file.
type lineProblem struct {
	Line   int // 0: about the whole file
	Field  string
	Reason string
}

// lineProblems turns an import's field errors into rows sorted by line;
// record indexes are mapped back to the file lines they came from.
func lineProblems(fe *fault.Error, recs []forecasting.Record) []lineProblem {
	var out []lineProblem
	for k, v := range fe.Fields {
		lp := lineProblem{Reason: v, Field: k}
		if m := lineKey.FindStringSubmatch(k); m != nil {
			lp.Line, _ = strconv.Atoi(m[1])
			lp.Field = m[2]
		} else if m := recordKey.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i < len(recs) {
				lp.Line = recs[i].Line
			}
			lp.Field = m[2]
		}
		out = append(out, lp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// importedQueue is one queue an upload replaced history for.
type importedQueue struct {
	Queue     org.Queue
	Intervals int
	First     time.Time
	Last      time.Time
}

// webImportHistory imports a history CSV with the API's functions: the file
// is read, every row resolved to a queue and validated, and stored in one
// transaction, or nothing is written and each bad line is listed.
func (s *Handler) webImportHistory(c echo.Context) error {
	if _, err := plannerMay(c, auth.Forecasts, auth.Create); err != nil {
		return err
	}
	pg := s.newPage(c, "Upload history")
	fh, err := c.FormFile("file")
	if err != nil {
		pg.Fields["file"] = "Choose a CSV file to upload."
		return s.historyPage(c, http.StatusBadRequest, pg)
	}
	f, err := fh.Open()
	if err != nil {
		return fault.Wrap(fault.Internal, err, "cannot read the upload")
	}
	defer f.Close()
	ctx := c.Request().Context()
	fail := func(err error, recs []forecasting.Record) error {
		var fe *fault.Error
		if !errors.As(err, &fe) || (fe.Code != fault.Unprocessable && fe.Code != fault.Invalid) {
			return err
		}
		probs := lineProblems(fe, recs)
		pg.Error = fe.Message
		pg.Fields["file"] = fmt.Sprintf("%s: %d problem(s); nothing was imported. Fix the lines listed below and upload again.", fh.Filename, len(probs))
		pg.Data["Problems"] = probs
		return s.historyPage(c, http.StatusUnprocessableEntity, pg)
	}
	recs, err := forecasting.ReadHistoryCSV(f)
	if err != nil {
		return fail(service.CSVFault(err), nil)
	}
	records, err := s.svc.RecordsForQueues(ctx, recs)
	if err != nil {
		return fail(err, recs)
	}
	sum, err := s.svc.ImportHistory(ctx, records)
	if err != nil {
		return fail(err, recs)
	}
	var done []importedQueue
	for qid, n := range sum.PerQueue {
		q, err := s.svc.FindQueueByID(ctx, qid)
		if err != nil {
			return err
		}
		done = append(done, importedQueue{Queue: q, Intervals: n, First: sum.Ranges[qid][0], Last: sum.Ranges[qid][1]})
	}
	sort.Slice(done, func(i, j int) bool { return done[i].Queue.Name < done[j].Queue.Name })
	pg.Flash = fmt.Sprintf("Imported %d intervals for %d queue(s) from %s; stored history in those ranges was replaced.", sum.Intervals, sum.Queues, fh.Filename)
	pg.Data["Summary"] = done
	return s.historyPage(c, http.StatusOK, pg)
}

package api

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// historyRecord is one interval of observed volume, as an ACD integration sends it.
type historyRecord struct {
	QueueID    int64     `json:"queue_id"`
	Start      time.Time `json:"start"` // interval start, RFC 3339 with offset
	Contacts   float64   `json:"contacts"`
	AHTSeconds *float64  `json:"aht_seconds"`
}

type historyImport struct {
	Records []historyRecord `json:"records"`
}

func (s *API) handleImportHistoryJSON(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Forecasts, auth.Create); err != nil {
		return err
	}
	var req historyImport
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	records := make([]service.HistoryRecord, len(req.Records))
	for i, r := range req.Records {
		records[i] = service.HistoryRecord{QueueID: r.QueueID, Start: r.Start, Contacts: r.Contacts, AHTSeconds: r.AHTSeconds}
	}
	sum, err := s.svc.ImportHistory(c.Request().Context(), records)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sum)
}

// handleImportHistoryCSV imports the history CSV format (the forecast CLI's
// input) sent as text/csv or as a multipart "file" field.
func (s *API) handleImportHistoryCSV(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Forecasts, auth.Create); err != nil {
		return err
	}
	var body io.Reader = c.Request().Body
	ct := c.Request().Header.Get(echo.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		fh, err := c.FormFile("file")
		if err != nil {
			return &fault.Error{Code: fault.Invalid, Message: "upload the history as the form field \"file\"", Fields: map[string]string{"file": "is missing"}}
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		body = f
	case strings.HasPrefix(ct, "text/csv"), strings.HasPrefix(ct, "text/plain"):
	default:
		return fault.Errorf(fault.Invalid, "send the history as text/csv or as a multipart form with a \"file\" field, not %q", ct)
	}
	sum, err := s.svc.ImportHistoryCSV(c.Request().Context(), body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sum)
}

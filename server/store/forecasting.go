package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"time"

	"github.com/peakwise/peakwise/forecasting"
)

// HistoryPoint is the observed volume of one queue interval.
type HistoryPoint struct {
	QueueID     int64     `json:"queue_id"`
	StartAt     time.Time `json:"start"` // UTC
	IntervalMin int       `json:"interval_minutes"`
	Contacts    float64   `json:"contacts"`
	AHTSeconds  *float64  `json:"aht_seconds"`
}

func (HistoryPoint) TableName() string { return "history_intervals" }

// batchSize keeps bulk inserts well under both databases' bind-parameter limits.
const batchSize = 1000

// ReplaceHistory stores points for one queue, replacing whatever was stored
// between the first point's start and the last point's end, so re-importing an
// overlapping range is idempotent. Points must be sorted by StartAt. Run it
// inside Tx when several queues must change together.
func (s *Store) ReplaceHistory(ctx context.Context, queueID int64, points []HistoryPoint) error {
	if len(points) == 0 {
		return nil
	}
	first := points[0].StartAt
	lastP := points[len(points)-1]
	end := lastP.StartAt.Add(time.Duration(lastP.IntervalMin) * time.Minute)
	db := s.conn(ctx)
	if err := db.Where("queue_id = ? AND start_at >= ? AND start_at < ?", queueID, first, end).Delete(&HistoryPoint{}).Error; err != nil {
		return translate(err, "history")
	}
	for i := range points {
		points[i].QueueID = queueID
		points[i].StartAt = points[i].StartAt.UTC()
	}
	return translate(db.CreateInBatches(points, batchSize).Error, "history")
}

// FindHistory returns a queue's points with from <= start < to, oldest first.
// A zero from or to leaves that side open.
func (s *Store) FindHistory(ctx context.Context, queueID int64, from, to time.Time) ([]HistoryPoint, error) {
	q := s.conn(ctx).Where("queue_id = ?", queueID).Where(readableContacts, forecasting.MaxContactsPerInterval)
	if !from.IsZero() {
		q = q.Where("start_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("start_at < ?", to.UTC())
	}
	var pts []HistoryPoint
	err := q.Order("start_at").Find(&pts).Error
	kept := pts[:0]
	for _, p := range pts {
		// A value that is not a finite number was never valid history (the
		// imports bound it); skipping it keeps every read and forecast working.
		if math.IsNaN(p.Contacts) || math.IsInf(p.Contacts, 0) || (p.AHTSeconds != nil && (math.IsNaN(*p.AHTSeconds) || math.IsInf(*p.AHTSeconds, 0))) {
			continue
		}
		p.StartAt = p.StartAt.UTC()
		kept = append(kept, p)
	}
	return kept, translate(err, "history")
}

// LastHistoryStart returns the start of a queue's newest history point, or
// the zero time when it has none.
func (s *Store) LastHistoryStart(ctx context.Context, queueID int64) (time.Time, error) {
	var p HistoryPoint
	err := s.conn(ctx).Where("queue_id = ?", queueID).Order("start_at DESC").Limit(1).Find(&p).Error
	return p.StartAt.UTC(), translate(err, "history")
}

// readableContacts keeps history rows whose contacts are within the imports'
// bounds. Rows stored before the bounds existed may hold 1e308, +Inf or NaN
// (PostgreSQL sorts NaN above every number, so the upper bound drops it);
// such a row is skipped by reads, so neither a JSON answer nor a forecast
// breaks on it. The summary sums the same rows.
const readableContacts = "contacts >= 0 AND contacts <= ?"

// HistorySummary describes what history a queue has.
type HistorySummary struct {
	QueueID   int64      `json:"queue_id"`
	Intervals int        `json:"intervals"`
	First     *time.Time `json:"first"`
	Last      *time.Time `json:"last"`
	Contacts  float64    `json:"contacts"`
}

// SummarizeHistory returns the history summary of every queue that has history.
func (s *Store) SummarizeHistory(ctx context.Context) ([]HistorySummary, error) {
	type row struct {
		QueueID   int64
		Intervals int
		First     aggTime
		Last      aggTime
		Contacts  float64
	}
	var rows []row
	err := s.conn(ctx).Model(&HistoryPoint{}).
		Select("queue_id, COUNT(*) AS intervals, MIN(start_at) AS first, MAX(start_at) AS last, SUM(contacts) AS contacts").
		Where(readableContacts, forecasting.MaxContactsPerInterval).Group("queue_id").Order("queue_id").Scan(&rows).Error
	out := make([]HistorySummary, len(rows))
	for i, r := range rows {
		out[i] = HistorySummary{QueueID: r.QueueID, Intervals: r.Intervals, First: r.First.ptr(), Last: r.Last.ptr(), Contacts: r.Contacts}
	}
	return out, translate(err, "history")
}

// Forecast is one stored forecast version of a queue.
type Forecast struct {
	ID           int64     `json:"id"`
	QueueID      int64     `json:"queue_id"`
	JobRunID     *int64    `json:"job_run_id"`
	CreatedAt    time.Time `json:"created_at"`
	Method       string    `json:"method"`
	IntervalMin  int       `json:"interval_minutes"`
	StartAt      time.Time `json:"start"`
	EndAt        time.Time `json:"end"`
	HistoryFrom  time.Time `json:"history_from"`
	HistoryTo    time.Time `json:"history_to"`
	BacktestWAPE *float64  `json:"backtest_wape" gorm:"column:backtest_wape"`
	BacktestMASE *float64  `json:"backtest_mase" gorm:"column:backtest_mase"`
	Details      string    `json:"details,omitempty"`
}

func (Forecast) TableName() string { return "forecasts" }

// ForecastPoint is one forecast interval.
type ForecastPoint struct {
	ForecastID int64     `json:"-"`
	StartAt    time.Time `json:"start"`
	Contacts   float64   `json:"forecast"`
	Lower      float64   `json:"lower"`
	Upper      float64   `json:"upper"`
	AHTSeconds *float64  `json:"aht_seconds" gorm:"column:aht_seconds"`
}

func (ForecastPoint) TableName() string { return "forecast_intervals" }

// CreateForecast stores a forecast version and its intervals atomically: a
// reader sees all of it or none of it, so a run killed half-way leaves the
// previous version as the latest.
func (s *Store) CreateForecast(ctx context.Context, f Forecast, points []ForecastPoint) (Forecast, error) {
	f.ID = 0
	if f.CreatedAt.IsZero() {
		f.CreatedAt = s.now()
	}
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Create(&f).Error; err != nil {
			return translate(err, "forecast")
		}
		if len(points) == 0 {
			return nil
		}
		for i := range points {
			points[i].ForecastID = f.ID
			points[i].StartAt = points[i].StartAt.UTC()
		}
		return translate(tx.conn(ctx).CreateInBatches(points, batchSize).Error, "forecast interval")
	})
	return f, err
}

// FindForecastByID returns the forecast version. Returns NotFound if it does not exist.
func (s *Store) FindForecastByID(ctx context.Context, id int64) (Forecast, error) {
	f, err := findByID[Forecast](ctx, s, id, "forecast")
	return f.utc(), err
}

func (f Forecast) utc() Forecast {
	f.CreatedAt, f.StartAt, f.EndAt = f.CreatedAt.UTC(), f.StartAt.UTC(), f.EndAt.UTC()
	f.HistoryFrom, f.HistoryTo = f.HistoryFrom.UTC(), f.HistoryTo.UTC()
	return f
}

// FindForecastOfRun returns the queue's forecast made by job run runID.
// Returns NotFound when the run made none.
func (s *Store) FindForecastOfRun(ctx context.Context, queueID, runID int64) (Forecast, error) {
	var f Forecast
	err := s.conn(ctx).Where("queue_id = ? AND job_run_id = ?", queueID, runID).Order("id").Take(&f).Error
	return f.utc(), translate(err, "forecast")
}

// FindLatestForecast returns the newest forecast version of a queue.
// Returns NotFound if the queue has none.
func (s *Store) FindLatestForecast(ctx context.Context, queueID int64) (Forecast, error) {
	var f Forecast
	err := s.conn(ctx).Where("queue_id = ?", queueID).Order("created_at DESC, id DESC").Take(&f).Error
	return f.utc(), translate(err, "forecast")
}

// FindForecasts returns a queue's forecast versions, newest first, and the total count.
func (s *Store) FindForecasts(ctx context.Context, queueID int64, p Page) ([]Forecast, int, error) {
	q := s.conn(ctx).Model(&Forecast{}).Where("queue_id = ?", queueID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "forecast")
	}
	p = p.Normalize()
	var fs []Forecast
	err := q.Omit("details").Order("created_at DESC, id DESC").Limit(p.Limit).Offset(p.Offset).Find(&fs).Error
	for i := range fs {
		fs[i] = fs[i].utc()
	}
	return fs, int(total), translate(err, "forecast")
}

// FindForecastPoints returns a forecast's intervals with from <= start < to (zero = open), oldest first.
func (s *Store) FindForecastPoints(ctx context.Context, forecastID int64, from, to time.Time) ([]ForecastPoint, error) {
	q := s.conn(ctx).Where("forecast_id = ?", forecastID)
	if !from.IsZero() {
		q = q.Where("start_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("start_at < ?", to.UTC())
	}
	var pts []ForecastPoint
	err := q.Order("start_at").Find(&pts).Error
	for i := range pts {
		pts[i].StartAt = pts[i].StartAt.UTC()
	}
	return pts, translate(err, "forecast interval")
}

// aggTime scans MIN/MAX of a time column, which SQLite returns as text.
type aggTime struct {
	t     time.Time
	valid bool
}

// sqliteTimeLayouts are the layouts the SQLite driver writes times in.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"}

func (a *aggTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		a.valid = false
		return nil
	case time.Time:
		a.t, a.valid = x, true
		return nil
	case []byte:
		return a.Scan(string(x))
	case string:
		for _, layout := range sqliteTimeLayouts {
			if t, err := time.Parse(layout, x); err == nil {
				a.t, a.valid = t, true
				return nil
			}
		}
		return fmt.Errorf("unrecognised time %q", x)
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

func (a aggTime) ptr() *time.Time {
	if !a.valid {
		return nil
	}
	u := a.t.UTC()
	return &u
}

// Value lets GORM treat aggTime as a column type; it is only ever scanned.
func (a aggTime) Value() (driver.Value, error) {
	if !a.valid {
		return nil, nil
	}
	return a.t, nil
}

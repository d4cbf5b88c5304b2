package service

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/server/store"
)

// FindForecastByID reads through the store; the caller has checked the principal may.
func (s *Service) FindForecastByID(ctx context.Context, id int64) (store.Forecast, error) {
	return s.store.FindForecastByID(ctx, id)
}

// FindForecastPoints reads through the store; the caller has checked the principal may.
func (s *Service) FindForecastPoints(ctx context.Context, forecastID int64, from, to time.Time) ([]store.ForecastPoint, error) {
	return s.store.FindForecastPoints(ctx, forecastID, from, to)
}

// FindForecasts reads through the store; the caller has checked the principal may.
func (s *Service) FindForecasts(ctx context.Context, queueID int64, p store.Page) ([]store.Forecast, int, error) {
	return s.store.FindForecasts(ctx, queueID, p)
}

// FindLatestForecast reads through the store; the caller has checked the principal may.
func (s *Service) FindLatestForecast(ctx context.Context, queueID int64) (store.Forecast, error) {
	return s.store.FindLatestForecast(ctx, queueID)
}

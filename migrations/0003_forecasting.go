package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// forecasting0003 stores contact history per queue and interval, forecast
// versions with their intervals, and special days.
func forecasting0003() *gormigrate.Migration {
	type queue struct {
		ID int64 `gorm:"primaryKey"`
	}
	type jobRun struct {
		ID int64 `gorm:"primaryKey"`
	}
	type historyInterval struct {
		QueueID     int64     `gorm:"primaryKey;autoIncrement:false"`
		Queue       *queue    `gorm:"constraint:OnDelete:CASCADE"`
		StartAt     time.Time `gorm:"primaryKey"` // UTC instant of the interval start
		IntervalMin int       `gorm:"not null"`
		Contacts    float64   `gorm:"not null"`
		AHTSeconds  *float64  `gorm:"column:aht_seconds"`
	}
	type forecast struct {
		ID           int64     `gorm:"primaryKey"`
		QueueID      int64     `gorm:"not null;index:forecasts_queue_created"`
		Queue        *queue    `gorm:"constraint:OnDelete:CASCADE"`
		JobRunID     *int64    `gorm:"index"`
		JobRun       *jobRun   `gorm:"constraint:OnDelete:SET NULL"`
		CreatedAt    time.Time `gorm:"not null;index:forecasts_queue_created"`
		Method       string    `gorm:"size:64;not null"`
		IntervalMin  int       `gorm:"not null"`
		StartAt      time.Time `gorm:"not null"`
		EndAt        time.Time `gorm:"not null"`
		HistoryFrom  time.Time `gorm:"not null"`
		HistoryTo    time.Time `gorm:"not null"`
		BacktestWAPE *float64  `gorm:"column:backtest_wape"`
		BacktestMASE *float64  `gorm:"column:backtest_mase"`
		Details      string    `gorm:"type:text;not null;default:''"` // JSON: per-method backtest table, parameters
	}
	type forecastInterval struct {
		ForecastID int64     `gorm:"primaryKey;autoIncrement:false"`
		Forecast   *forecast `gorm:"constraint:OnDelete:CASCADE"`
		StartAt    time.Time `gorm:"primaryKey"`
		Contacts   float64   `gorm:"not null"`
		Lower      float64   `gorm:"not null"`
		Upper      float64   `gorm:"not null"`
		AHTSeconds *float64  `gorm:"column:aht_seconds"`
	}
	type specialDay struct {
		ID        int64   `gorm:"primaryKey"`
		QueueID   *int64  `gorm:"index"`
		Queue     *queue  `gorm:"constraint:OnDelete:CASCADE"`
		Date      string  `gorm:"size:10;not null"` // local calendar date, YYYY-MM-DD
		Closed    bool    `gorm:"not null;default:false"`
		Factor    float64 `gorm:"not null;default:1"`
		Note      string  `gorm:"size:200;not null;default:''"`
		Version   int     `gorm:"not null;default:1"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	return createTables("0003_forecasting", &historyInterval{}, &forecast{}, &forecastInterval{}, &specialDay{})
}

package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// core0001 creates the organisation (sites, teams, channels, queues, agents,
// skills), users, sessions, API tokens and login attempts.
func core0001() *gormigrate.Migration {
	type site struct {
		ID        int64  `gorm:"primaryKey"`
		Name      string `gorm:"size:100;not null;uniqueIndex"`
		Timezone  string `gorm:"size:64;not null"`
		Version   int    `gorm:"not null;default:1"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type user struct {
		ID           int64  `gorm:"primaryKey"`
		Email        string `gorm:"size:254;not null;uniqueIndex"`
		Name         string `gorm:"size:200;not null"`
		Role         string `gorm:"size:20;not null"`
		PasswordHash string `gorm:"size:200;not null;default:''"`
		AgentID      *int64 `gorm:"uniqueIndex"`
		Disabled     bool   `gorm:"not null;default:false"`
		Version      int    `gorm:"not null;default:1"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type team struct {
		ID           int64  `gorm:"primaryKey"`
		SiteID       int64  `gorm:"not null;index;uniqueIndex:teams_site_name"`
		Site         *site  `gorm:"constraint:OnDelete:RESTRICT"`
		Name         string `gorm:"size:100;not null;uniqueIndex:teams_site_name"`
		SupervisorID *int64 `gorm:"index"`
		Supervisor   *user  `gorm:"constraint:OnDelete:SET NULL"`
		Version      int    `gorm:"not null;default:1"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type channel struct {
		ID        int64  `gorm:"primaryKey"`
		Key       string `gorm:"size:32;not null;uniqueIndex"`
		Name      string `gorm:"size:100;not null"`
		Kind      string `gorm:"size:16;not null"`
		Version   int    `gorm:"not null;default:1"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type queue struct {
		ID                int64    `gorm:"primaryKey"`
		Name              string   `gorm:"size:100;not null;uniqueIndex"`
		ChannelID         int64    `gorm:"not null;index"`
		Channel           *channel `gorm:"constraint:OnDelete:RESTRICT"`
		Timezone          string   `gorm:"size:64;not null"`
		Language          string   `gorm:"size:16;not null;default:''"`
		ServiceLevelPct   float64  `gorm:"not null"`
		AnswerWithinSec   int      `gorm:"not null"`
		ResponseWithinSec int      `gorm:"not null"`
		DefaultAHTSec     int      `gorm:"column:default_aht_sec;not null"`
		ChatConcurrency   int      `gorm:"not null;default:1"`
		IntervalMin       int      `gorm:"not null;default:30"`
		Version           int      `gorm:"not null;default:1"`
		CreatedAt         time.Time
		UpdatedAt         time.Time
	}
	type agent struct {
		ID                 int64   `gorm:"primaryKey"`
		Name               string  `gorm:"size:200;not null"`
		Email              string  `gorm:"size:254;not null;uniqueIndex"`
		Timezone           string  `gorm:"size:64;not null"`
		TeamID             *int64  `gorm:"index"`
		Team               *team   `gorm:"constraint:OnDelete:RESTRICT"`
		MinWeekHours       float64 `gorm:"not null"`
		MaxWeekHours       float64 `gorm:"not null"`
		MaxShiftsPerWeek   int     `gorm:"not null"`
		MinRestHours       float64 `gorm:"not null"`
		MaxConsecutiveDays int     `gorm:"not null"`
		Version            int     `gorm:"not null;default:1"`
		CreatedAt          time.Time
		UpdatedAt          time.Time
	}
	type agentSkill struct {
		AgentID     int64  `gorm:"primaryKey"`
		Agent       *agent `gorm:"constraint:OnDelete:CASCADE"`
		Kind        string `gorm:"primaryKey;size:16"`
		Value       string `gorm:"primaryKey;size:64"`
		Proficiency int    `gorm:"not null"`
	}
	type session struct {
		ID         string `gorm:"primaryKey;size:64"` // SHA-256 of the cookie value, hex
		UserID     int64  `gorm:"not null;index"`
		User       *user  `gorm:"constraint:OnDelete:CASCADE"`
		CSRFToken  string `gorm:"column:csrf_token;size:64;not null"`
		CreatedAt  time.Time
		ExpiresAt  time.Time `gorm:"not null;index"`
		LastSeenAt time.Time `gorm:"not null"`
	}
	type apiToken struct {
		ID         int64  `gorm:"primaryKey"`
		UserID     int64  `gorm:"not null;index"`
		User       *user  `gorm:"constraint:OnDelete:CASCADE"`
		Name       string `gorm:"size:100;not null"`
		Prefix     string `gorm:"size:16;not null"`
		Hash       string `gorm:"size:64;not null;uniqueIndex"` // SHA-256 of the token, hex
		CreatedAt  time.Time
		LastUsedAt *time.Time
		RevokedAt  *time.Time
	}
	type loginAttempt struct {
		ID          int64     `gorm:"primaryKey"`
		Key         string    `gorm:"size:300;not null;index:login_attempts_key_at"`
		AttemptedAt time.Time `gorm:"not null;index:login_attempts_key_at"`
	}
	return createTables("0001_core", &site{}, &user{}, &team{}, &channel{}, &queue{}, &agent{}, &agentSkill{}, &session{}, &apiToken{}, &loginAttempt{})
}

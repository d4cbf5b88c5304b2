// Package demo seeds a believable contact center for trying Peakwise: three
// sites in three time zones, voice, chat and email queues, about sixty agents
// in teams, and one sign-in per role.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Login is one demo sign-in.
type Login struct {
	Role     org.Role
	Email    string
	Password string
}

// markerSite names the site whose presence means the demo was seeded already.
const markerSite = "Austin"

type siteSpec struct {
	name, tz string
	teams    []string
	language string
}

var sites = []siteSpec{
	{"Austin", "America/Chicago", []string{"Longhorns", "Bluebonnets"}, "en"},
	{"Lisbon", "Europe/Lisbon", []string{"Tejo", "Alfama"}, "pt"},
	{"Manila", "Asia/Manila", []string{"Makati", "Bonifacio"}, "en"},
}

var firstNames = []string{"Ana", "Ben", "Carla", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jon", "Kira", "Luis",
	"Mei", "Nia", "Omar", "Pia", "Quinn", "Rui", "Sara", "Tomas", "Uma", "Vic", "Wen", "Xavi", "Yara", "Zed"}
var lastNames = []string{"Almeida", "Baker", "Cruz", "Diaz", "Evans", "Ferreira", "Garcia", "Santos", "Reyes", "Silva",
	"Tan", "Nguyen", "Okafor", "Patel", "Kowalski", "Lopez", "Moreau", "Ito", "Haddad", "Costa"}

// Seeded reports whether the demo data is already in the database.
func Seeded(ctx context.Context, st *store.Store) (bool, error) {
	sites, _, err := st.FindSites(ctx, store.Page{Limit: 500})
	if err != nil {
		return false, err
	}
	for _, s := range sites {
		if s.Name == markerSite {
			return true, nil
		}
	}
	return false, nil
}

// Seed creates the demo contact center in one transaction and returns the
// sign-ins with fresh random passwords. Returns Conflict if the demo data
// already exists (see Seeded and ResetPasswords).
func Seed(ctx context.Context, st *store.Store, seed uint64, now time.Time) ([]Login, error) {
	for attempt := 0; ; attempt++ {
		logins, err := seedOnce(ctx, st, seed, now)
		// On SQLite a replica that waited longer than the busy timeout for
		// another's seeding tries again, and then finds the data there.
		if !store.IsBusy(err) || attempt == 20 {
			return logins, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func seedOnce(ctx context.Context, st *store.Store, seed uint64, now time.Time) ([]Login, error) {
	var logins []Login
	err := st.Tx(ctx, func(tx *store.Store) error {
		// Replicas started together with --demo seed one at a time; the
		// later ones find the data and are refused.
		if err := tx.LockTx(ctx, store.DemoSeedLock); err != nil {
			return err
		}
		if ok, err := Seeded(ctx, tx); err != nil {
			return err
		} else if ok {
			return fault.Errorf(fault.Conflict, "the demo data is already there")
		}
		var err error
		rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		logins, err = populate(ctx, tx, rng)
		if err != nil {
			return err
		}
		if err := seedHistory(ctx, tx, rng, now); err != nil {
			return err
		}
		if err := seedSchedule(ctx, tx, now); err != nil {
			return err
		}
		return seedQuality(ctx, tx, rng, now)
	})
	return logins, err
}

// ResetPasswords gives the demo users new random passwords and returns them,
// so a restarted demo can print working sign-ins without storing passwords.
func ResetPasswords(ctx context.Context, st *store.Store) ([]Login, error) {
	var logins []Login
	err := st.Tx(ctx, func(tx *store.Store) error {
		for _, l := range demoUsers() {
			u, _, err := tx.FindUserByEmail(ctx, l.email)
			if err != nil {
				return err
			}
			pw, err := setNewPassword(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			logins = append(logins, Login{Role: l.role, Email: l.email, Password: pw})
		}
		return nil
	})
	return logins, err
}

type demoUser struct {
	role  org.Role
	email string
	name  string
}

func demoUsers() []demoUser {
	return []demoUser{
		{org.RoleAdmin, "admin@demo.peakwise.dev", "Ada Admin"},
		{org.RolePlanner, "planner@demo.peakwise.dev", "Pat Planner"},
		{org.RoleQAReviewer, "reviewer@demo.peakwise.dev", "Rita Reviewer"},
		{org.RoleSupervisor, "supervisor@demo.peakwise.dev", "Sam Supervisor"},
		{org.RoleAgent, "agent@demo.peakwise.dev", "Alex Agent"},
	}
}

func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func setNewPassword(ctx context.Context, st *store.Store, userID int64) (string, error) {
	pw, err := randomPassword()
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return "", err
	}
	return pw, st.SetPasswordHash(ctx, userID, hash)
}

func populate(ctx context.Context, st *store.Store, rng *mrand.Rand) ([]Login, error) {
	channels := map[string]org.Channel{}
	for _, c := range []org.Channel{
		{Key: "voice", Name: "Voice", Kind: org.Realtime},
		{Key: "chat", Name: "Chat", Kind: org.Realtime},
		{Key: "email", Name: "Email", Kind: org.Deferred},
		{Key: "social", Name: "Social", Kind: org.Deferred},
		{Key: "sms", Name: "SMS", Kind: org.Realtime},
	} {
		created, err := st.CreateChannel(ctx, c)
		if err != nil {
			return nil, err
		}
		channels[c.Key] = created
	}
	// Targets as a real center sets them: a quarter of paid time off the
	// phones (meetings, training, coaching, breaks), occupancy capped at 85%.
	queues := []org.Queue{
		{Name: "Voice US", ChannelID: channels["voice"].ID, Timezone: "America/Chicago", Language: "en", ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.25},
		{Name: "Chat US", ChannelID: channels["chat"].ID, Timezone: "America/Chicago", Language: "en", ServiceLevelPct: 80, AnswerWithinSec: 60, DefaultAHTSec: 600, ChatConcurrency: 3, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.25},
		{Name: "Voice PT", ChannelID: channels["voice"].ID, Timezone: "Europe/Lisbon", Language: "pt", ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 280, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.25},
		{Name: "Email EMEA", ChannelID: channels["email"].ID, Timezone: "Europe/Lisbon", Language: "en", ServiceLevelPct: 90, ResponseWithinSec: 24 * 3600, DefaultAHTSec: 420, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.25},
		{Name: "Voice APAC", ChannelID: channels["voice"].ID, Timezone: "Asia/Manila", Language: "en", ServiceLevelPct: 80, AnswerWithinSec: 30, DefaultAHTSec: 320, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.25},
		{Name: "Chat APAC", ChannelID: channels["chat"].ID, Timezone: "Asia/Manila", Language: "en", ServiceLevelPct: 85, AnswerWithinSec: 45, DefaultAHTSec: 540, ChatConcurrency: 2, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.25},
	}
	for _, q := range queues {
		if _, err := st.CreateQueue(ctx, q); err != nil {
			return nil, err
		}
	}

	var logins []Login
	users := map[org.Role]org.User{}
	for _, du := range demoUsers() {
		if du.role == org.RoleAgent {
			continue // created below, linked to an agent
		}
		u, err := st.CreateUser(ctx, org.User{Email: du.email, Name: du.name, Role: du.role}, "")
		if err != nil {
			return nil, err
		}
		users[du.role] = u
	}

	agentNo := 0
	var firstAgent org.Agent
	for si, sp := range sites {
		site, err := st.CreateSite(ctx, org.Site{Name: sp.name, Timezone: sp.tz})
		if err != nil {
			return nil, err
		}
		for ti, tn := range sp.teams {
			t := org.Team{SiteID: site.ID, Name: tn}
			if si == 0 && ti == 0 {
				sup := users[org.RoleSupervisor].ID
				t.SupervisorID = &sup
			}
			team, err := st.CreateTeam(ctx, t)
			if err != nil {
				return nil, err
			}
			for i := 0; i < 10; i++ {
				agentNo++
				first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
				a := org.Agent{
					Name:     first + " " + last,
					Email:    fmt.Sprintf("agent%02d@demo.peakwise.dev", agentNo),
					Timezone: sp.tz,
					TeamID:   &team.ID,
					Contract: org.DefaultContract,
					Skills: []org.Skill{
						{Kind: "channel", Value: "voice", Proficiency: 3 + rng.IntN(3)},
						{Kind: "language", Value: sp.language, Proficiency: 5},
					},
				}
				if sp.language != "en" { // Lisbon answers English email too
					a.Skills = append(a.Skills, org.Skill{Kind: "language", Value: "en", Proficiency: 3 + rng.IntN(2)})
				}
				if i%3 == 0 {
					a.Skills = append(a.Skills, org.Skill{Kind: "channel", Value: "chat", Proficiency: 2 + rng.IntN(4)})
				}
				if i%4 == 1 {
					a.Skills = append(a.Skills, org.Skill{Kind: "channel", Value: "email", Proficiency: 2 + rng.IntN(4)})
				}
				if i >= 8 { // two part-timers per team
					a.Contract.MinWeekHours, a.Contract.MaxWeekHours, a.Contract.MaxShiftsPerWeek = 16, 24, 4
				}
				created, err := st.CreateAgent(ctx, a)
				if err != nil {
					return nil, err
				}
				if agentNo == 1 {
					firstAgent = created
				}
			}
		}
	}
	agentUser, err := st.CreateUser(ctx, org.User{Email: "agent@demo.peakwise.dev", Name: firstAgent.Name, Role: org.RoleAgent, AgentID: &firstAgent.ID}, "")
	if err != nil {
		return nil, err
	}
	users[org.RoleAgent] = agentUser
	for _, du := range demoUsers() {
		pw, err := setNewPassword(ctx, st, users[du.role].ID)
		if err != nil {
			return nil, err
		}
		logins = append(logins, Login{Role: du.role, Email: du.email, Password: pw})
	}
	return logins, nil
}

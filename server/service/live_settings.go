package service

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// LiveSettings are how the live day is judged, as an admin set them: the
// grace before a stretch out of adherence counts, which agent states keep
// each scheduled activity in adherence, and which state each Amazon Connect
// custom status means. Version 0 means the built-in defaults are in force.
type LiveSettings struct {
	GraceMinutes    int                      `json:"grace_minutes"`
	Mapping         intraday.Mapping         `json:"mapping"`
	ConnectStatuses intraday.ConnectStatuses `json:"connect_statuses"`
	Version         int                      `json:"version"`
}

// Grace is the settings' grace as a duration.
func (l LiveSettings) Grace() time.Duration { return time.Duration(l.GraceMinutes) * time.Minute }

// Activities are the scheduled activities, in the order settings list them.
var Activities = []intraday.Activity{intraday.ActWork, intraday.ActBreak, intraday.ActLunch, intraday.ActMeeting, intraday.ActTraining, intraday.ActCoaching}

// DefaultLiveSettings are the settings before an admin changes them.
func DefaultLiveSettings() LiveSettings {
	return LiveSettings{GraceMinutes: int(DefaultGrace / time.Minute), Mapping: intraday.DefaultMapping(), ConnectStatuses: intraday.DefaultConnectStatuses()}
}

// liveSettings reads the settings in force (no permission check: every
// adherence computation needs them).
func (s *Service) liveSettings(ctx context.Context) (LiveSettings, error) {
	row, err := s.store.FindLiveSettings(ctx)
	if err != nil || row.Version == 0 {
		return DefaultLiveSettings(), err
	}
	out := LiveSettings{GraceMinutes: row.GraceSeconds / 60, Version: row.Version}
	if err := json.Unmarshal([]byte(row.Mapping), &out.Mapping); err != nil {
		return DefaultLiveSettings(), fault.Wrap(fault.Internal, err, "stored live settings are unreadable")
	}
	if err := json.Unmarshal([]byte(row.ConnectStatuses), &out.ConnectStatuses); err != nil {
		return DefaultLiveSettings(), fault.Wrap(fault.Internal, err, "stored live settings are unreadable")
	}
	return out, nil
}

// LiveSettingsFor returns the settings in force to p.
func (s *Service) LiveSettingsFor(ctx context.Context, p auth.Principal) (LiveSettings, error) {
	if err := p.Allow(auth.LiveSettings, auth.Read); err != nil {
		return LiveSettings{}, err
	}
	return s.liveSettings(ctx)
}

// Validate lists every problem of the settings by field: a grace of 0 to 60
// minutes; every activity maps to at least one known state (and only known
// activities are named); every Connect status has a name of at most 100
// characters and a known state, at most 100 of them.
func (l LiveSettings) Validate() error {
	bad := fault.Fields{}
	if l.GraceMinutes < 0 || l.GraceMinutes > 60 {
		bad.Add("grace_minutes", "must be 0 to 60 minutes, got %d", l.GraceMinutes)
	}
	known := map[intraday.Activity]bool{}
	for _, a := range Activities {
		known[a] = true
		if len(l.Mapping[a]) == 0 {
			bad.Add("mapping."+string(a), "needs at least one state that keeps %s in adherence", a)
		}
	}
	for a, states := range l.Mapping {
		if !known[a] {
			bad.Add("mapping."+string(a), "is not a scheduled activity (%s)", joinActivities())
			continue
		}
		for _, st := range states {
			if !st.Valid() {
				bad.Add("mapping."+string(a), "%q is not a state", st)
			}
		}
	}
	if len(l.ConnectStatuses) > 100 {
		bad.Add("connect_statuses", "at most 100 statuses, got %d", len(l.ConnectStatuses))
	}
	for name, st := range l.ConnectStatuses {
		key := "connect_statuses." + name
		switch n := strings.TrimSpace(name); {
		case n == "" || len(n) > 100 || strings.ContainsAny(n, "\x00\n\r"):
			bad.Add("connect_statuses", "a status needs a name of 1 to 100 characters on one line")
		case !st.Valid():
			bad.Add(key, "%q is not a state", st)
		}
	}
	return bad.Err("the live settings are not valid")
}

func joinActivities() string {
	names := make([]string, len(Activities))
	for i, a := range Activities {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

// UpdateLiveSettings stores in as read at in.Version (admins only), audited
// with before and after; a stale version is a Conflict.
func (s *Service) UpdateLiveSettings(ctx context.Context, p auth.Principal, in LiveSettings) (LiveSettings, error) {
	if err := p.Allow(auth.LiveSettings, auth.Update); err != nil {
		return LiveSettings{}, err
	}
	// Connect status names compare case-insensitively: store them so.
	statuses := intraday.ConnectStatuses{}
	for name, st := range in.ConnectStatuses {
		statuses[strings.ToLower(strings.TrimSpace(name))] = st
	}
	in.ConnectStatuses = statuses
	for a := range in.Mapping {
		sort.Slice(in.Mapping[a], func(i, j int) bool { return in.Mapping[a][i] < in.Mapping[a][j] })
	}
	if err := in.Validate(); err != nil {
		return LiveSettings{}, err
	}
	mapping, _ := json.Marshal(in.Mapping)
	conn, _ := json.Marshal(in.ConnectStatuses)
	var out LiveSettings
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.FindLiveSettings(ctx)
		if err != nil {
			return err
		}
		if before.Version != in.Version {
			return fault.Errorf(fault.Conflict, "the live settings were saved by someone else meanwhile (version %d, yours %d); reload them", before.Version, in.Version)
		}
		row, err := tx.SaveLiveSettings(ctx, store.LiveSettings{GraceSeconds: in.GraceMinutes * 60, Mapping: string(mapping), ConnectStatuses: string(conn)}, in.Version)
		if err != nil {
			return err
		}
		out = in
		out.Version = row.Version
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "live_settings", EntityID: 1, Action: "update",
			Before: store.Snapshot(before), After: store.Snapshot(row)})
	})
	if err != nil {
		return LiveSettings{}, err
	}
	s.liveChanged(ctx) // adherence is judged anew
	return out, nil
}

// ConnectStatuses are the Amazon Connect custom statuses in force, for
// mapping the platform's records onto states.
func (s *Service) ConnectStatuses(ctx context.Context) (intraday.ConnectStatuses, error) {
	ls, err := s.liveSettings(ctx)
	return ls.ConnectStatuses, err
}

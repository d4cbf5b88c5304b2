package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/peakwise/peakwise/server/jobs"
)

// RandomHex returns n random bytes in hex: the slot of a manually started
// job run, so two manual runs never claim the same slot.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Housekeeping deletes expired sessions and old login failures.
func (s *Service) Housekeeping(ctx context.Context, p *jobs.Progress) (any, error) {
	now := s.now()
	n, err := s.store.DeleteExpiredSessions(ctx, now)
	if err != nil {
		return nil, err
	}
	if err := s.store.ClearLoginFailures(ctx, "", now.Add(-loginWindow)); err != nil {
		return nil, err
	}
	return map[string]int{"expired_sessions_deleted": n}, nil
}

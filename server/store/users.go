package store

import (
	"context"
	"strings"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
)

// UserFilter narrows FindUsers.
type UserFilter struct {
	Role *org.Role
	Page Page
}

// FindUserByID returns the user. Returns NotFound if it does not exist.
func (s *Store) FindUserByID(ctx context.Context, id int64) (org.User, error) {
	r, err := findByID[userRow](ctx, s, id, "user")
	return r.domain(), err
}

// FindUserByEmail returns the user and their password hash. Returns NotFound if there is none.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (org.User, string, error) {
	var r userRow
	err := s.conn(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&r).Error
	return r.domain(), r.PasswordHash, translate(err, "user")
}

// FindUsers returns one page of users and the total count.
func (s *Store) FindUsers(ctx context.Context, f UserFilter) ([]org.User, int, error) {
	q := s.conn(ctx)
	if f.Role != nil {
		q = q.Where("role = ?", string(*f.Role))
	}
	rows, n, err := findPage[userRow](q, f.Page, "user")
	return mapRows[userRow, org.User](rows), n, err
}

// CreateUser stores a new user with a password hash (empty: cannot log in yet).
// Returns Conflict on a duplicate email or an agent already linked to another user.
func (s *Store) CreateUser(ctx context.Context, u org.User, passwordHash string) (org.User, error) {
	if err := s.checkAgentExists(ctx, u.AgentID); err != nil {
		return org.User{}, err
	}
	r := userRow{Email: strings.ToLower(u.Email), Name: strings.TrimSpace(u.Name), Role: string(u.Role), PasswordHash: passwordHash,
		AgentID: u.AgentID, Disabled: u.Disabled, Version: 1}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.User{}, translate(err, "user")
	}
	return r.domain(), nil
}

func (s *Store) checkAgentExists(ctx context.Context, agentID *int64) error {
	if agentID == nil {
		return nil
	}
	var n int64
	if err := s.conn(ctx).Model(&agentRow{}).Where("id = ?", *agentID).Count(&n).Error; err != nil {
		return translate(err, "agent")
	}
	if n == 0 {
		return &fault.Error{Code: fault.Invalid, Message: "invalid user", Fields: map[string]string{"agent_id": "no such agent"}}
	}
	return nil
}

// UpdateUser overwrites name, email, role, agent link and disabled flag if
// u.Version is current; the password is untouched. Disabling a user ends their
// sessions. Returns NotFound or Conflict.
func (s *Store) UpdateUser(ctx context.Context, u org.User) (org.User, error) {
	if err := s.checkAgentExists(ctx, u.AgentID); err != nil {
		return org.User{}, err
	}
	var out org.User
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&userRow{}).Where("id = ? AND version = ?", u.ID, u.Version).Updates(map[string]any{
			"email": strings.ToLower(u.Email), "name": strings.TrimSpace(u.Name), "role": string(u.Role),
			"agent_id": u.AgentID, "disabled": u.Disabled, "version": u.Version + 1, "updated_at": tx.now(),
		})
		if res.Error != nil {
			return translate(res.Error, "user")
		}
		if res.RowsAffected == 0 {
			if _, err := tx.FindUserByID(ctx, u.ID); err != nil {
				return err
			}
			return staleVersion("user", u.Version)
		}
		if u.Disabled {
			if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.FindUserByID(ctx, u.ID)
		return err
	})
	return out, err
}

// SetPasswordHash replaces the user's password hash and ends their sessions.
// Returns NotFound if the user does not exist.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"password_hash": hash, "version": gormExpr("version + 1"), "updated_at": tx.now()})
		if res.Error != nil {
			return translate(res.Error, "user")
		}
		if res.RowsAffected == 0 {
			return fault.Errorf(fault.NotFound, "user not found")
		}
		return tx.DeleteUserSessions(ctx, userID)
	})
}

// DeleteUser removes the user, their sessions and tokens. Returns NotFound.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	return deleteByID[userRow](ctx, s, id, "user")
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&userRow{}).Count(&n).Error
	return int(n), translate(err, "user")
}

package service

import (
	"context"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// recordTrail writes one kind of record (sites, queues, template sets, ...)
// together with its audit trail: each create, update and delete runs in one
// transaction with the audit event describing it, so a change and its event
// exist together or not at all, and a refused write (a stale version, a
// duplicate, a record in use) leaves neither. The event names p's user as
// the actor and holds JSON snapshots: after only for a create, before and
// after for an update, before only for a delete.
//
// The store functions are method expressions such as
// (*store.Store).CreateSite, so each runs on the transaction's store.
// Callers validate first: the checks read other records outside the
// transaction.
type recordTrail[T any] struct {
	entity string // the audit events' entity, e.g. "site"
	id     func(v T) int64
	find   func(st *store.Store, ctx context.Context, id int64) (T, error)
	create func(st *store.Store, ctx context.Context, v T) (T, error)
	update func(st *store.Store, ctx context.Context, v T) (T, error)
	del    func(st *store.Store, ctx context.Context, id int64) error
}

// The trails of the records the CRUD resources and the admin pages write
// (users' is userTrail, as a new user's password hash goes with them).
var (
	siteTrail = recordTrail[org.Site]{entity: "site", id: func(v org.Site) int64 { return v.ID },
		find: (*store.Store).FindSiteByID, create: (*store.Store).CreateSite, update: (*store.Store).UpdateSite, del: (*store.Store).DeleteSite}
	teamTrail = recordTrail[org.Team]{entity: "team", id: func(v org.Team) int64 { return v.ID },
		find: (*store.Store).FindTeamByID, create: (*store.Store).CreateTeam, update: (*store.Store).UpdateTeam, del: (*store.Store).DeleteTeam}
	channelTrail = recordTrail[org.Channel]{entity: "channel", id: func(v org.Channel) int64 { return v.ID },
		find: (*store.Store).FindChannelByID, create: (*store.Store).CreateChannel, update: (*store.Store).UpdateChannel, del: (*store.Store).DeleteChannel}
	queueTrail = recordTrail[org.Queue]{entity: "queue", id: func(v org.Queue) int64 { return v.ID },
		find: (*store.Store).FindQueueByID, create: (*store.Store).CreateQueue, update: (*store.Store).UpdateQueue, del: (*store.Store).DeleteQueue}
	agentTrail = recordTrail[org.Agent]{entity: "agent", id: func(v org.Agent) int64 { return v.ID },
		find: (*store.Store).FindAgentByID, create: (*store.Store).CreateAgent, update: (*store.Store).UpdateAgent, del: (*store.Store).DeleteAgent}
	specialDayTrail = recordTrail[org.SpecialDay]{entity: "special_day", id: func(v org.SpecialDay) int64 { return v.ID },
		find: (*store.Store).FindSpecialDayByID, create: (*store.Store).CreateSpecialDay, update: (*store.Store).UpdateSpecialDay, del: (*store.Store).DeleteSpecialDay}
	templateSetTrail = recordTrail[store.TemplateSet]{entity: "template_set", id: func(v store.TemplateSet) int64 { return v.ID },
		find: (*store.Store).FindTemplateSetByID, create: (*store.Store).CreateTemplateSet, update: (*store.Store).UpdateTemplateSet, del: (*store.Store).DeleteTemplateSet}
)

// userTrail is the users' trail; a created user gets passwordHash (empty:
// cannot sign in yet). The snapshots are org.User, which holds no hash.
func userTrail(passwordHash string) recordTrail[org.User] {
	return recordTrail[org.User]{entity: "user", id: func(v org.User) int64 { return v.ID },
		find: (*store.Store).FindUserByID,
		create: func(st *store.Store, ctx context.Context, u org.User) (org.User, error) {
			return st.CreateUser(ctx, u, passwordHash)
		},
		update: (*store.Store).UpdateUser, del: (*store.Store).DeleteUser}
}

// audit appends the event of p's action on the record id within tx.
func (r recordTrail[T]) audit(ctx context.Context, tx *store.Store, p auth.Principal, action string, id int64, before, after any) error {
	return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: r.entity, EntityID: id, Action: action,
		Before: store.Snapshot(before), After: store.Snapshot(after)})
}

// createBy adds v, audited as p's "create". Returns the store's errors.
func (r recordTrail[T]) createBy(ctx context.Context, st *store.Store, p auth.Principal, v T) (T, error) {
	var out T
	err := st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = r.create(tx, ctx, v); err != nil {
			return err
		}
		return r.audit(ctx, tx, p, "create", r.id(out), nil, out)
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// updateBy changes v at its version, audited as p's "update" with the
// record as it was and as it is now. The conditional update fails unless the
// version read as before is the one replaced. Returns the store's errors.
func (r recordTrail[T]) updateBy(ctx context.Context, st *store.Store, p auth.Principal, v T) (T, error) {
	var out T
	err := st.Tx(ctx, func(tx *store.Store) error {
		before, err := r.find(tx, ctx, r.id(v))
		if err != nil {
			return err
		}
		if out, err = r.update(tx, ctx, v); err != nil {
			return err
		}
		return r.audit(ctx, tx, p, "update", r.id(out), before, out)
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// deleteBy removes record id, audited as p's "delete" with the record as it
// was. Returns the store's errors.
func (r recordTrail[T]) deleteBy(ctx context.Context, st *store.Store, p auth.Principal, id int64) error {
	return st.Tx(ctx, func(tx *store.Store) error {
		before, err := r.find(tx, ctx, id)
		if err != nil {
			return err
		}
		if err := r.del(tx, ctx, id); err != nil {
			return err
		}
		return r.audit(ctx, tx, p, "delete", id, before, nil)
	})
}

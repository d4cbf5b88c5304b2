package store

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/fault"
)

// ScheduleStatus is where a shift plan revision stands.
type ScheduleStatus string

const (
	ScheduleDraft      ScheduleStatus = "draft"
	SchedulePublished  ScheduleStatus = "published"
	ScheduleSuperseded ScheduleStatus = "superseded" // a newer revision of the plan was published
)

// Schedule is one revision of a shift plan. Published revisions are immutable;
// republishing a plan publishes a new revision and supersedes the old one.
type Schedule struct {
	ID            int64          `json:"id"`
	PlanID        int64          `json:"plan_id"`
	Revision      int            `json:"revision"`
	Name          string         `json:"name"`
	Status        ScheduleStatus `json:"status"`
	PeriodStart   time.Time      `json:"period_start"`
	PeriodEnd     time.Time      `json:"period_end"`
	Timezone      string         `json:"timezone"`
	CreatedByID   *int64         `json:"created_by_id" gorm:"column:created_by_id"`
	CreatedAt     time.Time      `json:"created_at"`
	PublishedAt   *time.Time     `json:"published_at"`
	PublishedByID *int64         `json:"published_by_id" gorm:"column:published_by_id"`
	Report        string         `json:"report,omitempty"`
	Changes       string         `json:"changes,omitempty"`
	Version       int            `json:"version"`
}

func (Schedule) TableName() string { return "schedules" }

func (s Schedule) utc() Schedule {
	s.PeriodStart, s.PeriodEnd, s.CreatedAt = s.PeriodStart.UTC(), s.PeriodEnd.UTC(), s.CreatedAt.UTC()
	s.PublishedAt = utcPtr(s.PublishedAt)
	return s
}

type shiftRow struct {
	ID          int64
	ScheduleID  int64
	UID         string `gorm:"column:uid"`
	AgentID     *int64
	QueueID     *int64
	Template    string
	StartAt     time.Time
	EndAt       time.Time
	PaidMinutes int
	Breaks      string
	Note        string
	ShortNotice bool
}

func (shiftRow) TableName() string { return "shifts" }

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func shiftRowFrom(scheduleID int64, s calendar.Shift) (shiftRow, error) {
	breaks, err := json.Marshal(s.Breaks)
	if err != nil {
		return shiftRow{}, err
	}
	return shiftRow{ScheduleID: scheduleID, UID: s.UID, AgentID: nonZero(s.AgentID), QueueID: nonZero(s.QueueID), Template: s.Template,
		StartAt: s.Start.UTC(), EndAt: s.End.UTC(), PaidMinutes: s.PaidMinutes, Breaks: string(breaks), Note: s.Note, ShortNotice: s.ShortNotice}, nil
}

func (r shiftRow) domain() calendar.Shift {
	s := calendar.Shift{ID: r.ID, UID: r.UID, AgentID: deref(r.AgentID), QueueID: deref(r.QueueID), Template: r.Template,
		Start: r.StartAt.UTC(), End: r.EndAt.UTC(), PaidMinutes: r.PaidMinutes, Note: r.Note, ShortNotice: r.ShortNotice, Breaks: []calendar.Break{}}
	_ = json.Unmarshal([]byte(r.Breaks), &s.Breaks)
	for i := range s.Breaks {
		s.Breaks[i].Start, s.Breaks[i].End = s.Breaks[i].Start.UTC(), s.Breaks[i].End.UTC()
	}
	return s
}

// CreateScheduleDraft stores a draft revision with its shifts. With PlanID 0
// the draft starts a new plan; otherwise it becomes the plan's next revision.
// Returns NotFound for an unknown plan.
func (s *Store) CreateScheduleDraft(ctx context.Context, sch Schedule, shifts []calendar.Shift) (Schedule, error) {
	err := s.Tx(ctx, func(tx *Store) error {
		sch.ID, sch.Status, sch.Version, sch.PublishedAt, sch.PublishedByID = 0, ScheduleDraft, 1, nil, nil
		if sch.CreatedAt.IsZero() {
			sch.CreatedAt = tx.now()
		}
		sch.Revision = 1
		if sch.PlanID != 0 {
			// Under the plan's lock no other draft takes the same number; the
			// unique (plan_id, revision) index refuses it if one ever did.
			if err := tx.LockPlan(ctx, sch.PlanID); err != nil {
				return err
			}
			var last Schedule
			if err := tx.conn(ctx).Select("revision").Where("plan_id = ?", sch.PlanID).Order("revision DESC").Take(&last).Error; err != nil {
				return translate(err, "plan")
			}
			sch.Revision = last.Revision + 1
		}
		if err := tx.conn(ctx).Create(&sch).Error; err != nil {
			return translate(err, "schedule")
		}
		if sch.PlanID == 0 {
			sch.PlanID = sch.ID
			if err := tx.conn(ctx).Model(&Schedule{}).Where("id = ?", sch.ID).Update("plan_id", sch.ID).Error; err != nil {
				return translate(err, "schedule")
			}
		}
		return tx.insertShifts(ctx, sch.ID, shifts)
	})
	return sch.utc(), err
}

func (s *Store) insertShifts(ctx context.Context, scheduleID int64, shifts []calendar.Shift) error {
	if len(shifts) == 0 {
		return nil
	}
	rows := make([]shiftRow, len(shifts))
	for i, sh := range shifts {
		if sh.UID == "" {
			sh.UID = calendar.NewUID()
		}
		r, err := shiftRowFrom(scheduleID, sh)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	return translate(s.conn(ctx).CreateInBatches(rows, batchSize).Error, "shift")
}

// whyNotEditable explains why a draft update matched no row: NotFound, a
// published revision, or a stale version.
func (s *Store) whyNotEditable(ctx context.Context, id int64, version int) error {
	cur, err := s.FindScheduleByID(ctx, id)
	if err != nil {
		return err
	}
	if cur.Status != ScheduleDraft {
		return fault.Errorf(fault.Conflict, "revision %d is %s and cannot change; create a new draft of the plan", cur.Revision, cur.Status)
	}
	return staleVersion("schedule", version)
}

// FindScheduleByID returns the revision. Returns NotFound if it does not exist.
func (s *Store) FindScheduleByID(ctx context.Context, id int64) (Schedule, error) {
	sch, err := findByID[Schedule](ctx, s, id, "schedule")
	return sch.utc(), err
}

// ScheduleFilter narrows FindSchedules.
type ScheduleFilter struct {
	Status ScheduleStatus
	PlanID int64
	Page   Page
}

// FindSchedules returns revisions, newest first, without their report and changes.
func (s *Store) FindSchedules(ctx context.Context, f ScheduleFilter) ([]Schedule, int, error) {
	q := s.conn(ctx).Model(&Schedule{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.PlanID != 0 {
		q = q.Where("plan_id = ?", f.PlanID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "schedule")
	}
	p := f.Page.Normalize()
	var out []Schedule
	err := q.Omit("report", "changes").Order("id DESC").Limit(p.Limit).Offset(p.Offset).Find(&out).Error
	for i := range out {
		out[i] = out[i].utc()
	}
	return out, int(total), translate(err, "schedule")
}

// ShiftFilter narrows FindShifts. Zero values match everything.
type ShiftFilter struct {
	ScheduleID int64
	AgentIDs   []int64 // nil: any agent
	From, To   time.Time
	// Published keeps only shifts of published revisions.
	Published bool
	// ExceptPlanID leaves out the revisions of that plan.
	ExceptPlanID int64
	// Lean leaves out each shift's UID and note, for reads that only draw or
	// measure the shifts (the planner's grid reads 10,000 at a time).
	Lean bool
}

// FindShifts returns shifts that overlap [From, To), ordered by start.
func (s *Store) FindShifts(ctx context.Context, f ShiftFilter) ([]calendar.Shift, error) {
	q := s.conn(ctx).Model(&shiftRow{})
	if f.ScheduleID != 0 {
		q = q.Where("schedule_id = ?", f.ScheduleID)
	}
	if f.Published {
		q = q.Where("schedule_id IN (?)", s.conn(ctx).Model(&Schedule{}).Select("id").Where("status = ?", SchedulePublished))
	}
	if f.ExceptPlanID != 0 {
		q = q.Where("schedule_id NOT IN (?)", s.conn(ctx).Model(&Schedule{}).Select("id").Where("plan_id = ?", f.ExceptPlanID))
	}
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if !f.To.IsZero() {
		q = q.Where("start_at < ?", f.To.UTC())
	}
	if !f.From.IsZero() {
		q = q.Where("end_at > ?", f.From.UTC())
	}
	// Scanned by hand and sorted here: a plan of 10,000 shifts spent most of
	// its read in GORM's reflection and in SQLite's sorter.
	cols := []string{"id", "agent_id", "queue_id", "template", "start_at", "end_at", "paid_minutes", "breaks", "short_notice", "uid", "note"}
	if f.Lean {
		cols = cols[:len(cols)-2]
	}
	rows, err := q.Select(cols).Rows()
	if err != nil {
		return nil, translate(err, "shift")
	}
	defer rows.Close()
	out := []calendar.Shift{}
	for rows.Next() {
		var r shiftRow
		dest := []any{&r.ID, &r.AgentID, &r.QueueID, &r.Template, &r.StartAt, &r.EndAt, &r.PaidMinutes, &r.Breaks, &r.ShortNotice, &r.UID, &r.Note}
		if err := rows.Scan(dest[:len(cols)]...); err != nil {
			return nil, translate(err, "shift")
		}
		out = append(out, r.domain())
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "shift")
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// PublishSchedule publishes a draft: shifts take over the UIDs of the plan's
// current published revision (so calendars update in place), that revision is
// superseded, and the changes for each agent are recorded. Publications of one
// plan happen one at a time under the plan's lock (LockPlan), and only one
// publication of a draft version gets past the conditional update that claims
// it, so a plan always has exactly one published revision once it has been
// published (a unique partial index makes two impossible). Returns NotFound,
// or Conflict if the revision is not a draft or version is stale.
func (s *Store) PublishSchedule(ctx context.Context, id int64, version int, by int64, at time.Time) (Schedule, []calendar.Change, error) {
	var out Schedule
	var changes []calendar.Change
	err := s.Tx(ctx, func(tx *Store) error {
		draft, err := tx.FindScheduleByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.LockPlan(ctx, draft.PlanID); err != nil {
			return err
		}
		claim := tx.conn(ctx).Model(&Schedule{}).Where("id = ? AND version = ? AND status = ?", id, version, ScheduleDraft).
			Update("version", version+1)
		if claim.Error != nil {
			return translate(claim.Error, "schedule")
		}
		if claim.RowsAffected != 1 {
			cur, err := tx.FindScheduleByID(ctx, id)
			if err != nil {
				return err
			}
			if cur.Status != ScheduleDraft {
				return fault.Errorf(fault.Conflict, "revision %d is already %s", cur.Revision, cur.Status)
			}
			return staleVersion("schedule", version)
		}
		var prevShifts []calendar.Shift
		var prev Schedule
		err = tx.conn(ctx).Where("plan_id = ? AND status = ?", draft.PlanID, SchedulePublished).Take(&prev).Error
		if err == nil {
			if prevShifts, err = tx.FindShifts(ctx, ShiftFilter{ScheduleID: prev.ID}); err != nil {
				return err
			}
		} else if !fault.Is(translate(err, "schedule"), fault.NotFound) {
			return translate(err, "schedule")
		}
		// The plan's lock orders publications, not the moment their requests
		// took at: a revision is never stamped as published before the one it
		// supersedes.
		if prev.PublishedAt != nil && prev.PublishedAt.After(at) {
			at = *prev.PublishedAt
		}
		next, err := tx.FindShifts(ctx, ShiftFilter{ScheduleID: id})
		if err != nil {
			return err
		}
		before := make(map[int64]string, len(next))
		for _, sh := range next {
			before[sh.ID] = sh.UID
		}
		calendar.CarryUIDs(prevShifts, next)
		changes = calendar.Diff(prevShifts, next, at)
		soon := map[string]bool{}
		for i, ch := range changes {
			if prev.ID == 0 {
				// A plan's first publication changes nobody's known shifts.
				changes[i].Soon = false
				continue
			}
			if ch.Soon && ch.Kind != calendar.Removed {
				soon[ch.UID] = true
			}
		}
		var renamed []calendar.Shift
		var noticeIDs []int64
		for _, sh := range next {
			if before[sh.ID] != sh.UID {
				renamed = append(renamed, sh)
			}
			if soon[sh.UID] {
				noticeIDs = append(noticeIDs, sh.ID)
			}
		}
		if err := tx.setShiftUIDs(ctx, renamed); err != nil {
			return err
		}
		for i := 0; i < len(noticeIDs); i += batchSize {
			chunk := noticeIDs[i:min(i+batchSize, len(noticeIDs))]
			if err := tx.conn(ctx).Model(&shiftRow{}).Where("id IN ?", chunk).Update("short_notice", true).Error; err != nil {
				return translate(err, "shift")
			}
		}
		if prev.ID != 0 {
			if err := tx.setStatus(ctx, prev.ID, SchedulePublished, ScheduleSuperseded); err != nil {
				return err
			}
		}
		res := tx.conn(ctx).Model(&Schedule{}).Where("id = ? AND version = ? AND status = ?", id, version+1, ScheduleDraft).Updates(map[string]any{
			"status": SchedulePublished, "published_at": at.UTC(), "published_by_id": nonZero(by), "changes": Snapshot(changes),
		})
		if res.Error != nil {
			return translate(res.Error, "schedule")
		}
		if res.RowsAffected != 1 {
			return fault.Errorf(fault.Conflict, "revision %d changed while it was being published; reload and retry", draft.Revision)
		}
		out, err = tx.FindScheduleByID(ctx, id)
		return err
	})
	return out, changes, err
}

// LockPlan holds the plan's lock until the surrounding transaction ends, so
// that work on one plan that reads its revisions and then writes a new one
// (publishing, numbering a new draft, deriving a revision from the published
// one as swaps and bookings do) happens one at a time. Call it inside Tx,
// before the reads the new revision depends on. On PostgreSQL it locks the row
// of the plan's first revision (SELECT ... FOR UPDATE); an SQLite transaction
// already holds the database's write lock from BEGIN (sqliteDSN), so there it
// only checks that the plan exists. Returns NotFound for an unknown plan.
func (s *Store) LockPlan(ctx context.Context, planID int64) error {
	var root Schedule
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Where("id = ?", planID).Take(&root).Error
	return translate(err, "plan")
}

// setStatus moves revision id from one status to another and returns
// Conflict if it was not in the from status.
func (s *Store) setStatus(ctx context.Context, id int64, from, to ScheduleStatus) error {
	res := s.conn(ctx).Model(&Schedule{}).Where("id = ? AND status = ?", id, from).
		Updates(map[string]any{"status": to, "version": gormExpr("version + 1")})
	if res.Error != nil {
		return translate(res.Error, "schedule")
	}
	if res.RowsAffected != 1 {
		return fault.Errorf(fault.Conflict, "schedule %d is no longer %s", id, from)
	}
	return nil
}

// setShiftUIDs writes new UIDs for shifts, a few hundred per statement.
func (s *Store) setShiftUIDs(ctx context.Context, shifts []calendar.Shift) error {
	const chunk = 300
	for i := 0; i < len(shifts); i += chunk {
		part := shifts[i:min(i+chunk, len(shifts))]
		var sql strings.Builder
		args := make([]any, 0, 3*len(part))
		ids := make([]int64, len(part))
		sql.WriteString("UPDATE shifts SET uid = CASE id")
		for k, sh := range part {
			sql.WriteString(" WHEN ? THEN ?")
			args = append(args, sh.ID, sh.UID)
			ids[k] = sh.ID
		}
		sql.WriteString(" END WHERE id IN ?")
		args = append(args, ids)
		if err := s.conn(ctx).Exec(sql.String(), args...).Error; err != nil {
			return translate(err, "shift")
		}
	}
	return nil
}

package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// The organisation's records (sites, channels, queues, special days,
// agents) are kept in the browser by one list page and one edit page per
// kind, both rendered by admin_records.html. Each kind (admin_sites.go,
// admin_channels.go, admin_queues.go, admin_special_days.go,
// admin_agents.go) declares its typed form, how it parses and validates it,
// and which use cases it calls (a recordCases); the record's rules are
// checked by those use cases, and their field errors are shown next to the
// fields.

// formField is one labelled input of a record's form.
type formField struct {
	Name, Label, Type string // Type: text, number, date, select, checkbox
	Value, Help       string
	Step, Min, Max    string
	Options           []option
	Checked           bool
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// recordRow is one record in the list.
type recordRow struct {
	ID    int64
	Name  string
	Cells []string
}

// recordForm is what every kind's typed form offers the generic pages.
type recordForm interface {
	// Validate returns Invalid naming the fields only the form can get
	// wrong (a word where a number belongs).
	Validate() error
	fields(opts recordOptions) []formField
	version() int
}

// fieldNamer is a form whose inputs are not named as the service names
// its fields (an agent's availability is one input per weekday, the
// service counts windows): fieldName returns the input for key.
type fieldNamer interface {
	fieldName(key string) string
}

// recordOptions are the choices a form's selects offer.
type recordOptions struct {
	Channels []org.Channel
	Queues   []org.Queue
	Teams    []org.Team
}

// recordKind describes one kind of record to the generic pages.
type recordKind struct {
	res              auth.Resource
	roles            []org.Role // the roles the pages are for
	singular, plural string
	base             string // the list page's path
	intro            string
	columns          []string
	list             func(ctx context.Context) ([]recordRow, error)
	parse            func(c echo.Context) recordForm
	blank            func() recordForm
	records          recordUseCases // the kind's use cases, usually a recordCases
}

// recordUseCases is what the generic pages do with a kind's records.
type recordUseCases interface {
	// load reads the record as its form shows it, and its name.
	load(ctx context.Context, id int64) (recordForm, string, error)
	// create writes the record of a form that passed its Validate and
	// returns its name; the use case checks the record's rules and audits
	// the change as p's act, as update and del do.
	create(ctx context.Context, p auth.Principal, f recordForm) (string, error)
	// update writes f over record id at f's version; current is the
	// record as load read it, at that version.
	update(ctx context.Context, p auth.Principal, id int64, current, f recordForm) (string, error)
	del(ctx context.Context, p auth.Principal, id int64) error
}

// recordCases adapts the use cases of records of type T, edited through a
// form F, to the generic pages.
type recordCases[T any, F recordForm] struct {
	find        func(ctx context.Context, id int64) (T, error)
	add, change func(ctx context.Context, p auth.Principal, v T) (T, error) // the create and update use cases
	remove      func(ctx context.Context, p auth.Principal, id int64) error
	formOf      func(v T) F // the record as its form shows it
	value       func(f F) T // the form's record, after its Validate
	meta        func(v *T) (id *int64, version *int)
	name        func(v T) string
	// keep, if set, copies into an update what the form does not show
	// from the record it was opened on (an agent's preferences).
	keep func(current F, v *T)
}

func (r recordCases[T, F]) load(ctx context.Context, id int64) (recordForm, string, error) {
	v, err := r.find(ctx, id)
	return r.formOf(v), r.name(v), err
}

func (r recordCases[T, F]) create(ctx context.Context, p auth.Principal, f recordForm) (string, error) {
	v, err := r.add(ctx, p, r.value(f.(F)))
	return r.name(v), err
}

func (r recordCases[T, F]) update(ctx context.Context, p auth.Principal, id int64, current, f recordForm) (string, error) {
	v := r.value(f.(F))
	if r.keep != nil {
		r.keep(current.(F), &v)
	}
	vid, version := r.meta(&v)
	*vid, *version = id, f.version()
	v, err := r.change(ctx, p, v)
	return r.name(v), err
}

func (r recordCases[T, F]) del(ctx context.Context, p auth.Principal, id int64) error {
	return r.remove(ctx, p, id)
}

func (s *Handler) recordOptions(ctx context.Context) (recordOptions, error) {
	chs, _, err := s.svc.FindChannels(ctx, pageAll)
	if err != nil {
		return recordOptions{}, err
	}
	qs, _, err := s.svc.FindQueues(ctx, pageAll)
	if err != nil {
		return recordOptions{}, err
	}
	teams, _, err := s.svc.FindTeams(ctx, service.TeamFilter{Page: pageAll})
	if err != nil {
		return recordOptions{}, err
	}
	return recordOptions{Channels: chs, Queues: qs, Teams: teams}, nil
}

// allow admits the kind's roles when the policy lets them take action.
func (k recordKind) allow(c echo.Context, action auth.Action) error {
	if err := onlyRoles(c, k.roles...); err != nil {
		return err
	}
	return httpx.Principal(c).Allow(k.res, action)
}

// may says whether the signed-in user may take action (for showing buttons).
func (k recordKind) may(c echo.Context, action auth.Action) bool {
	return httpx.Principal(c).Allow(k.res, action) == nil
}

// recordsPage renders the list page, with form as the add form's values.
func (s *Handler) recordsPage(c echo.Context, k recordKind, status int, pg page, form recordForm) error {
	ctx := c.Request().Context()
	rows, err := k.list(ctx)
	if err != nil {
		return err
	}
	opts, err := s.recordOptions(ctx)
	if err != nil {
		return err
	}
	if form == nil {
		form = k.blank()
	}
	pg.Data["Kind"] = recordView{Singular: k.singular, Plural: k.plural, Base: k.base, Intro: k.intro, Columns: k.columns}
	pg.Data["Rows"], pg.Data["Form"] = rows, form.fields(opts)
	pg.Data["CanCreate"], pg.Data["CanEdit"] = k.may(c, auth.Create), k.may(c, auth.Update)
	pg.Data["Editing"] = false
	return s.render(c, status, "admin_records", pg)
}

// recordView is the kind as the template names it.
type recordView struct {
	Singular, Plural, Base, Intro string
	Columns                       []string
}

// recordPage renders the edit page of record id, with form as its values.
func (s *Handler) recordPage(c echo.Context, k recordKind, status int, pg page, id int64, name string, form recordForm) error {
	opts, err := s.recordOptions(c.Request().Context())
	if err != nil {
		return err
	}
	pg.Data["Kind"] = recordView{Singular: k.singular, Plural: k.plural, Base: k.base, Intro: k.intro, Columns: k.columns}
	pg.Data["Editing"], pg.Data["ID"], pg.Data["Name"], pg.Data["Version"] = true, id, name, form.version()
	pg.Data["Form"] = form.fields(opts)
	pg.Data["CanEdit"], pg.Data["CanDelete"] = k.may(c, auth.Update), k.may(c, auth.Delete)
	return s.render(c, status, "admin_records", pg)
}

// formFault puts a refusal of form on pg: the message, and each field's
// reason next to its input. Other errors are passed on (ok false).
func formFault(pg *page, form recordForm, err error) (int, bool) {
	var fe *fault.Error
	if !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Conflict && fe.Code != fault.Unprocessable) {
		return 0, false
	}
	pg.Error = fe.Message
	if len(fe.Fields) > 0 {
		pg.Error += ": see the fields marked below."
	}
	namer, _ := form.(fieldNamer)
	// In key order, so that of several problems of one input (a window's
	// from and to) the page always shows the same, first one.
	keys := make([]string, 0, len(fe.Fields))
	for k := range fe.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		k := key
		if namer != nil {
			k = namer.fieldName(key)
		}
		if _, dup := pg.Fields[k]; dup {
			continue // the first problem of an input is enough
		}
		pg.Fields[k] = fe.Fields[key]
	}
	return httpx.StatusOf[fe.Code], true
}

// webRecords handles the "GET /admin/<kind>" routes: the list and the add form.
func (s *Handler) webRecords(k recordKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := k.allow(c, auth.Read); err != nil {
			return err
		}
		return s.recordsPage(c, k, http.StatusOK, s.newPage(c, k.plural), nil)
	}
}

// webCreateRecord handles the "POST /admin/<kind>" routes.
func (s *Handler) webCreateRecord(k recordKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := k.allow(c, auth.Create); err != nil {
			return err
		}
		form := k.parse(c)
		err := form.Validate()
		var name string
		if err == nil {
			name, err = k.records.create(c.Request().Context(), httpx.Principal(c), form)
		}
		if err != nil {
			pg := s.newPage(c, k.plural)
			status, ok := formFault(&pg, form, err)
			if !ok {
				return err
			}
			return s.recordsPage(c, k, status, pg, form)
		}
		return c.Redirect(http.StatusSeeOther, k.base+"?done="+url.QueryEscape(capitalize(k.singular)+" "+name+" added."))
	}
}

// webRecord handles the "GET /admin/<kind>/:id" routes: the edit form.
func (s *Handler) webRecord(k recordKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := k.allow(c, auth.Read); err != nil {
			return err
		}
		id, err := httpx.IDParam(c)
		if err != nil {
			return err
		}
		form, name, err := k.records.load(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return s.recordPage(c, k, http.StatusOK, s.newPage(c, capitalize(k.singular)+" "+name), id, name, form)
	}
}

// webUpdateRecord handles the "POST /admin/<kind>/:id" routes. A form
// opened before someone else saved the record is refused with the current
// values and a message to apply the change again.
func (s *Handler) webUpdateRecord(k recordKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := k.allow(c, auth.Update); err != nil {
			return err
		}
		id, err := httpx.IDParam(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		current, name, err := k.records.load(ctx, id)
		if err != nil {
			return err
		}
		form := k.parse(c)
		if form.version() != current.version() {
			pg := s.newPage(c, capitalize(k.singular)+" "+name)
			pg.Error = "Not saved: someone else changed this " + k.singular + " after you opened it. The form now shows their version; make your change again and save."
			return s.recordPage(c, k, http.StatusConflict, pg, id, name, current)
		}
		err = form.Validate()
		if err == nil {
			var saved string
			if saved, err = k.records.update(ctx, httpx.Principal(c), id, current, form); err == nil {
				name = saved
			}
		}
		if err != nil {
			pg := s.newPage(c, capitalize(k.singular)+" "+name)
			status, ok := formFault(&pg, form, err)
			if !ok {
				return err
			}
			if status == http.StatusConflict && len(pg.Fields) == 0 {
				pg.Error = "Not saved: " + pg.Error
			}
			return s.recordPage(c, k, status, pg, id, name, form)
		}
		return c.Redirect(http.StatusSeeOther, k.base+"?done="+url.QueryEscape(capitalize(k.singular)+" "+name+" saved."))
	}
}

// webDeleteRecord handles the "POST /admin/<kind>/:id/delete" routes. A
// record still in use stays, and its page says why.
func (s *Handler) webDeleteRecord(k recordKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := k.allow(c, auth.Delete); err != nil {
			return err
		}
		id, err := httpx.IDParam(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		current, name, err := k.records.load(ctx, id)
		if err != nil {
			return err
		}
		if err := k.records.del(ctx, httpx.Principal(c), id); err != nil {
			if !fault.Is(err, fault.Conflict) {
				return err
			}
			pg := s.newPage(c, capitalize(k.singular)+" "+name)
			pg.Error = "Not deleted: " + err.Error() + "."
			return s.recordPage(c, k, http.StatusConflict, pg, id, name, current)
		}
		return c.Redirect(http.StatusSeeOther, k.base+"?done="+url.QueryEscape(capitalize(k.singular)+" "+name+" deleted."))
	}
}

// mountRecords adds the list, add, edit and delete routes of kind k.
func mountRecords(g *echo.Group, s *Handler, k recordKind) {
	g.GET(k.base, s.webRecords(k))
	g.POST(k.base, s.webCreateRecord(k))
	g.GET(k.base+"/:id", s.webRecord(k))
	g.POST(k.base+"/:id", s.webUpdateRecord(k))
	g.POST(k.base+"/:id/delete", s.webDeleteRecord(k))
}

// pageAll is the largest page the store hands out, for selects and lists.
var pageAll = service.Page{Limit: 500}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// formInt and formFloat read a number field into fields' errors.
func formInt(fields fault.Fields, key, v string) int {
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fields.Add(key, "must be a whole number, got %q", v)
	}
	return n
}

func formFloat(fields fault.Fields, key, v string) float64 {
	if v == "" {
		return 0
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		fields.Add(key, "must be a number, got %q", v)
	}
	return x
}

// Package ui holds Peakwise's server-rendered pages: html/template files and
// static assets, embedded so the single binary serves everything.
package ui

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static returns the static assets (CSS), served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// Pages renders the named page templates inside the shared layout.
type Pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	// inZone formats an instant on a zone's clock and names the zone, so no
	// time on a page is ambiguous.
	"inZone": func(t time.Time, zone, layout string) string {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			loc = time.UTC
		}
		return t.In(loc).Format(layout)
	},
	// period says a plan's period on a zone's clock (see Period).
	"period": func(start, end time.Time, zone string) string {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			loc = time.UTC
		}
		return Period(start, end, loc)
	},
	"pct":      func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) },
	"deref":    func(t *time.Time) time.Time { return *t },
	"has":      func(ids []int64, id int64) bool { return slices.Contains(ids, id) },
	"deref64":  func(f *float64) float64 { return *f },
	"derefInt": func(i *int) int { return *i },
	"derefID":  func(i *int64) int64 { return *i },
	"parseID": func(s string) int64 {
		id, _ := strconv.ParseInt(s, 10, 64)
		return id
	},
	// score shows a 0-100 score with two decimals, or a dash when there is none.
	"score": func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f, 'f', 2, 64)
	},
	"hours": func(minutes int) string {
		return fmt.Sprintf("%d:%02d", minutes/60, minutes%60)
	},
	// opt formats an optional ratio as a percentage, or a dash when absent.
	"optpct": func(v *float64) string {
		if v == nil || math.IsNaN(*v) {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", *v*100)
	},
	// nanpct is pct with a dash for NaN (nothing to measure).
	"nanpct": func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", v*100)
	},
	// num formats a number with the given decimals, a dash for NaN or nil.
	"num": func(decimals int, v any) string {
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case *float64:
			if x == nil {
				return "—"
			}
			f = *x
		case int:
			f = float64(x)
		default:
			return fmt.Sprint(v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "—"
		}
		return strconv.FormatFloat(f, 'f', decimals, 64)
	},
	// role names a role for people: "QA reviewer", not "qa_reviewer".
	"role": func(r any) string {
		if n, ok := roleNames[fmt.Sprint(r)]; ok {
			return n
		}
		return fmt.Sprint(r)
	},
	// scorepct shows a 0-100 percentage with two decimals and its sign, or a dash.
	"scorepct": func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f, 'f', 2, 64) + "%"
	},
	// duration, seconds, target and method are the shared formatters of words.go.
	"duration": Duration,
	"seconds":  Seconds,
	"target":   ServiceTarget,
	"method":   methodHTML,
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
	},
}

var roleNames = map[string]string{"admin": "Admin", "planner": "Planner", "qa_reviewer": "QA reviewer", "supervisor": "Supervisor", "agent": "Agent"}

// Load parses every page with the layout. It fails only on a broken template,
// which the tests catch.
func Load() (*Pages, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &Pages{byName: map[string]*template.Template{}}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, e)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// Render writes page name with data. Returns an error for an unknown page.
func (p *Pages) Render(w io.Writer, name string, data any) error {
	t, ok := p.byName[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	return t.ExecuteTemplate(w, "layout.html", data)
}

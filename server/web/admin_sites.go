package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// siteForm is the add and edit form of a site.
type siteForm struct {
	Name, Timezone string
	Version        int
}

func parseSiteForm(c echo.Context) recordForm {
	f := &siteForm{Name: strings.TrimSpace(c.FormValue("name")), Timezone: strings.TrimSpace(c.FormValue("timezone"))}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	return f
}

// Validate has nothing to check that the site's own rules do not.
func (f *siteForm) Validate() error { return nil }
func (f *siteForm) version() int    { return f.Version }
func (f *siteForm) site() org.Site  { return org.Site{Name: f.Name, Timezone: f.Timezone} }
func (f *siteForm) fields(recordOptions) []formField {
	return []formField{
		{Name: "name", Label: "Name", Type: "text", Value: f.Name},
		{Name: "timezone", Label: "Time zone", Type: "text", Value: f.Timezone, Help: "An IANA zone, e.g. Europe/Lisbon or America/Chicago."},
	}
}

// sitesKind is the sites pages, for admins.
func sitesKind(svc *service.Service) recordKind {
	return recordKind{
		res: auth.Sites, roles: []org.Role{org.RoleAdmin}, singular: "site", plural: "Sites", base: "/admin/sites",
		intro:   "Where agents work. Teams belong to a site; a site in use by a team cannot be deleted.",
		columns: []string{"Site", "Time zone"},
		list: func(ctx context.Context) ([]recordRow, error) {
			sites, _, err := svc.FindSites(ctx, pageAll)
			rows := make([]recordRow, len(sites))
			for i, v := range sites {
				rows[i] = recordRow{ID: v.ID, Name: v.Name, Cells: []string{v.Name, v.Timezone}}
			}
			return rows, err
		},
		parse: parseSiteForm,
		blank: func() recordForm { return &siteForm{} },
		records: recordCases[org.Site, *siteForm]{
			find: svc.FindSiteByID, add: svc.CreateSite, change: svc.UpdateSite, remove: svc.DeleteSite,
			formOf: func(v org.Site) *siteForm { return &siteForm{Name: v.Name, Timezone: v.Timezone, Version: v.Version} },
			value:  (*siteForm).site,
			meta:   func(v *org.Site) (*int64, *int) { return &v.ID, &v.Version },
			name:   func(v org.Site) string { return v.Name },
		},
	}
}

package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// A secret made by a POST (a new API token, a calendar address) is shown
// once, by the page the POST redirects to: it travels in a short-lived
// cookie scoped to that page, which the page clears as it shows it. So a
// reload neither runs the POST again nor shows the secret twice.
const (
	onceToken = "pw_once_token"
	onceFeed  = "pw_once_feed"
	onceTTL   = 120 // seconds the secret waits for its page
)

// redirectShowingOnce keeps value for the next GET of path, then redirects
// there (303) with msg as the page's notice.
func (s *Handler) redirectShowingOnce(c echo.Context, name, path, value, msg string) error {
	c.SetCookie(&http.Cookie{Name: name, Value: url.QueryEscape(value), Path: path, MaxAge: onceTTL, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies || c.Scheme() == "https"})
	return c.Redirect(http.StatusSeeOther, path+"?done="+url.QueryEscape(msg))
}

// takeOnce returns the value kept for this page under name ("" if none) and
// tells the browser to drop it.
func (s *Handler) takeOnce(c echo.Context, name, path string) string {
	ck, err := c.Cookie(name)
	if err != nil || ck.Value == "" {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies || c.Scheme() == "https"})
	v, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return ""
	}
	return v
}

package api

import (
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
)

// doc describes one API route for the OpenAPI document. Routes are registered
// through apiRegistry.add, so the document cannot drift from the router.
type doc struct {
	Summary  string
	Tag      string
	Request  any // a value of the request body's type, or nil
	Response any // a value of the response body's type, or nil
	Status   int // success status; 0 means 200
	Public   bool
	Resource auth.Resource // for the x-peakwise-permission note; empty when any signed-in user may call it
	Action   auth.Action
	// BodyLimit caps the request body, e.g. "32M"; empty means 1 MiB.
	BodyLimit string
}

type apiRoute struct {
	method, path string // Echo path, with the group prefix
	doc          doc
}

type apiRegistry struct {
	mu     sync.Mutex
	routes []apiRoute
}

func newAPIRegistry() *apiRegistry { return &apiRegistry{} }

// add registers h on g and records its documentation.
func (r *apiRegistry) add(g *echo.Group, method, path string, h echo.HandlerFunc, d doc) {
	limit := d.BodyLimit
	if limit == "" {
		limit = "1M"
	}
	rt := g.Add(method, path, h, middleware.BodyLimit(limit))
	r.mu.Lock()
	r.routes = append(r.routes, apiRoute{method: method, path: rt.Path, doc: d})
	r.mu.Unlock()
}

// openAPIPath turns /api/v1/sites/:id into /api/v1/sites/{id}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// Document returns the OpenAPI 3 document of the registered API routes.
func (r *apiRegistry) Document() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	schemas := map[string]any{}
	paths := map[string]map[string]any{}
	for _, rt := range r.routes {
		p := openAPIPath(rt.path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		status := rt.doc.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := map[string]any{"description": http.StatusText(status)}
		if rt.doc.Response != nil {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.doc.Response), schemas)}}
		}
		op := map[string]any{
			"summary":     rt.doc.Summary,
			"operationId": strings.ToLower(rt.method) + strings.ReplaceAll(strings.ReplaceAll(rt.path, "/", "_"), ":", ""),
			"responses": map[string]any{
				strconv.Itoa(status): resp,
				"default":            map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
			},
		}
		if rt.doc.Tag != "" {
			op["tags"] = []string{rt.doc.Tag}
		}
		if rt.doc.Public {
			op["security"] = []any{}
		}
		if rt.doc.Resource != "" {
			op["x-peakwise-permission"] = string(rt.doc.Resource) + ":" + string(rt.doc.Action)
		}
		var params []any
		for _, part := range strings.Split(rt.path, "/") {
			if strings.HasPrefix(part, ":") {
				params = append(params, map[string]any{"name": part[1:], "in": "path", "required": true, "schema": map[string]any{"type": "integer"}})
			}
		}
		if rt.method == http.MethodGet && rt.doc.Response != nil && strings.HasPrefix(reflect.TypeOf(rt.doc.Response).Name(), "List[") {
			params = append(params,
				map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "default": 50, "maximum": 500}},
				map[string]any{"name": "offset", "in": "query", "schema": map[string]any{"type": "integer", "default": 0}})
		}
		if rt.method == http.MethodPatch {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "schema": map[string]any{"type": "string"},
				"description": "The ETag (version) the edit is based on; or send version in the body. A stale version gets 409."})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.doc.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.doc.Request), schemas)}}}
		}
		paths[p][strings.ToLower(rt.method)] = op
	}
	schemas["Error"] = map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object",
		"properties": map[string]any{
			"code":       map[string]any{"type": "string", "enum": []string{"invalid", "unauthenticated", "forbidden", "not_found", "conflict", "unprocessable", "too_large", "rate_limited", "internal"}},
			"message":    map[string]any{"type": "string"},
			"fields":     map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
			"request_id": map[string]any{"type": "string"},
		}, "required": []string{"code", "message"}}}}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Peakwise API", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "An API token from `peakwise token create` or POST /api/v1/tokens."},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": httpx.SessionCookie, "description": "Browser session; unsafe methods also need the X-CSRF-Token header."},
			},
		},
		"security": []any{map[string]any{"token": []string{}}, map[string]any{"session": []string{}}},
	}
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf describes t as a JSON schema, naming structs in schemas.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := schemas[name]; !ok {
			schemas[name] = nil // placeholder against recursion
			props := map[string]any{}
			structProps(t, props, schemas)
			schemas[name] = map[string]any{"type": "object", "properties": props}
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func structProps(t reflect.Type, props map[string]any, schemas map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			structProps(ft, props, schemas)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if name == "" {
			name = f.Name
		}
		prop := schemaOf(f.Type, schemas)
		if d := f.Tag.Get("doc"); d != "" { // a field's description, where its name does not say enough
			prop["description"] = d
		}
		props[name] = prop
	}
}

func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		// List[github.com/.../org.Site] -> ListSite
		inner := name[i+1 : len(name)-1]
		if j := strings.LastIndexByte(inner, '.'); j >= 0 {
			inner = inner[j+1:]
		}
		name = name[:i] + inner
	}
	if name == "" {
		return "Anonymous"
	}
	return name
}

// routeKeys lists "METHOD /path" of every documented route, sorted; for tests.
func (r *apiRegistry) routeKeys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]string, 0, len(r.routes))
	for _, rt := range r.routes {
		keys = append(keys, rt.method+" "+rt.path)
	}
	sort.Strings(keys)
	return keys
}

package server

// webRoutes registers the browser UI (server-rendered pages from ui/).
// The UI issue fills it in.
func (s *Server) webRoutes() {}

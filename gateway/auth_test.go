package gateway_test

import (
	"net/http"
	"testing"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		unauthorized := []string{`"code":"Unauthorized"`, `"code":"ScoreRequestUnauthorized"`}
		wwwAuthenticate := func(t *testing.T, _ *env, res *http.Response, _ []byte) {
			if got := res.Header.Get("WWW-Authenticate"); got != "Bearer" {
				t.Errorf("WWW-Authenticate = %q, want Bearer", got)
			}
		}
		e.run(t, []step{
			{name: "healthz needs no credential", method: "GET", path: "/healthz", auth: "-",
				status: 200, want: []string{`{"Status":"ok"}`}},
			{name: "readyz needs no credential", method: "GET", path: "/readyz", auth: "-",
				status: 200, want: []string{`"Status":"ok"`}},
			{name: "missing Authorization", method: "GET", path: "/workspaces/{ws}/webservices", auth: "-",
				status: 401, want: unauthorized, check: wwwAuthenticate},
			{name: "not a bearer credential", method: "GET", path: "/workspaces/{ws}/webservices", auth: "-",
				header: map[string]string{"Authorization": "Basic {token}"}, status: 401, want: unauthorized},
			{name: "bearer without credential", method: "GET", path: "/workspaces/{ws}/webservices", auth: "-",
				header: map[string]string{"Authorization": "Bearer "}, status: 401, want: unauthorized},
			{name: "garbage token", method: "GET", path: "/workspaces/{ws}/webservices", auth: "not-a-token",
				status: 401, want: unauthorized, check: wwwAuthenticate},
			{name: "token with a character flipped", method: "GET", path: "/workspaces/{ws}/webservices",
				auth: "{ws.token}x", status: 401, want: unauthorized},
			{name: "lowercase scheme", method: "GET", path: "/workspaces/{ws}/webservices", auth: "-",
				header: map[string]string{"Authorization": "bearer {token}"}, status: 200, want: []string{"[]"}},
			{name: "secondary token manages too", method: "GET", path: "/workspaces/{ws}/webservices",
				auth: "{ws.token2}", status: 200, want: []string{"[]"}},
			{name: "workspaces lists the token's own", method: "GET", path: "/workspaces",
				status: 200, want: []string{`[{"Id":"{ws}","Name":"ws"}]`}, reject: []string{"{other}"}},
			{name: "other workspace's token is not found", method: "GET", path: "/workspaces/{ws}/webservices",
				auth: "{other.token}", status: 404, want: []string{`"WorkspaceNotFound"`}},
			{name: "other workspace's token on a deep route", method: "DELETE",
				path: "/workspaces/{ws}/webservices/demo/endpoints/default", auth: "{other.token}",
				status: 404, want: []string{`"WorkspaceNotFound"`}},
			{name: "other workspace's token in its own workspace", method: "GET",
				path: "/workspaces/{other}/webservices", auth: "{other.token}", status: 200},
			{name: "unknown workspace id", method: "GET", path: "/workspaces/00000000000000000000000000000000/webservices",
				status: 404, want: []string{`"WorkspaceNotFound"`}},
			{name: "client request id is echoed", method: "GET", path: "/healthz", auth: "-",
				header: map[string]string{"x-ms-client-request-id": "abc-123"}, status: 200,
				check: func(t *testing.T, _ *env, res *http.Response, _ []byte) {
					if got := res.Header.Get("x-ms-client-request-id"); got != "abc-123" {
						t.Errorf("x-ms-client-request-id = %q", got)
					}
				}},
		})
	})
}

func TestRouting(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	e.run(t, []step{
		{name: "unknown route", method: "GET", path: "/nope", auth: "-",
			status: 404, want: []string{`"code":"NotFound"`, `"RouteNotFound"`}},
		{name: "unknown route with a token", method: "GET", path: "/workspaces/{ws}/nope",
			status: 404, want: []string{`"code":"NotFound"`}},
		{name: "wrong method", method: "POST", path: "/workspaces/{ws}/webservices",
			status: 405, want: []string{`"code":"MethodNotAllowed"`}},
		{name: "wrong method without credential", method: "PATCH", path: "/workspaces/{ws}/webservices/demo", auth: "-",
			status: 405, want: []string{`"code":"MethodNotAllowed"`}},
		{name: "wrong method on healthz", method: "DELETE", path: "/healthz", auth: "-",
			status: 405, want: []string{`"code":"MethodNotAllowed"`}},
	})
}

package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// BenchmarkAppendRequestLogs measures recording requests as the gateway's
// writer does: batches of 256 single-row scoring calls with their bodies
// (about 370 and 250 bytes). ns/op is per batch; ns/record is per record.
func BenchmarkAppendRequestLogs(b *testing.B) {
	for name, open := range map[string]func(testing.TB, ...storetest.Option) *store.DB{
		"sqlite": storetest.NewSQLite, "postgres": storetest.NewPostgres,
	} {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			ctx := b.Context()
			ws, err := db.CreateWorkspace(ctx, "ws")
			if err != nil {
				b.Fatal(err)
			}
			publish(b, db, ws.ID, "svc", 1)
			ep, _, err := db.PutEndpoint(ctx, ws.ID, "svc", "ep", scoregate.EndpointSettings{})
			if err != nil {
				b.Fatal(err)
			}
			req := `{"Inputs":{"input1":{"ColumnNames":[` + strings.Repeat(`"x0",`, 19) + `"x19"],"Values":[[` +
				strings.Repeat(`"0.123456",`, 19) + `"1"]]}},"GlobalParameters":{}}`
			res := `{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Scored Labels"],"ColumnTypes":["Double"],"Values":[["0.5"]]}}}}`
			batch := make([]scoregate.RequestLog, 256)
			for i := range batch {
				batch[i] = scoregate.RequestLog{EndpointID: ep.ID, At: time.Now(), RequestID: fmt.Sprintf("%036d", i),
					Method: "POST", Path: "/workspaces/" + ws.ID + "/services/" + ep.ID + "/execute?api-version=2.0",
					Status: 200, Latency: time.Millisecond, Rows: 1, Request: req, Response: res}
			}
			for b.Loop() {
				if err := db.AppendRequestLogs(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/record")
		})
	}
}

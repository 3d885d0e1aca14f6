// Command orders is a small order-processing service in the shape of the incident that
// leakhound was written for: an order channel, per-order processing with a timeout, a retry
// loop with per-attempt deadlines, and a ticker-driven reporter. Each leak pattern appears once,
// with its correct version beside it.
package main

import (
	"context"
	"log"
	"net/http"
	"time"
)

func main() {
	ctx := context.Background()
	orders := make(chan Order, 64)
	stats := &Stats{}
	svc := &Service{gateway: fakeGateway{}, stats: stats}

	go svc.ConsumeOrders(ctx, orders)
	go svc.ConsumeOrdersFixed(ctx, orders)
	go ReportStats(ctx, stats)

	// time.Tick in main is fine: main never returns while the program runs.
	go func() {
		for range time.Tick(time.Minute) {
			log.Printf("orders processed: %d", stats.Processed())
		}
	}()

	http.HandleFunc("/order", func(w http.ResponseWriter, r *http.Request) {
		orders <- Order{ID: len(orders)}
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}

type fakeGateway struct{}

func (fakeGateway) Charge(ctx context.Context, o Order) error {
	select {
	case <-time.After(time.Duration(o.ID%7) * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

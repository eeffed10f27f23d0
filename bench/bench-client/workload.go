package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// workloadResult holds the Workload API figures of one round, times in milliseconds.
type workloadResult struct {
	X509ReusedP50      float64 `json:"x509_reused_p50_ms"`
	X509FreshP50       float64 `json:"x509_fresh_p50_ms"`
	X509FreshP99       float64 `json:"x509_fresh_p99_ms"`
	AgentCPUPerFreshUs float64 `json:"agent_cpu_per_fresh_us"`
	JWTFetchP50        float64 `json:"jwt_fetch_p50_ms"`
	JWTValidateP50     float64 `json:"jwt_validate_p50_ms"`
}

// percentile reads the p-th quantile (0..1) of samples, nearest rank.
func percentile(samples []time.Duration, p float64) float64 {
	sorted := append([]time.Duration(nil), samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	index := int(float64(len(sorted)) * p)
	if index >= len(sorted) {
		index = len(sorted) - 1
	}
	return float64(sorted[index]) / float64(time.Millisecond)
}

// timeCalls runs call count times one after another (after a short warm-up) and returns each duration.
func timeCalls(count int, call func() error) ([]time.Duration, error) {
	for i := 0; i < 10; i++ {
		if err := call(); err != nil {
			return nil, err
		}
	}
	samples := make([]time.Duration, 0, count)
	for i := 0; i < count; i++ {
		start := time.Now()
		if err := call(); err != nil {
			return nil, err
		}
		samples = append(samples, time.Since(start))
	}
	return samples, nil
}

func fetchOnFreshConnection(ctx context.Context, socket string) error {
	client, err := workloadapi.New(ctx, workloadapi.WithAddr(socket))
	if err != nil {
		return err
	}
	defer client.Close()
	_, err = client.FetchX509SVID(ctx)
	return err
}

func runWorkload(args []string) (any, error) {
	flags := flag.NewFlagSet("workload", flag.ContinueOnError)
	socket := flags.String("socket", "", "Workload API address, unix:///path")
	agentPid := flags.Int("agent-pid", 0, "the agent's pid, for its CPU time")
	// Each go-spiffe FetchX509SVID ends its stream with RST_STREAM, and Node's HTTP/2 closes a
	// connection after about 1,000 resets in a burst, so one connection takes well under that.
	reused := flags.Int("reused", 500, "FetchX509SVID calls on one connection")
	fresh := flags.Int("fresh", 300, "FetchX509SVID calls, each on a new connection")
	jwtCalls := flags.Int("jwt", 500, "FetchJWTSVID and ValidateJWTSVID calls")
	audience := flags.String("audience", "bench", "JWT-SVID audience")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var result workloadResult

	client, err := workloadapi.New(ctx, workloadapi.WithAddr(*socket))
	if err != nil {
		return nil, err
	}
	defer client.Close()
	samples, err := timeCalls(*reused, func() error { _, err := client.FetchX509SVID(ctx); return err })
	if err != nil {
		return nil, fmt.Errorf("FetchX509SVID on one connection: %w", err)
	}
	result.X509ReusedP50 = percentile(samples, 0.5)

	cpuBefore, err := cpuTime(*agentPid)
	if err != nil {
		return nil, err
	}
	samples, err = timeCalls(*fresh, func() error { return fetchOnFreshConnection(ctx, *socket) })
	if err != nil {
		return nil, fmt.Errorf("FetchX509SVID on fresh connections: %w", err)
	}
	cpuAfter, err := cpuTime(*agentPid)
	if err != nil {
		return nil, err
	}
	result.X509FreshP50 = percentile(samples, 0.5)
	result.X509FreshP99 = percentile(samples, 0.99)
	// The warm-up's 10 calls are inside the CPU window too.
	result.AgentCPUPerFreshUs = float64(cpuAfter-cpuBefore) / float64(time.Microsecond) / float64(*fresh+10)

	params := jwtsvid.Params{Audience: *audience}
	var token string
	samples, err = timeCalls(*jwtCalls, func() error {
		svid, err := client.FetchJWTSVID(ctx, params)
		if err == nil {
			token = svid.Marshal()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("FetchJWTSVID: %w", err)
	}
	result.JWTFetchP50 = percentile(samples, 0.5)
	samples, err = timeCalls(*jwtCalls, func() error { _, err := client.ValidateJWTSVID(ctx, token, *audience); return err })
	if err != nil {
		return nil, fmt.Errorf("ValidateJWTSVID: %w", err)
	}
	result.JWTValidateP50 = percentile(samples, 0.5)
	return result, nil
}

// firstContext counts watchers that have had their first X.509 context.
type firstContext struct {
	once sync.Once
	done *sync.WaitGroup
}

func (w *firstContext) OnX509ContextUpdate(*workloadapi.X509Context) { w.once.Do(w.done.Done) }
func (w *firstContext) OnX509ContextWatchError(error)                {}

func runWatchers(args []string) (any, error) {
	flags := flag.NewFlagSet("watchers", flag.ContinueOnError)
	socket := flags.String("socket", "", "Workload API address, unix:///path")
	count := flags.Int("n", 1000, "watchers, one connection each")
	timeout := flags.Duration("timeout", 2*time.Minute, "give up after")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	clients := make([]*workloadapi.Client, 0, *count)
	defer func() {
		cancel()
		for _, c := range clients {
			c.Close()
		}
	}()
	var done sync.WaitGroup
	done.Add(*count)
	start := time.Now()
	for i := 0; i < *count; i++ {
		client, err := workloadapi.New(ctx, workloadapi.WithAddr(*socket))
		if err != nil {
			return nil, err
		}
		clients = append(clients, client)
		go func() { _ = client.WatchX509Context(ctx, &firstContext{done: &done}) }()
	}
	all := make(chan struct{})
	go func() { done.Wait(); close(all) }()
	select {
	case <-all:
	case <-ctx.Done():
		return nil, fmt.Errorf("not every watcher had its first response within %s", *timeout)
	}
	return map[string]float64{"watchers_first_ms": float64(time.Since(start)) / float64(time.Millisecond)}, nil
}

// sinceFlag reads -since, the wall-clock time (Unix nanoseconds) the measured process was started.
func sinceFlag(flags *flag.FlagSet) *int64 {
	return flags.Int64("since", 0, "when the measured process was started, Unix nanoseconds")
}

// pollUntil retries attempt every millisecond until it succeeds or timeout passes, and returns the
// milliseconds from since to the first success.
func pollUntil(since int64, timeout time.Duration, attempt func(context.Context) error) (float64, error) {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		last = attempt(ctx)
		cancel()
		if last == nil {
			return float64(time.Now().UnixNano()-since) / float64(time.Millisecond), nil
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("no success within %s: %w", timeout, last)
}

func runFirstFetch(args []string) (any, error) {
	flags := flag.NewFlagSet("first-fetch", flag.ContinueOnError)
	socket := flags.String("socket", "", "Workload API address, unix:///path")
	since := sinceFlag(flags)
	timeout := flags.Duration("timeout", time.Minute, "give up after")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	ms, err := pollUntil(*since, *timeout, func(ctx context.Context) error { return fetchOnFreshConnection(ctx, *socket) })
	if err != nil {
		return nil, err
	}
	return map[string]float64{"first_fetch_ms": ms}, nil
}

package config_test

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
)

func TestCheckBatchNamesTheFlagOfABadOption(t *testing.T) {
	cases := []struct {
		name    string
		rpm     int
		o       config.BatchOptions
		wantErr string
	}{
		{name: "sync", o: config.BatchOptions{Via: config.ViaSync}},
		{name: "the Batch API", o: config.BatchOptions{Via: config.ViaBatchAPI}},
		{name: "an unknown way", o: config.BatchOptions{Via: "carrier-pigeon"}, wantErr: `--via "carrier-pigeon": want sync or batch-api`},
		{name: "an empty way", o: config.BatchOptions{}, wantErr: `--via "": want sync or batch-api`},
		{name: "a negative budget", o: config.BatchOptions{Via: config.ViaSync, MaxCost: -1}, wantErr: "--rpm, --tpm and --max-cost cannot be negative"},
		{name: "a negative limit", rpm: -1, o: config.BatchOptions{Via: config.ViaSync}, wantErr: "--rpm, --tpm and --max-cost cannot be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			s.RPM = tc.rpm
			err := s.CheckBatch(tc.o)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
			require.EqualError(t, err, tc.wantErr)
		})
	}
}

func TestBatchStack(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	prices := filepath.Join(t.TempDir(), "prices.json")
	require.NoError(t, os.WriteFile(prices, []byte(`{"gpt-4o-mini": {"input": 1, "output": 4}}`), 0o644))
	withKey := map[string]string{"OPENAI_API_KEY": "sk-test"}
	type want struct {
		offline bool
		cache   string // under OUT, "" for none
		batches bool
		price   llm.Price // of gpt-4o-mini
		rpm     int
		// warm says the panel sends one juror of a round first, for the
		// provider's prompt cache.
		warm bool
	}
	defaultPrice := llm.DefaultPrices()["gpt-4o-mini"]
	cases := []struct {
		name    string
		yaml    string
		env     map[string]string
		o       config.BatchOptions
		want    want
		wantErr string
	}{
		{name: "a key: cached in OUT/.cache", env: withKey, o: config.BatchOptions{Via: config.ViaSync},
			want: want{cache: ".cache", price: defaultPrice, rpm: config.DefaultRPM}},
		{name: "a key and a warm prompt cache", env: withKey, o: config.BatchOptions{Via: config.ViaSync, WarmCache: true},
			want: want{cache: ".cache", price: defaultPrice, rpm: config.DefaultRPM, warm: true}},
		{name: "offline: no prompt cache to warm", o: config.BatchOptions{Via: config.ViaSync, WarmCache: true},
			want: want{offline: true, price: defaultPrice}},
		{name: "no key: the offline juror, nothing cached, no limit", o: config.BatchOptions{Via: config.ViaSync},
			want: want{offline: true, price: defaultPrice}},
		{name: "an Ollama panel with no OpenAI key is cached", yaml: "provider: ollama\n", o: config.BatchOptions{Via: config.ViaSync},
			want: want{cache: ".cache", price: defaultPrice, rpm: config.DefaultRPM}},
		{name: "--no-cache", env: withKey, o: config.BatchOptions{Via: config.ViaSync, NoCache: true},
			want: want{price: defaultPrice, rpm: config.DefaultRPM}},
		{name: "--cache elsewhere", env: withKey, o: config.BatchOptions{Via: config.ViaSync, Cache: "elsewhere"},
			want: want{cache: "elsewhere", price: defaultPrice, rpm: config.DefaultRPM}},
		{name: "limits set in jury.yaml are kept", yaml: "limits: {rpm: 60}\n", env: withKey, o: config.BatchOptions{Via: config.ViaSync},
			want: want{cache: ".cache", price: defaultPrice, rpm: 60}},
		{name: "--prices over the defaults", env: withKey, o: config.BatchOptions{Via: config.ViaSync, Prices: prices},
			want: want{cache: ".cache", price: llm.Price{Input: 1, Output: 4}, rpm: config.DefaultRPM}},
		{name: "the Batch API at half price", env: withKey, o: config.BatchOptions{Via: config.ViaBatchAPI, Prices: prices, WarmCache: true},
			want: want{cache: ".cache", batches: true, price: llm.Price{Input: 0.5, Output: 2}, rpm: config.DefaultRPM}},
		{name: "the Batch API needs a key", o: config.BatchOptions{Via: config.ViaBatchAPI},
			wantErr: "--via batch-api needs OPENAI_API_KEY (and no --offline)"},
		{name: "a prices file that is not there", env: withKey, o: config.BatchOptions{Via: config.ViaSync, Prices: filepath.Join(file, "p.json")},
			wantErr: "--prices " + filepath.Join(file, "p.json")},
		{name: "a cache under a file", env: withKey, o: config.BatchOptions{Via: config.ViaSync, Cache: filepath.Join(file, "c")},
			wantErr: "--cache: folder not writable: " + filepath.Join(file, "c")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			s := defaults()
			s.Out, s.ConfigPath = out, writeFile(t, tc.yaml)
			getenv := func(k string) string { return tc.env[k] }
			require.NoError(t, s.Apply(nil, getenv))
			if tc.o.Cache == "elsewhere" {
				tc.o.Cache = filepath.Join(out, tc.o.Cache)
			}
			st, err := s.BatchStack(tc.o, getenv)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			defer st.Close()
			require.Equal(t, tc.want.offline, st.Offline)
			if tc.want.cache == "" {
				require.Empty(t, st.StoreDir)
			} else {
				require.Equal(t, filepath.Join(out, tc.want.cache), st.StoreDir)
				require.DirExists(t, st.StoreDir, "checked writable before the first call")
				require.Equal(t, llm.ReplayOrRecord, st.StoreMode)
				require.True(t, st.KeyByEndpoint, "a cache shared by two servers never mixes their answers")
			}
			require.Equal(t, tc.want.batches, st.BatchDir == filepath.Join(out, ".batches"))
			require.Equal(t, tc.want.price, st.Prices["gpt-4o-mini"])
			require.Equal(t, tc.want.rpm, st.Limiter.Report().RPM)
			require.NotNil(t, st.Meter, "the run's spending is counted")
			var panel deliberation.Panel
			st.Equip(&panel)
			require.Equal(t, tc.want.price, panel.Prices["gpt-4o-mini"], "verdicts are priced as the meter prices them")
			require.Equal(t, tc.want.warm, panel.WarmCache)
		})
	}
}

// An offline batch of up to OfflineGCTasks tasks collects garbage at
// OfflineGCPercent unless GOGC says otherwise; a larger one, and a batch
// that calls a model, keep Go's pace; and the pace is restored when the
// batch ends.
func TestPaceGC(t *testing.T) {
	tests := []struct {
		name    string
		offline bool
		tasks   int
		gogc    string
		want    int
	}{
		{name: "offline catalog", offline: true, tasks: 19265, want: config.OfflineGCPercent},
		{name: "offline, largest paced", offline: true, tasks: config.OfflineGCTasks, want: config.OfflineGCPercent},
		{name: "offline, larger", offline: true, tasks: config.OfflineGCTasks + 1, want: 100},
		{name: "offline with GOGC set", offline: true, tasks: 19265, gogc: "100", want: 100},
		{name: "a model answers", offline: false, tasks: 19265, want: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			st := &config.BatchStack{Offline: tt.offline}
			restore := st.PaceGC(func(k string) string {
				if k == "GOGC" {
					return tt.gogc
				}
				return ""
			}, []jury.Occupation{{Tasks: make([]jury.Task, tt.tasks/2)}, {Tasks: make([]jury.Task, tt.tasks-tt.tasks/2)}})
			require.Equal(t, tt.want, debug.SetGCPercent(tt.want), "pace during the batch")
			restore()
			require.Equal(t, 100, debug.SetGCPercent(100), "pace after the batch")
		})
	}
}

package prompts

import (
	"os"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/onet"
)

const sharedTasks = "../../shared/data/gpts-are-gpts/onet_tasks.tsv"

// scanLookup is lookup as it was before the stem index: every line of the
// lexicon read for every task. The index must name the same terms.
func (w *Words) scanLookup(task, code string, kinds ...string) Term {
	words := lexWords(task)
	scopes := [][]string{words[:1], words}
	if kinds[0] == "tool" {
		scopes = scopes[1:]
	}
	for _, scope := range scopes {
		for _, l := range w.lexicon {
			if !l.fits(code, kinds) {
				continue
			}
			for _, stem := range l.stems {
				for _, tw := range scope {
					if scanEvidenced(stem, tw, words) {
						return l.term()
					}
				}
			}
		}
	}
	return w.fallback(kinds)
}

// scanEvidenced is lexStem.evidenced reading every stem of its company
// rather than the company's index.
func scanEvidenced(s lexStem, w string, words []string) bool {
	s.company = nil // evidenced reads s.with one by one without it
	return s.evidenced(w, words)
}

// TestStemIndexNamesWhatTheScanNamed: the lexicon's stem index names, for
// every task of the shared catalog (and for tasks made of the lexicon's
// own stems, exact words, set company and nothing at all), the same tool
// and blocker as reading the whole lexicon line by line did.
func TestStemIndexNamesWhatTheScanNamed(t *testing.T) {
	w := OfflineWords()
	type task struct{ text, code string }
	tasks := []task{{"", "11-1011.00"}, {"...", "47-2021.00"}, {"Serve food and beverages to patrons.", "35-3031.00"},
		{"Serve on committees.", "11-1011.00"}, {"Drive a bus or a car.", "53-3052.00"}}
	for _, l := range w.lexicon {
		var stems []string
		for _, s := range l.stems {
			stem := strings.TrimPrefix(s.stem, "=")
			stems = append(stems, stem, stem+"ing", "x"+stem)
			stems = append(stems, s.with...)
		}
		for _, code := range append([]string{"11-1011.00", "29-2072.00", "47-2021.00"}, l.groups...) {
			tasks = append(tasks, task{strings.Join(stems, " "), code})
			if len(stems) > 0 {
				tasks = append(tasks, task{stems[0] + " things", code}, task{"Plan " + stems[len(stems)-1], code})
			}
		}
	}
	if _, err := os.Stat(sharedTasks); err == nil {
		cat, err := onet.ReadCatalog(sharedTasks, "")
		require.NoError(t, err)
		for _, code := range cat.Codes() {
			occ, err := cat.Occupation(code)
			require.NoError(t, err)
			for _, tk := range occ.Tasks {
				tasks = append(tasks, task{tk.Text, code})
			}
		}
	} else {
		t.Log("../shared/data/gpts-are-gpts absent: checking the lexicon's own words only")
	}
	for _, tk := range tasks {
		require.Equal(t, w.scanLookup(tk.text, tk.code, "tool"), w.Tool(tk.text, tk.code), "tool of %q (%s)", tk.text, tk.code)
		require.Equal(t, w.scanLookup(tk.text, tk.code, Blockers...), w.Blocker(tk.text, tk.code), "blocker of %q (%s)", tk.text, tk.code)
		tool, blocker := w.Terms(tk.text, tk.code)
		require.Equal(t, w.Tool(tk.text, tk.code), tool, "Terms' tool of %q (%s)", tk.text, tk.code)
		require.Equal(t, w.Blocker(tk.text, tk.code), blocker, "Terms' blocker of %q (%s)", tk.text, tk.code)
	}
	t.Logf("%d tasks: the index names what the scan named", len(tasks))
}

// BenchmarkLexicon names the tool and the blocker (Terms) of every task of the
// shared catalog.
func BenchmarkLexicon(b *testing.B) {
	if _, err := os.Stat(sharedTasks); err != nil {
		b.Skip("../shared/data/gpts-are-gpts absent: skipping the lexicon benchmark")
	}
	cat, err := onet.ReadCatalog(sharedTasks, "")
	require.NoError(b, err)
	type task struct{ text, code string }
	var tasks []task
	for _, code := range cat.Codes() {
		occ, err := cat.Occupation(code)
		require.NoError(b, err)
		for _, tk := range occ.Tasks {
			tasks = append(tasks, task{tk.Text, code})
		}
	}
	w := OfflineWords()
	b.ResetTimer()
	for range b.N {
		for _, tk := range tasks {
			w.Terms(tk.text, tk.code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tasks)), "ns/task")
}

// Every quote line and rationale frame, filled in without its template,
// reads as its template writes it: strings (opening a sentence or not),
// numbers, and values of other types through the template itself.
func TestFieldsOnlyFillInAsTheirTemplates(t *testing.T) {
	w := OfflineWords()
	var all []*fieldsOnly
	for _, lines := range w.quotes {
		for _, q := range lines {
			all = append(all, q.tmpl)
		}
	}
	for _, f := range w.frames {
		all = append(all, f.tmpl)
	}
	require.NotEmpty(t, all)
	datas := []map[string]any{}
	for _, v := range []any{"speech recognition", "‘quoted’ words, and more. then a sentence", "", 83, 0} {
		d := map[string]any{}
		for _, f := range all {
			for _, field := range f.fields {
				d[field] = v
			}
		}
		datas = append(datas, d)
	}
	for _, f := range all {
		for _, d := range datas {
			require.Equal(t, execute([]*template.Template{f.tmpl}, 0, d), f.execute(d), "%s with %v", f.tmpl.Name(), d)
		}
	}
	t.Logf("%d quote lines and frames", len(all))
}

// capitalise leaves a line as it is whenever capitalised says so (the
// fast path), and capitalised says so of most lines already capitalised.
func TestCapitalisedIsWhatCapitaliseLeaves(t *testing.T) {
	fast := 0
	for _, s := range []string{"", "Speech recognition does it.", "speech recognition does it.", "Done. then more", "Done! Then more",
		"“quoted” start", "“lower” start", "‘x’ starts", "A.b c", "Ends with a dot.", "é accent", "É accent", "ok\xff broken", "Fine \ufffd char",
		"Two  spaces. next", "Tab.\tnext", "It is 83 %. the rest", "It is 83 %. The rest"} {
		if capitalised(s) {
			require.Equal(t, s, capitalise(s), "%q", s)
			fast++
		}
	}
	require.GreaterOrEqual(t, fast, 8)
}

// countFields counts what strings.Fields would split.
func TestCountFieldsIsLenFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a  b ", "a\tb\nc", "x\u00a0y\u2028z", "\xff broken \xfe", "one, two; three (four)"} {
		require.Equal(t, len(strings.Fields(s)), countFields(s), "%q", s)
	}
}

// BenchmarkPhrases names the tasks of every occupation of the shared
// catalog, page by page.
func BenchmarkPhrases(b *testing.B) {
	if _, err := os.Stat(sharedTasks); err != nil {
		b.Skip("../shared/data/gpts-are-gpts absent: skipping the phrases benchmark")
	}
	cat, err := onet.ReadCatalog(sharedTasks, "")
	require.NoError(b, err)
	var pages [][]string
	for _, code := range cat.Codes() {
		occ, err := cat.Occupation(code)
		require.NoError(b, err)
		var texts []string
		for _, t := range occ.Tasks {
			texts = append(texts, t.Text)
		}
		pages = append(pages, texts)
	}
	b.ResetTimer()
	for range b.N {
		for _, p := range pages {
			Phrases(p)
		}
	}
}

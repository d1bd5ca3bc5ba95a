package render_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/onet-jury/jury/pipeline/render"
)

var shots = flag.String("shots", "", "also keep the browser test's screenshots in this `dir`ectory")

// probeJS measures the page as laid out, after the page's own script has
// run, and posts the figures and the DOM to the frame around it.
const probeJS = `(function () {
  var d = document.documentElement, b = document.body;
  var wraps = Array.prototype.map.call(document.querySelectorAll(".table-wrap"), function (w) { return w.scrollWidth - w.clientWidth; });
  function rgba(c) { var m = c.match(/[\d.]+/g).map(Number); return m.length > 3 ? m : m.concat(1); }
  function lum(c) {
    var v = c.slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function background(e) {
    for (; e; e = e.parentElement) {
      var c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] === 1) return c;
    }
    return [255, 255, 255, 1];
  }
  var worst = { ratio: 21, text: "" };
  document.querySelectorAll("body *").forEach(function (e) {
    var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.data.trim(); });
    if (!own || !e.getClientRects().length) return;
    var s = getComputedStyle(e);
    if (s.visibility === "hidden" || s.clip === "rect(0px, 0px, 0px, 0px)") return;
    var a = lum(rgba(s.color)), z = lum(background(e));
    var ratio = (Math.max(a, z) + 0.05) / (Math.min(a, z) + 0.05);
    if (ratio < worst.ratio) worst = { ratio: ratio, text: e.tagName + " " + e.textContent.trim().slice(0, 40) + " " + s.color };
  });
  // On the index, sort and filter as a reader would, and put the table
  // back as it was.
  var actions = null, table = document.getElementById("index");
  if (table && table.tHead.querySelector("button")) {
    var codes = function () {
      return Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.hidden; }).map(function (r) { return r.dataset.code; });
    };
    var buttons = table.tHead.querySelectorAll("button"), filter = document.getElementById("filter");
    actions = {};
    buttons[1].click(); actions.titleAsc = codes(); actions.order = document.getElementById("order").textContent;
    buttons[1].click(); actions.titleDesc = codes();
    buttons[0].click(); actions.headlineDesc = codes();
    buttons[0].click(); actions.headlineAsc = codes();
    buttons[0].click();
    filter.value = "SPEC"; filter.dispatchEvent(new Event("input")); actions.filtered = codes();
    actions.shown = document.getElementById("shown").textContent;
    filter.value = ""; filter.dispatchEvent(new Event("input"));
  }
  parent.postMessage(JSON.stringify({
    actions: actions,
    viewport: window.innerWidth, scroll: d.scrollWidth, wraps: wraps,
    background: getComputedStyle(b).backgroundColor, js: d.classList.contains("js"),
    contrast: worst, dom: d.outerHTML
  }), "*");
})();`

// frameHTML holds the probed page in a frame as wide as a phone or a
// desktop (a headless window is at least 500 px wide, a frame is as wide
// as it is told) and writes what the probe posts into a <pre>.
const frameHTML = `<!doctype html>
<html><body>
<script>addEventListener("message", function (e) { var p = document.createElement("pre"); p.id = "probe"; p.textContent = e.data; document.body.appendChild(p); });</script>
<iframe src="probed.html" width="%d" height="900" style="border:0"></iframe>
</body></html>`

// probe is what probeJS found.
type probe struct {
	Viewport   int    `json:"viewport"`
	Scroll     int    `json:"scroll"`
	Wraps      []int  `json:"wraps"`
	Background string `json:"background"`
	JS         bool   `json:"js"`
	// Contrast is the lowest contrast ratio of any text on the page
	// against its background, and where it is.
	Contrast struct {
		Ratio float64 `json:"ratio"`
		Text  string  `json:"text"`
	} `json:"contrast"`
	// Actions is what sorting and filtering the index did.
	Actions *struct {
		TitleAsc     []string `json:"titleAsc"`
		TitleDesc    []string `json:"titleDesc"`
		HeadlineDesc []string `json:"headlineDesc"`
		HeadlineAsc  []string `json:"headlineAsc"`
		Filtered     []string `json:"filtered"`
		Order        string   `json:"order"`
		Shown        string   `json:"shown"`
	} `json:"actions"`
	DOM string `json:"dom"`
}

// withProbe returns page with probeJS at the end of its body and the
// probe's hash added to the page's Content-Security-Policy, so that the
// page's own policy still governs its style and script.
func withProbe(t *testing.T, page []byte) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(probeJS))
	hash := "&#39;sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "&#39;"
	s := string(page)
	if strings.Contains(s, "script-src ") {
		s = strings.Replace(s, "script-src ", "script-src "+hash+" ", 1)
	} else {
		s = strings.Replace(s, "default-src &#39;none&#39;;", "default-src &#39;none&#39;; script-src "+hash+";", 1)
	}
	require.Contains(t, s, hash, "the CSP gained the probe's hash")
	require.Equal(t, 1, strings.Count(s, "</body>"))
	return []byte(strings.Replace(s, "</body>", "<script>"+probeJS+"</script></body>", 1))
}

// chromium runs headless Chromium on a file with args added and returns
// its standard output.
func chromium(t *testing.T, bin, file string, width, height int, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
		fmt.Sprintf("--window-size=%d,%d", width, height),
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+file)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "chromium %s: %s", strings.Join(args, " "), stderr.String())
	return stdout.Bytes()
}

// browserPage is one page the browser test opens, and what it must find.
type browserPage struct {
	name  string
	page  []byte
	check func(t *testing.T, doc *html.Node)
}

// TestBrowser opens report.html of the 17-task golden verdict, of the
// hand-built one with a dissent and an invalid juror, and an index.html
// in headless Chromium at a phone's width and a desktop's,
// takes screenshots, and checks the DOM as the browser built it: the rows,
// the quotes, the index's script at work under the page's CSP, the style
// sheet applied, and nothing wider than the window.
func TestBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: apt-get install chromium to run the browser test")
	}
	r := goldenReport(t)
	require.Len(t, r.Tasks, 17)
	report, err := render.HTMLPage(r)
	require.NoError(t, err)
	dissent, err := render.HTMLPage(sampleReport())
	require.NoError(t, err)
	rows := sampleIndex()
	h := 60 // between the sample's 72s and 41, so the expected orders hold whatever the golden says
	rows[2] = render.IndexRow{Code: r.Occupation.Code, Title: r.Occupation.Title, Status: "done", Headline: &h, Band: string(r.Band)}
	index := render.IndexHTML(rows)

	pages := []browserPage{
		{name: "report", page: report, check: func(t *testing.T, doc *html.Node) {
			table := only(t, doc, tagClass(atom.Table, "tasks"), "task table")
			trs := findAll(only(t, table, tag(atom.Tbody), "tbody"), tag(atom.Tr))
			require.Len(t, trs, 17)
			for i, tr := range trs {
				require.Equal(t, r.Tasks[i].Text, textOf(only(t, tr, tagClass(atom.Span, "task-text"), "task")))
			}
			quotes := findAll(doc, tag(atom.Blockquote))
			require.Len(t, quotes, 4)
			for i, q := range quotes {
				require.Equal(t, r.Jurors[i].Quote, textOf(q))
			}
		}},
		{name: "dissent", page: dissent, check: func(t *testing.T, doc *html.Node) {
			// The hand-built report: an invalid juror and a task in dissent.
			require.Len(t, findAll(doc, tagClass(atom.Tr, "dissent")), 1)
			require.Len(t, findAll(doc, tag(atom.Blockquote)), 3)
			require.Len(t, findAll(doc, tagClass(atom.Li, "not-counted")), 1)
		}},
		{name: "index", page: index, check: func(t *testing.T, doc *html.Node) {
			table := only(t, doc, func(n *html.Node) bool { return attr(n, "id") == "index" }, "verdict table")
			var codes []string
			for _, tr := range findAll(only(t, table, tag(atom.Tbody), "tbody"), tag(atom.Tr)) {
				codes = append(codes, attr(tr, "data-code"))
			}
			require.Equal(t, []string{"15-2051.00", "23-2093.00", r.Occupation.Code, "11-1011.00", "47-2181.00"}, codes)
			// The script ran under the page's CSP: the filter is shown and
			// the sortable headings became buttons.
			controls := only(t, doc, func(n *html.Node) bool { return attr(n, "id") == "controls" }, "controls")
			require.False(t, hasAttr(controls, "hidden"), "index.js shows the filter")
			require.Len(t, findAll(table, tag(atom.Button)), 2)
			require.Len(t, findAll(only(t, doc, tagClass(atom.Table, "other"), "not done"), tag(atom.Tr)), 3)
		}},
	}
	dir := t.TempDir()
	for _, p := range pages {
		for _, width := range []int{375, 1280} {
			t.Run(fmt.Sprintf("%s at %d px", p.name, width), func(t *testing.T) {
				t.Parallel()
				base := fmt.Sprintf("%s-%d", p.name, width)
				file := filepath.Join(dir, base, p.name+".html")
				require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
				require.NoError(t, os.WriteFile(file, p.page, 0o644))
				probed := filepath.Join(dir, base, "probed.html")
				require.NoError(t, os.WriteFile(probed, withProbe(t, p.page), 0o644))
				frame := filepath.Join(dir, base, "frame.html")
				require.NoError(t, os.WriteFile(frame, fmt.Appendf(nil, frameHTML, width), 0o644))

				// A screenshot of the page itself, tall enough for all of it.
				shot := filepath.Join(dir, base+".png")
				chromium(t, bin, file, width, map[int]int{375: 6000, 1280: 3600}[width], "--screenshot="+shot)
				f, err := os.Open(shot)
				require.NoError(t, err)
				defer f.Close()
				cfg, err := png.DecodeConfig(f)
				require.NoError(t, err)
				require.Equal(t, width, cfg.Width)
				t.Logf("screenshot %s (%dx%d)", shot, cfg.Width, cfg.Height)
				if *shots != "" {
					data, err := os.ReadFile(shot)
					require.NoError(t, err)
					require.NoError(t, os.MkdirAll(*shots, 0o755))
					require.NoError(t, os.WriteFile(filepath.Join(*shots, base+".png"), data, 0o644))
				}

				// The DOM as Chromium built it from the page as written,
				// under the page's own CSP, its script (if any) run.
				if width == 1280 {
					p.check(t, parseHTML(t, chromium(t, bin, file, width, 1000, "--virtual-time-budget=10000", "--dump-dom")))
				}

				// The same in a frame as wide as the screen, with a probe
				// that measures the layout.
				outer := parseHTML(t, chromium(t, bin, frame, max(width+40, 600), 1000, "--virtual-time-budget=10000", "--dump-dom"))
				var got probe
				require.NoError(t, json.Unmarshal([]byte(textOf(only(t, outer, func(n *html.Node) bool { return attr(n, "id") == "probe" }, "probe output"))), &got), "the probe ran")
				doc := parseHTML(t, []byte(got.DOM))
				p.check(t, doc)
				require.Equal(t, width, got.Viewport, "the frame is %d px wide", width)
				require.LessOrEqual(t, got.Scroll, width, "the page is no wider than the window")
				for i, over := range got.Wraps {
					require.LessOrEqual(t, over, 0, "table %d scrolls sideways by %d px", i+1, over)
				}
				require.GreaterOrEqual(t, got.Contrast.Ratio, 4.5, "text contrast below WCAG AA: %s", got.Contrast.Text)
				t.Logf("lowest text contrast %.2f:1 (%s)", got.Contrast.Ratio, got.Contrast.Text)
				require.Equal(t, "rgb(243, 244, 246)", got.Background, "the inline style sheet applies under the CSP")
				require.Equal(t, p.name == "index", got.JS, "only the index runs a script")
				if p.name != "index" {
					require.Nil(t, got.Actions)
					return
				}
				// Sorting by either column, both ways, ties by code; filtering
				// by text, in any case.
				a := got.Actions
				require.NotNil(t, a, "the index has sort buttons")
				require.Equal(t, []string{"11-1011.00", "15-2051.00", r.Occupation.Code, "47-2181.00", "23-2093.00"}, a.TitleAsc)
				require.Equal(t, "titles A to Z", a.Order)
				require.Equal(t, []string{"23-2093.00", "47-2181.00", r.Occupation.Code, "15-2051.00", "11-1011.00"}, a.TitleDesc)
				require.Equal(t, []string{"15-2051.00", "23-2093.00", r.Occupation.Code, "11-1011.00", "47-2181.00"}, a.HeadlineDesc)
				require.Equal(t, []string{"47-2181.00", "11-1011.00", r.Occupation.Code, "15-2051.00", "23-2093.00"}, a.HeadlineAsc)
				require.Equal(t, []string{r.Occupation.Code}, a.Filtered)
				require.Equal(t, "1 of 5 shown", a.Shown)
			})
		}
	}
}

package outdir

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// EditsFile is the name of a person's edits in an occupation's directory.
const EditsFile = "edits.yaml"

// EditsDoc is an occupation's edits.yaml as read: its edits, in file
// order, and the document, kept so that what jury records in it (the
// model's value an edit replaced) is written back with the person's
// comments and layout.
type EditsDoc struct {
	Path  string
	Edits []jury.Edit
	root  *yaml.Node
	// entries are the mapping nodes of Edits, index for index.
	entries []*yaml.Node
}

// The keys of edits.yaml: sections, and the keys of each edit.
var (
	editSections = []string{"summary", "quotes", "rationales", "scores"}
	textKeys     = []string{"text", "replaced", "author", "date"}
	scoreKeys    = []string{"score", "label", "reason", "replaced", "author", "date"}
)

// ReadEdits reads dir/edits.yaml. A missing file is no edits. A file
// that is not the shape of edits.yaml, or whose edits are bad on their
// own (jury.EditProblems), is an ErrInvalid error naming
// edits.yaml:LINE and what to do.
func ReadEdits(dir string) (*EditsDoc, error) {
	path := filepath.Join(dir, EditsFile)
	doc := &EditsDoc{Path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return nil, jury.Invalidf("%s: %v", path, pathErr(err))
	}
	return parseEdits(path, data)
}

// parseEdits reads the content of an edits.yaml at path, as ReadEdits.
func parseEdits(path string, data []byte) (*EditsDoc, error) {
	doc := &EditsDoc{Path: path}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, YAMLError(path, err, "see jury edit --print for the keys")
	}
	if len(root.Content) == 0 {
		return doc, nil // an empty file, or only comments
	}
	doc.root = &root
	top := root.Content[0]
	bad := func(n *yaml.Node, format string, args ...any) error {
		return jury.Invalidf("%s:%d: %s", path, n.Line, fmt.Sprintf(format, args...))
	}
	if top.Kind != yaml.MappingNode {
		return nil, bad(top, "want a mapping with summary, quotes, rationales and scores (see `jury edit --print`)")
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		if !slices.Contains(editSections, key.Value) {
			return nil, bad(key, "unknown key %q: want %s", key.Value, strings.Join(editSections, ", "))
		}
		if key.Value == "summary" {
			e, err := readEdit(path, jury.EditSummary, "", val)
			if err != nil {
				return nil, err
			}
			doc.add(e, val)
			continue
		}
		if val.Kind != yaml.MappingNode {
			return nil, bad(val, "%s: want a mapping from %s to an edit", key.Value, map[string]string{
				"quotes": "persona id", "rationales": "task id", "scores": "task id"}[key.Value])
		}
		kind := map[string]jury.EditKind{"quotes": jury.EditQuote, "rationales": jury.EditRationale, "scores": jury.EditScore}[key.Value]
		for j := 0; j+1 < len(val.Content); j += 2 {
			e, err := readEdit(path, kind, val.Content[j].Value, val.Content[j+1])
			if err != nil {
				return nil, err
			}
			doc.add(e, val.Content[j+1])
		}
	}
	if ps := jury.EditProblems(doc.Edits); len(ps) > 0 {
		return nil, jury.Invalidf("%s:%d: %s", path, ps[0].Line, ps[0].Text)
	}
	return doc, nil
}

func (d *EditsDoc) add(e jury.Edit, n *yaml.Node) {
	d.Edits = append(d.Edits, e)
	d.entries = append(d.entries, n)
}

// readEdit reads one edit's mapping.
func readEdit(path string, kind jury.EditKind, target string, n *yaml.Node) (jury.Edit, error) {
	e := jury.Edit{Kind: kind, Target: target, Line: n.Line}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return jury.Invalidf("%s:%d: %s: %s", path, n.Line, e.Name(), fmt.Sprintf(format, args...))
	}
	keys := textKeys
	if kind == jury.EditScore {
		keys = scoreKeys
	}
	if n.Kind != yaml.MappingNode {
		return e, bad(n, "want a mapping with %s", strings.Join(keys, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(keys, k.Value) {
			return e, bad(k, "unknown key %q: want %s", k.Value, strings.Join(keys, ", "))
		}
		if v.Kind != yaml.ScalarNode {
			return e, bad(v, "%s: want a single value", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "text":
			e.Text = v.Value
		case "replaced":
			e.Replaced = v.Value
		case "author":
			e.Author = v.Value
		case "date":
			e.Date = v.Value
		case "reason":
			e.Reason = v.Value
		case "label":
			e.Label = jury.Label(strings.ToUpper(strings.TrimSpace(v.Value)))
		case "score":
			s, err := strconv.Atoi(v.Value)
			if err != nil {
				return e, bad(v, "score %q: want a whole number from 0 to 100", v.Value)
			}
			e.Score = s
		}
	}
	switch {
	case kind == jury.EditScore && !seen["score"]:
		return e, bad(n, "score missing: give the task's score, 0 to 100, and a reason")
	case kind != jury.EditScore && !seen["text"]:
		return e, bad(n, "text missing: give the text the page should show")
	}
	return e, nil
}

// record sets, in the document, the replaced value of the edits at
// indexes, and returns the file's new content.
func (d *EditsDoc) record(edits []jury.Edit, indexes []int) ([]byte, error) {
	for _, i := range indexes {
		n := d.entries[i]
		v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: edits[i].Replaced}
		if edits[i].Kind == jury.EditScore {
			v.Tag = "!!int"
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "replaced"}, v)
		d.Edits[i].Replaced = edits[i].Replaced
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(d.root); err != nil {
		return nil, fmt.Errorf("write %s: %w", d.Path, err)
	}
	return b.Bytes(), nil
}

// StarterEdits is the edits.yaml that `jury edit` starts a person with:
// every kind of edit, commented out, naming the report's own jurors and
// its first task.
func StarterEdits(r *jury.Report) []byte {
	persona, task, score := "contrarian", "22892", 40
	for _, j := range r.Jurors {
		if j.Valid {
			persona = j.Persona
			break
		}
	}
	if len(r.Tasks) > 0 {
		task, score = r.Tasks[0].ID, r.Tasks[0].Score
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Edits to the verdict on %s %s. jury applies them every time it
# writes the report (run, batch, render) and keeps the model's value
# beside yours in report.json. Uncomment what you change; "replaced" is
# filled in by jury with the model's value the first time it applies an
# edit, so that it can tell you when the model's text changes under it.
# Check with: jury edits DIR --check
#
# summary:
#   text: "Your summary, one paragraph."
#   author: your name
#   date: %s
# quotes:
#   %s:
#     text: "One line, at most %d characters."
# rationales:
#   %q:
#     text: "One line, at most %d characters."
# scores:
#   %q:
#     score: %d
#     reason: "Why the jury's score is wrong (required)."
#     label: %s   # optional: E0 at most %d %%, E1 and E2 at least %d %%
`, r.Occupation.Code, render.Plain(r.Occupation.Title), orDefault(r.Provenance.Date, "2026-01-31"), persona, jury.MaxQuote, task, jury.MaxQuote, task, score, exampleLabel(score), jury.E0Max, jury.E1Min)
	return []byte(b.String())
}

// exampleLabel is a label the starter file's example score fits, so that
// uncommenting the example as it stands gives a valid edit.
func exampleLabel(score int) jury.Label {
	if score < jury.E1Min {
		return jury.E0
	}
	return jury.E2
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeBack is the atomicfile entry that writes edits.yaml back with the
// values ApplyEdits recorded, or nil when it recorded none.
func (d *EditsDoc) writeBack(edits []jury.Edit, recorded []int) (*atomicfile.File, error) {
	if len(recorded) == 0 {
		return nil, nil
	}
	data, err := d.record(edits, recorded)
	if err != nil {
		return nil, err
	}
	return &atomicfile.File{Path: d.Path, Data: data}, nil
}

// unshown words the edits of the document that could not be applied to
// shown (jury.Unshown) as Written.Warnings: one line each, naming
// edits.yaml:LINE as the file will be once back (its new content, when
// recording what edits replaced moved lines) is written.
func (d *EditsDoc) unshown(shown *jury.Report, back *atomicfile.File) []string {
	edits := d.Edits
	if back != nil {
		if again, err := parseEdits(d.Path, back.Data); err == nil && len(again.Edits) == len(edits) {
			edits = again.Edits
		}
	}
	var out []string
	for _, p := range jury.Unshown(shown, edits) {
		at := d.Path
		if p.Line > 0 {
			at += ":" + strconv.Itoa(p.Line)
		}
		out = append(out, at+": "+p.Text+": the edit is not shown")
	}
	return out
}

// EditLine is one edit of an occupation, or one text of the model's that
// an edit made stale, as `jury edits` lists them.
type EditLine struct {
	Code string
	// What names it: "quote of contrarian", "summary (the model's)".
	What  string
	State jury.EditState
	// Why says what changed, for a line that is not current.
	Why          string
	Author, Date string
}

// Note is what `jury edits` says beside the line: who made a current edit
// and when, or why any other line needs review.
func (l EditLine) Note() string {
	if l.State != jury.EditCurrent {
		return l.Why
	}
	if l.Date == "" {
		return l.Author
	}
	return l.Author + ", " + l.Date
}

// ListEdits lists every edit under dir (an occupation's directory or a
// batch's), with its state against the verdict on disk, edits.yaml read
// afresh; then the model's text flagged for review. It writes nothing. A
// bad edits.yaml or report.json is an ErrInvalid error naming it.
func ListEdits(dir string) ([]EditLine, error) {
	files, err := reportFiles(dir)
	if err != nil {
		return nil, err
	}
	reports, err := readReports(files, dir)
	if err != nil {
		return nil, err
	}
	var out []EditLine
	for i, r := range reports {
		doc, err := ReadEdits(filepath.Dir(files[i]))
		if err != nil {
			return nil, err
		}
		if r == nil {
			if len(doc.Edits) > 0 {
				for _, e := range doc.Edits {
					out = append(out, EditLine{Code: filepath.Base(filepath.Dir(files[i])), What: e.Name(), State: jury.EditOrphaned,
						Why: "no report.json beside edits.yaml", Author: e.Author, Date: e.Date})
				}
			}
			continue
		}
		shown, _, _ := jury.ApplyEdits(r.ModelView(), doc.Edits)
		if shown.Edits == nil {
			continue
		}
		code := r.Occupation.Code
		for _, a := range shown.Edits.Applied {
			out = append(out, EditLine{Code: code, What: a.Name(), State: a.State, Why: a.Why, Author: a.Author, Date: a.Date})
		}
		for _, f := range shown.Edits.Review {
			out = append(out, EditLine{Code: code, What: f.Name() + " (the model's)", State: jury.EditNeedsReview, Why: f.Why})
		}
	}
	return out, nil
}

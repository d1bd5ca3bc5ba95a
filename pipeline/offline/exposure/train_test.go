package exposure

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// syntheticExamples builds a small labelled set with an obvious signal:
// tasks that draft text are E1, tasks that key data into software are E2,
// tasks that handle physical things are E0; the filler words are shared.
func syntheticExamples() []Example {
	verbs := [3][]string{
		{"Lift", "Weld", "Carry", "Repair"},
		{"Write", "Draft", "Edit", "Summarize"},
		{"Enter", "Scan", "Record", "Upload"},
	}
	objects := [3][]string{
		{"heavy pipes", "steel beams", "wooden crates"},
		{"letters to clients", "reports for managers", "meeting notes"},
		{"invoices into software", "forms into databases", "records into spreadsheets"},
	}
	fillers := []string{"daily", "as needed", "for the team", "on site", "under supervision"}
	titles := []string{"Plant Workers", "Office Clerks", "Field Technicians", "Support Staff"}
	var out []Example
	id := 1000
	for occ := range 8 {
		title := titles[occ%len(titles)]
		for c := range 3 {
			for k := range 2 + (occ+c)%3 { // occupations differ in their mix of classes
				id++
				text := fmt.Sprintf("%s %s %s.", verbs[c][(occ+k)%4], objects[c][(occ+k)%3], fillers[(occ*3+k+c)%len(fillers)])
				out = append(out, Example{
					Code:   fmt.Sprintf("11-%04d.00", occ),
					Title:  title,
					TaskID: fmt.Sprint(id),
					Text:   text,
					Type:   []string{TypeCore, TypeSupplemental, TypeNA}[k%3],
					Label:  Labels[c],
					GPT4:   Labels[(c+k/3)%3],
				})
			}
		}
	}
	return out
}

func TestTrainDeterministic(t *testing.T) {
	examples := syntheticExamples()
	a, err := Train(examples, TrainOptions{}).Marshal()
	require.NoError(t, err)
	b, err := Train(examples, TrainOptions{}).Marshal()
	require.NoError(t, err)
	require.Equal(t, string(a), string(b), "training twice must give byte-identical weights")
	ga, err := Train(examples, TrainOptions{}).MarshalGzip()
	require.NoError(t, err)
	gb, err := Train(examples, TrainOptions{}).MarshalGzip()
	require.NoError(t, err)
	require.Equal(t, ga, gb)
}

func TestTrainLearnsSignal(t *testing.T) {
	m := Train(syntheticExamples(), TrainOptions{})
	tests := []struct {
		text, want string
	}{
		{"Lift steel beams on site.", "E0"},
		{"Weld heavy pipes.", "E0"},
		{"Draft reports for managers.", "E1"},
		{"Summarize meeting notes daily.", "E1"},
		{"Enter invoices into software.", "E2"},
		{"Upload records into spreadsheets as needed.", "E2"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			p := m.Predict("Office Clerks", "core", tt.text)
			require.Equal(t, tt.want, p.Label(), "probs %v", p)
			require.Greater(t, p[p.argmax()], 0.5, "probs %v", p)
		})
	}
	require.Less(t, m.Predict("Plant Workers", "core", "Carry wooden crates.").Score(), 50)
	require.Greater(t, m.Predict("Plant Workers", "core", "Edit letters to clients.").Score(), 50)
}

func TestMarshalLoadRoundTrip(t *testing.T) {
	m := Train(syntheticExamples(), TrainOptions{})
	data, err := m.Marshal()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), `{"format":"jury-exposure-logreg/1"`))
	gz, err := m.MarshalGzip()
	require.NoError(t, err)
	for name, in := range map[string][]byte{"json": data, "gzip": gz} {
		t.Run(name, func(t *testing.T) {
			back, err := Load(in)
			require.NoError(t, err)
			require.Equal(t, m.Hash(), back.Hash())
			again, err := back.Marshal()
			require.NoError(t, err)
			require.Equal(t, string(data), string(again))
			for _, ex := range syntheticExamples()[:6] {
				require.Equal(t, m.Predict(ex.Title, ex.Type, ex.Text), back.Predict(ex.Title, ex.Type, ex.Text))
			}
		})
	}
	require.Regexp(t, `^sha256:[0-9a-f]{16}$`, m.Hash())
}

func TestTrainEmpty(t *testing.T) {
	m := Train(nil, TrainOptions{})
	p := m.Predict("Anything", "core", "Do something.")
	require.Equal(t, Probs{1.0 / 3, 1.0 / 3, 1.0 / 3}, p)
	_, err := m.Marshal()
	require.NoError(t, err)
}

func TestTokens(t *testing.T) {
	tests := []struct {
		text string
		stem bool
		want []string
	}{
		{"Review patients' records.", false, []string{"review", "patients", "records"}},
		{"Review patient's records.", true, []string{"review", "patient", "record"}},
		{"Follow-up on X-rays, e.g. CT scans", false, []string{"follow", "up", "on", "rays", "ct", "scans"}},
		{"Classes, activities, analyses; status", true, []string{"class", "activity", "analyse", "status"}},
		{"Café naïve résumé 3D", false, []string{"café", "naïve", "résumé", "3d"}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tokens(tt.text, tt.stem, nil), "tokens(%q)", tt.text)
	}
}

func TestFeatures(t *testing.T) {
	got := defaultFeatures.features("Records Specialists", TypeCore, "Scan records of patients, and scan records.", nil)
	require.Equal(t, []string{
		"b:patient_scan", "b:record_patient", "b:scan_record",
		"t:record", "t:specialist",
		"v:scan",
		"w:and", "w:of", "w:patient", "w:record", "w:scan",
		"y:core",
	}, got)
}

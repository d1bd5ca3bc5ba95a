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
			p := m.Predict("11-0001.00", "Office Clerks", "core", tt.text)
			require.Equal(t, tt.want, p.Label(), "probs %v", p)
			require.Greater(t, p[p.argmax()], 0.5, "probs %v", p)
		})
	}
	require.Less(t, m.Predict("11-0000.00", "Plant Workers", "core", "Carry wooden crates.").Exposed(), 0.5)
	require.Greater(t, m.Predict("11-0000.00", "Plant Workers", "core", "Edit letters to clients.").Exposed(), 0.5)
}

func TestMarshalLoadRoundTrip(t *testing.T) {
	m := Train(syntheticExamples(), TrainOptions{})
	data, err := m.Marshal()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), `{"format":"jury-exposure-logreg/2"`))
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
				require.Equal(t, m.Predict(ex.Code, ex.Title, ex.Type, ex.Text), back.Predict(ex.Code, ex.Title, ex.Type, ex.Text))
			}
		})
	}
	require.Regexp(t, `^sha256:[0-9a-f]{16}$`, m.Hash())
}

func TestTrainEmpty(t *testing.T) {
	m := Train(nil, TrainOptions{})
	p := m.Predict("11-1011.00", "Anything", "core", "Do something.")
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
	tests := []struct {
		name, code, text string
		want             []string
	}{
		{
			"every group", "29-2072.00", "Scan records of patients, and scan records.",
			[]string{
				"b:patient_scan", "b:record_patient", "b:scan_record",
				"g:29", "m:29-20",
				"o:scan_patient", "o:scan_record",
				"t:record", "t:specialist",
				"v:scan",
				"w:and", "w:of", "w:patient", "w:record", "w:scan",
				"y:core",
			},
		},
		{
			// The verb pairs with the next two content words only, past
			// stopwords; a one-word task has no pair.
			"verb-object skips stopwords", "43-4051.00", "Enter the data into a computer system.",
			[]string{
				"b:computer_system", "b:data_computer", "b:enter_data",
				"g:43", "m:43-40",
				"o:enter_computer", "o:enter_data",
				"t:record", "t:specialist",
				"v:enter",
				"w:computer", "w:data", "w:enter", "w:into", "w:system", "w:the",
				"y:core",
			},
		},
		{
			"malformed code loses only the SOC groups", "2x-1011", "Lead.",
			[]string{"t:record", "t:specialist", "v:lead", "w:lead", "y:core"},
		},
		{
			"short code keeps the major group", "29", "Lead.",
			[]string{"g:29", "t:record", "t:specialist", "v:lead", "w:lead", "y:core"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultFeatures.features(tt.code, "Records Specialists", TypeCore, tt.text, nil)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSOCGroups(t *testing.T) {
	tests := []struct{ code, major, minor string }{
		{"29-2072.00", "29", "29-20"},
		{"11-1011.03", "11", "11-10"},
		{"29-2", "29", ""},
		{"", "", ""},
		{"ab-1234.00", "", ""},
		{"29-x072.00", "29", ""},
	}
	for _, tt := range tests {
		major, minor := socGroups(tt.code)
		require.Equal(t, [2]string{tt.major, tt.minor}, [2]string{major, minor}, "socGroups(%q)", tt.code)
	}
}

func TestSOCGroupsMove(t *testing.T) {
	// Two occupations whose tasks read alike but whose SOC groups are
	// labelled differently: the code alone must tell them apart.
	var examples []Example
	for occ, label := range map[string]string{"43-4051.00": "E1", "47-2021.00": "E0"} {
		for k := range 6 {
			examples = append(examples, Example{Code: occ, Title: "Workers", TaskID: fmt.Sprint(occ, k), Text: fmt.Sprintf("Prepare item %d.", k), Type: TypeCore, Label: label})
		}
	}
	m := Train(examples, TrainOptions{})
	office := m.Predict("43-9999.00", "Workers", "core", "Prepare item 9.")
	site := m.Predict("47-9999.00", "Workers", "core", "Prepare item 9.")
	require.Greater(t, office.Exposed(), site.Exposed()+0.2, "office %v, construction site %v", office, site)
}

package render_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

func TestDiffFormatRendersEachFormat(t *testing.T) {
	res := sampleDiff(t)
	json, err := render.DiffJSON(res)
	require.NoError(t, err)
	cases := []struct {
		name, flag string
		colour     bool
		want       []byte
		wantErr    string
	}{
		{name: "text", flag: "text", want: render.DiffText(res, false)},
		{name: "text in colour", flag: "text", colour: true, want: render.DiffText(res, true)},
		{name: "markdown, never coloured", flag: "markdown", colour: true, want: render.DiffMarkdown(res)},
		{name: "json", flag: "json", want: json},
		{name: "an unknown format", flag: "html", wantErr: `--format "html": want text, markdown or json`},
		{name: "no format", flag: "", wantErr: `--format "": want text, markdown or json`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := render.ParseDiffFormat(tc.flag)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			got, err := f.Render(res, tc.colour)
			require.NoError(t, err)
			require.Equal(t, string(tc.want), string(got))
		})
	}
}

package offline_test

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/offline/exposure"
	"github.com/onet-jury/jury/pipeline/render"
	"github.com/onet-jury/jury/prompts"
)

const sharedLabels = "../../../shared/data/gpts-are-gpts/labels_train.tsv"

var (
	// A task phrase on a page is set in “ ” (summaries, rationales) or
	// ‘ ’ (quotes, which the page sets in “ ”).
	pagePhraseRE = regexp.MustCompile(`[“‘]([^”’]+)[”’]`)
	taskScoresRE = regexp.MustCompile(`Task \d+ scores`)
	// handsRE finds a rationale that says the task needs hands.
	handsRE = regexp.MustCompile(`\bhands\b[^-]|\bhands$|\bhands\.`)
	// lmClaimRE finds a rationale that speaks of the tool as a language
	// model or software built on one.
	lmClaimRE = regexp.MustCompile(`language model alone|built on a language model|A language model inside|text in and text out|Reading and writing are most of`)
	// staysRE finds a summary sentence that says a task stays with people.
	staysRE = regexp.MustCompile(`stays? with people|still needs a person|remains human|anchored in`)
)

// Evidence in a task's own words for a blocker that claims physical,
// performing or patient work: written here, apart from the lexicon, so
// that the check does not grade the lexicon by itself.
var (
	physicalEvidence = regexp.MustCompile(`\b(equipment|restroom|bedpan|beds?\b|machin|vehicle|engine|motor|truck|cars?\b|aircraft|boat|vessel|ship|crane|forklift|pump|valve|pipe|piping|wir(e|ing)|cable|circuit|parts?\b|component|fixture|appliance|furnace|boiler|oven|conveyor|mold|gauge|tank|hose|wood|lumber|timber|metal|steel|iron|alumin|copper|stone|marble|granite|brick|blocks?\b|concrete|cement|mortar|asphalt|glass|tile|fabric|cloth|textile|yarn|thread|leather|plastic|rubber|paint|cargo|freight|parcel|crate|pallet|container|merchandise|floor|wall|roof|ceiling|window|door|road|street|rail|rock|gravel|soil|sand|dirt|tree|shrub|crop|seed|lawn|garden|site|building|furniture|carpet|meat|carcass|fish|poultry|animal|livestock|cattle|horse|hair|nail|skin|specimen|sample|chemical|liquid|fluid|oil|fuel|water|waste|debris|trash|garbage|workpiece|wheel|tire|brake|gear|bearing|shaft|blade|saw|drill|hammer|wrench|weld|solder|braz|spool|bobbin|nets?\b|trap|device|hardware|apparatus|load|shipment|bags?\b|envelope|dish|utensil|linen|camera|fence|pool|trench|drum|barrel|bottle|carts?\b|tray|shel(f|ves)|rack|bins?\b|hook|rope|bolt|screw|nuts?\b|rivet|seam|garment|shoe|costume|props\b|scaffold|ladder|robot|generator|turbine|batter|sensor|meters?\b|filter|stove|knife|needle|syringe|catheter|tube|bandag|wound|splint|mail|goods|luggage|baggage|glove|lens|tools?\b|instrument|ingredient|dough|plant|furnish|surface|hole|joint|hydraulic|pneumatic|electrical|mechanical|plumbing|hvac|heating|refrigerat|food|meal|beverage|drink|patient|body|sew|stitch|dig|mow|harvest|prun|irrigat|scrub|sweep|mop|vacuum|massag|inject|sutur|surg|climb|patrol|lift|haul|hoist|cook|bak(e|ing)|grill|fry|groom|bath|feed|disassembl|reassembl|overhaul|lubricat|steer|pilot|sanitiz|disinfect|polish|varnish|plaster|tamp|carv|makeup|cosmetic|manicur|grind|sharpen|spray|wash|bod(y|ies)|locomotive|bus\b|trailer|kiln|potter|wig|pelt|surfac|coat|plat(e|ing)|carv|bevel|burr|weigh|unload|automobile|traffic|gate|vault|finishes|insecticide|fumigant|fertiliz|pesticide|bean|driv|pigment|powder|granul|solution|compound|areas?\b|rooms?\b|cabins?\b|premises|grounds|products?\b|artifact|visual|vision|eyes?\b|ocular|tonometry|tonograph|formula|reagent|thermometer|dials?\b|indicator|piling|footing|bumper|bulb|cylinder|cabinet|dryer|washer|laundry|tracks?\b|restrain|shackle|cpr\b|resuscitat|errand|passenger|buttons?\b|pedal|lever)`)
	foodEvidence     = regexp.MustCompile(`\b(food|beverage|meal|drink|dish|cocktail|wine|coffee|menu|kitchen|diner|restaurant|table|patron|guest|customer|passenger|tray|plate|cook|bak(e|ing)|grill|fry|dough|ingredient)`)
	stageEvidence    = regexp.MustCompile(`\b(music|concert|stage|audience|role|scene|song|danc|recital|theat|opera|ballet|choir|orchestra|band|instrument|repertoire|show|comedy|circus|film|television|broadcast|character|script|rehears|act(s|ing)?\b|perform(ance|er)|spectator|entertain|sing)`)
	materialEvidence = regexp.MustCompile(`\b(wood|lumber|timber|logs?\b|metal|steel|iron|alumin|copper|stone|marble|granite|brick|blocks?\b|concrete|cement|mortar|asphalt|glass|tile|fabric|cloth|textile|leather|plastic|rubber|foam|pipe|tubing|wire|cable|meat|carcass|fish|poultry|hair|nail|gem|jewel|paper|cardboard|board|panel|sheet|plate|bars?\b|rod|beam|stock|material|workpiece|piece|lens|tree|branch|limb|shrub|hedge|lawn|grass|crop|grind|sharpen|blade|surface|rails?\b|burr|edge|wheel|valve|switch|tools?\b|bevel|parts?\b|carving|cuts?\b|instrument|bean|design|edges?\b|strips?\b|skin|pelt)`)
	patientEvidence  = regexp.MustCompile(`\bpatient`)
	careEvidence     = regexp.MustCompile(`\b(care|treat|bath|feed|dress|groom|position|turn|lift|transfer|move|transport|comfort|examin|inject|administer|medicat|vital|wound|bandag|assist|help|monitor|observ|interview|counsel|educat|instruct|teach|explain|prepar|sedat|surg|therap|massag|exercis|walk)`)
	// physicalClaims are what a rationale may say about a task only with
	// the evidence beside it in the task's words.
	physicalClaims = []struct {
		claim    *regexp.Regexp
		evidence []*regexp.Regexp
	}{
		{regexp.MustCompile(`serving food`), []*regexp.Regexp{foodEvidence}},
		{regexp.MustCompile(`live performance`), []*regexp.Regexp{stageEvidence}},
		{regexp.MustCompile(`cutting and shaping`), []*regexp.Regexp{materialEvidence}},
		{regexp.MustCompile(`patient's side`), []*regexp.Regexp{patientEvidence, careEvidence}},
		{regexp.MustCompile(`\bhands\b|hands-on|handling of materials|physical|by hand|on site|lifting and carrying|machinery|vehicle|on the route`), []*regexp.Regexp{physicalEvidence}},
	}
	// barelyRE finds a rationale that says AI barely helps with a task;
	// mostRE one that says most of it can go.
	barelyRE = regexp.MustCompile(`(?i)barely|shortens much|no substitute|has no hands|saves only a little|helps little`)
	mostRE   = regexp.MustCompile(`(?i)largely|automatable|most of (the|its) time|the bulk of “”|a fraction of`)
	// tautologyStems are words a rationale should not say twice outside
	// the task's phrase ("Someone has to answer for X, which rests on
	// judgment a person must answer for").
	tautologyStems = []string{"answer for", "judgment", "accountab", "in person", "face to face", "physical", "on site"}
	// danglers are words no task phrase ends on: they promise what the
	// cut left off ("activities related", "such as", "including").
	danglers = map[string]bool{"related": true, "relating": true, "pertaining": true, "regarding": true, "concerning": true,
		"including": true, "such": true, "due": true, "according": true, "prior": true, "relative": true, "used": true}
)

// pageCheck counts what a reader would find wrong on the offline pages.
type pageCheck struct {
	pages, phrases, rationales                            int
	brokenPhrases, taskScores, framesOver2, unknownFrames int
	named, handsUnfit, staysHigh, headline100             int
	// lmUnfit counts rationales that speak of a language model alone, or
	// of software built on one, about a tool that is neither.
	lmUnfit                                             int
	maxFrameUse                                         int
	physicalUnfit, barelyAt30, mostUnder60, tautologies int
	quotes, quoteTopLow, quoteBottomHigh, unknownQuotes int
	// verbs are the catalog's task verbs: a phrase that ends on one after
	// "to", "and", "or" or a comma has left it without its object.
	verbs map[string]bool
	// pages on which each quote line, rationale line and rationale
	// variant appear (per persona for quotes).
	quotePages               map[string]map[int]int
	framePages, variantPages map[int]int
	examples                 []string
	noted                    map[string]int
	sample                   []string
}

// note keeps the first few examples of each kind of finding.
func (c *pageCheck) note(kind, s string) {
	if c.noted == nil {
		c.noted = map[string]int{}
	}
	if c.noted[kind]++; c.noted[kind] <= 4 {
		c.examples = append(c.examples, s)
	}
}

func (c *pageCheck) add(words *prompts.Words, lexicon []prompts.Term, occ jury.Occupation, r *jury.Report, md string) {
	c.pages++
	scoreOf := map[string]int{} // phrase → consensus score
	texts := make([]string, len(occ.Tasks))
	for i, t := range occ.Tasks {
		texts[i] = t.Text
	}
	byText := map[string]int{}
	for _, t := range r.Tasks {
		byText[t.Text] = t.Score
	}
	for i, p := range prompts.Phrases(texts) {
		scoreOf[strings.ToLower(p)] = byText[texts[i]]
	}
	whole := map[string]bool{} // a whole statement is not cut mid-way
	for _, t := range occ.Tasks {
		whole[strings.ToLower(strings.TrimRight(strings.TrimSpace(t.Text), ". "))] = true
	}
	texts = []string{r.Summary}
	for _, j := range r.Jurors {
		texts = append(texts, j.Quote)
	}
	for _, t := range r.Tasks {
		texts = append(texts, t.Rationale)
	}
	for _, s := range texts {
		for _, m := range pagePhraseRE.FindAllStringSubmatch(s, -1) {
			c.phrases++
			if why := c.cutMidway(m[1]); why != "" && !whole[strings.ToLower(m[1])] {
				c.brokenPhrases++
				c.note("phrase", fmt.Sprintf("%s: phrase %s: %s", occ.Code, why, m[1]))
			}
		}
	}
	if taskScoresRE.MatchString(md) {
		c.taskScores++
		c.note("task n", occ.Code+": a \"Task N scores\" line")
	}
	if r.Headline >= 100 || strings.Contains(strings.SplitN(md, "\n", 2)[0], "100") {
		c.headline100++
	}
	uses := map[int]int{}
	lines, variants := map[int]bool{}, map[int]bool{}
	for _, t := range r.Tasks {
		c.rationales++
		f := words.FrameOf(t.Rationale)
		if f < 0 {
			c.unknownFrames++
			c.note("frame", fmt.Sprintf("%s task %s: no frame writes %q", occ.Code, t.ID, t.Rationale))
		} else {
			line := words.FrameLine(f)
			lines[line], variants[f] = true, true
			uses[line]++
			c.maxFrameUse = max(c.maxFrameUse, uses[line])
			if uses[line] == 3 {
				c.framesOver2++
				c.note("frame", fmt.Sprintf("%s: frame of line %d used a third time: %s", occ.Code, line, t.Rationale))
			}
		}
		frame := strings.ToLower(pagePhraseRE.ReplaceAllString(t.Rationale, "“”")) // the rationale's own words
		text := strings.ToLower(t.Text)
		for _, pc := range physicalClaims {
			if !pc.claim.MatchString(frame) {
				continue
			}
			for _, ev := range pc.evidence {
				if !ev.MatchString(text) {
					c.physicalUnfit++
					c.note("physical", fmt.Sprintf("%s task %s: %q without its evidence in %q: %s", occ.Code, t.ID, pc.claim, t.Text, t.Rationale))
					break
				}
			}
			break
		}
		key := ""
		if f >= 0 {
			key = words.FrameKey(f)
		}
		// A frame's key is its claim (prompts/offline/rationales.txt);
		// the wordings a reader reported are caught whatever the key.
		barely := key == "little" || strings.HasPrefix(key, "none") || barelyRE.MatchString(frame)
		most := strings.HasPrefix(key, "high") || mostRE.MatchString(frame)
		if t.Score >= 30 && barely {
			c.barelyAt30++
			c.note("barely", fmt.Sprintf("%s task %s scores %d, yet: %s", occ.Code, t.ID, t.Score, t.Rationale))
		}
		if t.Score < 60 && most {
			c.mostUnder60++
			c.note("most", fmt.Sprintf("%s task %s scores %d, yet: %s", occ.Code, t.ID, t.Score, t.Rationale))
		}
		for _, stem := range tautologyStems {
			if strings.Count(frame, stem) > 1 {
				c.tautologies++
				c.note("tautology", fmt.Sprintf("%s task %s says %q twice: %s", occ.Code, t.ID, stem, t.Rationale))
				break
			}
		}
		if len(c.sample) < 40 && stable(occ.Code, t.ID) < 40.0/19265 {
			c.sample = append(c.sample, fmt.Sprintf("%s %d %s | %s | %s", occ.Code, t.Score, t.Label, t.Text, t.Rationale))
		}
		for _, term := range lexicon {
			if !term.Default && strings.Contains(strings.ToLower(t.Rationale), strings.ToLower(term.Words)) {
				c.named++
				break
			}
		}
		if lmClaimRE.MatchString(t.Rationale) && !words.Tool(t.Text, occ.Code).LanguageModel {
			c.lmUnfit++
			c.note("lm", fmt.Sprintf("%s task %s speaks of a language model about a tool built on none: %s", occ.Code, t.ID, t.Rationale))
		}
		blocker := words.Blocker(t.Text, occ.Code)
		// The task's own words may speak of hands ("deal cards to house hands"): only the frame's count.
		if handsRE.MatchString(pagePhraseRE.ReplaceAllString(t.Rationale, "“”")) && blocker.Kind != "hands" {
			c.handsUnfit++
			c.note("hands", fmt.Sprintf("%s task %s: a %s task is said to need hands: %s", occ.Code, t.ID, blocker.Kind, t.Rationale))
		}
	}
	for l := range lines {
		c.framePages[l]++
	}
	for v := range variants {
		c.variantPages[v]++
	}
	c.addQuotes(words, occ, r)
	// The clause of a summary sentence that says a task stays with
	// people names that task: "Tools take “A”, but “B” still needs a
	// person" says so of B only.
	var clauses []string
	for _, sentence := range strings.SplitAfter(r.Summary, ". ") {
		clauses = append(clauses, strings.Split(sentence, ", but ")...)
	}
	for _, sentence := range clauses {
		if !staysRE.MatchString(sentence) {
			continue
		}
		for _, m := range pagePhraseRE.FindAllStringSubmatch(sentence, -1) {
			if score, ok := scoreOf[strings.ToLower(m[1])]; ok && score >= 60 {
				c.staysHigh++
				c.note("summary", fmt.Sprintf("%s: the summary says “%s”, scored %d, stays with people: %s", occ.Code, m[1], score, sentence))
			}
		}
	}
}

// cutMidway says why a task phrase reads as cut mid-way, or "".
func (c *pageCheck) cutMidway(phrase string) string {
	words := strings.Fields(phrase)
	last := words[len(words)-1]
	switch {
	case prompts.IsFunctionWord(last) || strings.HasSuffix(last, ","):
		return fmt.Sprintf("ends on %q", last)
	case danglers[strings.ToLower(last)]:
		return fmt.Sprintf("ends on %q, which wants what follows", last)
	case len(words) > 1 && c.verbs[strings.ToLower(last)]:
		// "to determine", "review and approve", "preside over, or serve",
		// "analyze, evaluate": a verb left without its object; "sales
		// and service" is a noun.
		before := strings.ToLower(words[len(words)-2])
		if before == "to" || strings.HasSuffix(before, ",") && c.verbs[strings.Trim(before, ",")] {
			return fmt.Sprintf("ends on the verb %q without its object", last)
		}
		if (before == "and" || before == "or") && len(words) > 2 {
			// "design and create", "apply or assist", "lay out and drill";
			// not "the use and care", "with water and oil".
			first := strings.ToLower(words[len(words)-3])
			opens := len(words) == 3
			if len(words) > 3 {
				w := strings.ToLower(words[len(words)-4])
				opens = w == "to" || w == "and" || w == "or" || strings.HasSuffix(w, ",")
			}
			if prompts.IsFunctionWord(first) || c.verbs[strings.Trim(first, ",")] && opens {
				return fmt.Sprintf("ends on the verb %q without its object", last)
			}
		}
	}
	return ""
}

// addQuotes checks the jurors' quotes of one page against the numbers:
// the juror's own most exposed task is named only if it scores 50 or more
// by its vote and the panel's, its least exposed only if under 50 by both.
func (c *pageCheck) addQuotes(words *prompts.Words, occ jury.Occupation, r *jury.Report) {
	texts := make([]string, len(occ.Tasks))
	for i, t := range occ.Tasks {
		texts[i] = t.Text
	}
	phrase := map[string]string{} // task ID → its phrase on this page
	for i, p := range prompts.Phrases(texts) {
		phrase[occ.Tasks[i].ID] = p
	}
	for _, j := range r.Jurors {
		if j.Quote == "" {
			continue
		}
		c.quotes++
		f := words.QuoteFrameOf(j.Quote)
		if f < 0 {
			c.unknownQuotes++
			c.note("quote", fmt.Sprintf("%s: no quote line writes %s's %q", occ.Code, j.Persona, j.Quote))
		}
		if c.quotePages[j.Persona] == nil {
			c.quotePages[j.Persona] = map[int]int{}
		}
		c.quotePages[j.Persona][f]++
		own, panel := map[string]int{}, map[string]int{}
		for _, t := range r.Tasks {
			panel[t.ID] = t.Score
			for _, v := range t.Votes {
				if v.Persona == j.Persona {
					own[t.ID] = v.Score
				}
			}
		}
		ids := make([]string, 0, len(own))
		for id := range own {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int {
			if c := cmp.Compare(own[b], own[a]); c != 0 {
				return c
			}
			return jury.CompareTaskIDs(a, b)
		})
		if len(ids) == 0 {
			continue
		}
		top, bottom := ids[0], ids[len(ids)-1]
		for _, m := range quotedRE.FindAllStringSubmatch(j.Quote, -1) {
			switch m[1] {
			case phrase[top]:
				if min(own[top], panel[top]) < 50 {
					c.quoteTopLow++
					c.note("quote", fmt.Sprintf("%s: %s names ‘%s’ (own %d, panel %d) as its most exposed: %s", occ.Code, j.Persona, m[1], own[top], panel[top], j.Quote))
				}
			case phrase[bottom]:
				if max(own[bottom], panel[bottom]) >= 50 {
					c.quoteBottomHigh++
					c.note("quote", fmt.Sprintf("%s: %s names ‘%s’ (own %d, panel %d) as kept by people: %s", occ.Code, j.Persona, m[1], own[bottom], panel[bottom], j.Quote))
				}
			}
		}
	}
}

// mostPages returns the largest count of pages and its key.
func mostPages(pages map[int]int) (int, int) {
	most, key := 0, -1
	for k, n := range pages {
		if n > most || n == most && k < key {
			most, key = n, k
		}
	}
	return most, key
}

// stable returns a number in [0, 1) fixed by its parts, for a sample that
// does not change between runs.
func stable(parts ...string) float64 {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// TestOfflinePagesOnTheCatalog reads the offline pages of all 923
// occupations as a reader would and counts what would be wrong: task
// phrases cut mid-way (on a function word, on "related"/"such"/"prior",
// on a verb left without its object), "Task N scores" fallbacks,
// rationale lines read more than twice on a page, rationales that name no
// technology or human blocker of the lexicon, physical, performing or
// patient blockers for tasks whose words carry no such evidence,
// rationales that say AI barely helps at 30 or more or that most can go
// under 60, tautologies, quotes that call a task scoring under 50 exposed
// or one at 50 or more held by people, summaries that say a task scoring
// 60 or more stays with people, and a 100 % headline. It logs how many
// pages the most frequent quote line of each persona and the most
// frequent rationale line appear on (with -v, a fixed sample of 40
// rationales to read).
func TestOfflinePagesOnTheCatalog(t *testing.T) {
	verdicts := catalogVerdicts(t)
	words := prompts.OfflineWords()
	lexicon := words.Lexicon()
	c := pageCheck{verbs: map[string]bool{}, quotePages: map[string]map[int]int{}, framePages: map[int]int{}, variantPages: map[int]int{}}
	for _, v := range verdicts {
		for _, task := range v.occ.Tasks {
			if f := strings.Fields(strings.ToLower(task.Text)); len(f) > 0 {
				c.verbs[strings.Trim(f[0], ",;:.")] = true
			}
		}
	}
	for _, v := range verdicts {
		md, err := render.MarkdownPage(v.report)
		require.NoError(t, err)
		c.add(words, lexicon, v.occ, v.report, string(md))
	}
	// A published label agrees with the score beside it, by the rule a
	// person's score edit is held to (E2 under 40 % was published).
	var unfit []string
	for _, v := range verdicts {
		for _, task := range v.report.Tasks {
			if !jury.LabelFits(task.Label, task.Score) {
				unfit = append(unfit, fmt.Sprintf("%s task %s: %d %% %s", v.occ.Code, task.ID, task.Score, task.Label))
			}
		}
	}
	require.Empty(t, unfit, "labels their scores contradict")
	t.Logf("%d pages, %d task phrases, %d rationales: phrases cut mid-way (a function word, a dangler, a verb without object) %d, \"Task N scores\" lines %d, "+
		"pages with a frame used more than twice %d (most uses of one frame on a page: %d), rationales from no frame %d, "+
		"rationales naming a lexicon technology or blocker %d (%.1f %%), non-physical tasks said to need hands %d, "+
		"summaries saying a task scoring 60+ stays with people %d, 100 %% headlines %d",
		c.pages, c.phrases, c.rationales, c.brokenPhrases, c.taskScores, c.framesOver2, c.maxFrameUse, c.unknownFrames,
		c.named, 100*float64(c.named)/float64(c.rationales), c.handsUnfit, c.staysHigh, c.headline100)
	t.Logf("physical, performing or patient blockers without their evidence in the task's words %d; 'barely helps' at 30+ %d; "+
		"'most of' under 60 %d; tautologies %d; language-model claims about other tools %d; quotes %d: own top task named under 50 %d, bottom task named at 50+ %d, from no line %d",
		c.physicalUnfit, c.barelyAt30, c.mostUnder60, c.tautologies, c.lmUnfit, c.quotes, c.quoteTopLow, c.quoteBottomHigh, c.unknownQuotes)
	share := func(n int) float64 { return float64(n) / float64(c.pages) }
	personas := make([]string, 0, len(c.quotePages))
	for p := range c.quotePages {
		personas = append(personas, p)
	}
	slices.Sort(personas)
	var worstQuote float64
	for _, p := range personas {
		n, f := mostPages(c.quotePages[p])
		worstQuote = max(worstQuote, share(n))
		t.Logf("most frequent %s quote line (%d): on %d pages (%.1f %%)", p, f, n, 100*share(n))
	}
	lineN, line := mostPages(c.framePages)
	variantN, variant := mostPages(c.variantPages)
	t.Logf("most frequent rationale frame: line %d on %d pages (%.1f %%); its most frequent variant, %q, on %d pages (%.1f %%)",
		line, lineN, 100*share(lineN), words.FrameKey(variant), variantN, 100*share(variantN))
	if testing.Verbose() {
		for _, s := range c.sample {
			t.Log("sample: " + s)
		}
	}
	require.Equal(t, 923, c.pages)
	require.Zero(t, c.brokenPhrases+c.taskScores+c.framesOver2+c.unknownFrames+c.handsUnfit+c.staysHigh+c.headline100+
		c.physicalUnfit+c.barelyAt30+c.mostUnder60+c.tautologies+c.quoteTopLow+c.quoteBottomHigh+c.unknownQuotes+c.lmUnfit,
		"%s", strings.Join(c.examples, "\n"))
	require.GreaterOrEqual(t, float64(c.named)/float64(c.rationales), 0.90, "at least 90 %% of rationales name a technology or a human blocker")
	require.LessOrEqual(t, worstQuote, 0.10, "no persona's quote line on more than 10 %% of pages")
	// A page of 20 tasks repeats its few frame classes, so a rationale
	// line reaches many pages; this holds the line where it is (it was on
	// 55 %% of pages before the frames were chosen by line and by score).
	require.LessOrEqual(t, share(lineN), 0.42, "no rationale line on more than 42 %% of pages")
}

// TestOfflineHeadlineBias compares, over the labelled occupations of the
// catalog, the headline the offline panel publishes with the model's own
// calibrated headline (every juror at the model's score) and with the
// humans' headline (75 for each E1 or E2 task, 0 for E0, core-weighted).
// In sample: the model was trained on these labels; `make eval` prints
// the same comparison out of fold.
func TestOfflineHeadlineBias(t *testing.T) {
	verdicts := catalogVerdicts(t)
	f, err := os.Open(sharedLabels)
	if err != nil {
		t.Skip("../shared/data/gpts-are-gpts/labels_train.tsv absent: skipping the headline bias")
	}
	defer f.Close()
	labels, err := exposure.ReadLabels(f, sharedLabels)
	require.NoError(t, err)
	human := map[string]map[string]bool{} // code → task ID → exposed
	for _, ex := range labels {
		if human[ex.Code] == nil {
			human[ex.Code] = map[string]bool{}
		}
		human[ex.Code][ex.TaskID] = ex.Label != "E0"
	}
	model, err := exposure.Default()
	require.NoError(t, err)
	var n int
	var vsHumans, vsModel, modelVsHumans float64
	for _, v := range verdicts {
		h, ok := human[v.occ.Code]
		if !ok {
			continue
		}
		var hs, ms, w float64
		complete := true
		for _, task := range v.occ.Tasks {
			exposed, ok := h[task.ID]
			if !ok {
				complete = false
				break
			}
			weight := float64(task.Type.Weight())
			if exposed {
				hs += weight * 100 * exposure.ExposedTimeShare
			}
			ms += weight * float64(model.Predict(v.occ.Code, v.occ.Title, string(task.Type), task.Text).Score())
			w += weight
		}
		if !complete {
			continue
		}
		n++
		hh, mh := math.Round(hs/w), math.Round(ms/w)
		vsHumans += float64(v.report.Headline) - hh
		vsModel += float64(v.report.Headline) - mh
		modelVsHumans += mh - hh
	}
	require.Greater(t, n, 700, "most labelled occupations are in the catalog")
	vsHumans, vsModel, modelVsHumans = vsHumans/float64(n), vsModel/float64(n), modelVsHumans/float64(n)
	t.Logf("over %d labelled occupations, in sample: panel headline − humans' %+.2f points, panel − model's own %+.2f, model − humans' %+.2f",
		n, vsHumans, vsModel, modelVsHumans)
	require.InDelta(t, 0, vsModel, 0.5, "the personas' leans are neutral under the median: the panel publishes the model's headline")
	require.InDelta(t, 0, vsHumans, 2, "the panel's headline is unbiased against the humans'")
}

// TestOfflineLegendIsTrue: the offline page's legend says how its numbers
// are computed, and they are: each task's score is the model's expected
// share of the task's time saved (75 % for an exposed task times the
// probability that it is exposed, capped at 95 %), the panel's median
// lands on it, and the headline is their core-weighted mean. The page
// says a classifier and sentence templates wrote it, not AI jurors.
func TestOfflineLegendIsTrue(t *testing.T) {
	occ := fixtureOccupation(t)
	r, _, err := offlinePanel(t, prompts.Default()).Deliberate(context.Background(), occ)
	require.NoError(t, err)
	model, err := exposure.Default()
	require.NoError(t, err)
	for _, task := range r.Tasks {
		tt, _ := occ.Task(task.ID)
		p := model.Predict(occ.Code, occ.Title, string(tt.Type), tt.Text)
		want := min(exposure.MaxScore, int(math.Round(100*exposure.ExposedTimeShare*(p[1]+p[2]))))
		require.InDelta(t, want, task.Score, 1, "task %s: the published score is the model's expected share of time saved", task.ID)
	}
	var votes []jury.Vote
	for _, task := range r.Tasks {
		votes = append(votes, jury.Vote{ID: task.ID, Score: task.Score})
	}
	require.Equal(t, int(math.Round(jury.WeightedMean(occ, votes))), r.Headline, "the headline is the core-weighted mean of the task scores")

	// The legend's ceiling is the highest score the rule can give.
	highest := min(exposure.MaxScore, int(math.Round(100*exposure.ExposedTimeShare)))
	for _, task := range r.Tasks {
		require.LessOrEqual(t, task.Score, highest, "task %s", task.ID)
	}
	md, err := render.MarkdownPage(r)
	require.NoError(t, err)
	html, err := render.HTMLPage(r)
	require.NoError(t, err)
	nb := func(n int) string { return fmt.Sprintf("%d\u00a0%%", n) }
	for name, page := range map[string]string{"report.md": string(md), "report.html": string(html)} {
		text := strings.NewReplacer("’", "'", "“", `"`, "”", `"`).Replace(page)
		require.Contains(t, text, "share of the task's time AI could save", name)
		require.Contains(t, text, nb(int(100*exposure.ExposedTimeShare))+", the middle of \"half or more\", times the classifier's probability that AI halves the task's time, so never above "+nb(highest), name)
		require.Contains(t, text, "AI could save "+nb(r.Headline)+" of task time", name)
		require.Contains(t, text, "no AI model was asked. A trained classifier scored each task", name)
		require.Contains(t, text, "sentence templates wrote the summary, the quotes and the rationales", name)
		require.NotContains(t, text, "automatable", name)
		require.NotContains(t, text, "take over at equal quality", name)
		require.NotContains(t, text, "The AI Jury", name)
	}
}

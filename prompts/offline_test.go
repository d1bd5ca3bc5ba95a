package prompts_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/prompts"
)

// Task phrases are whole: the statement's own verb phrase up to a natural
// boundary, never a cut that ends on a function word.
func TestPhraseIsWhole(t *testing.T) {
	for _, tc := range []struct{ task, want string }{
		{"Analyze operations to evaluate performance of a company or its staff in meeting objectives or to determine areas of potential cost reduction, program improvement, or policy change.",
			"analyze operations to evaluate performance of a company"},
		{"Compose original music, such as popular songs, symphonies, or sonatas.", "compose original music"},
		{"Enter data, such as demographic characteristics, history and extent of disease, diagnostic procedures, or treatment into computer.", "enter data"},
		{"Schedule medical appointments for patients.", "schedule medical appointments for patients"},
		{"Maintain or operate a variety of health record indexes or storage and retrieval systems to collect, classify, store, or analyze information.",
			"maintain or operate a variety of health record indexes"},
		{"Direct or coordinate an organization's financial or budget activities to fund operations, maximize investments, or increase efficiency.",
			"direct or coordinate an organization's financial or budget activities to fund operations"},
		{"Assign the patient to diagnosis-related groups (DRGs), using appropriate computer software.", "assign the patient to diagnosis-related groups"},
		{"OSHA inspections of the site.", "OSHA inspections of the site"},
		{"Resolve or clarify codes or diagnoses with conflicting, missing, or unclear information by consulting with doctors.", "resolve or clarify codes or diagnoses"},
		{"Observe and interview workers to obtain information about the physical, mental, and educational requirements of jobs.", "observe and interview workers to obtain information"},
	} {
		got := prompts.Phrase(tc.task)
		require.Equal(t, tc.want, got, tc.task)
		words := strings.Fields(got)
		require.False(t, prompts.IsFunctionWord(words[len(words)-1]), "%q ends on a function word", got)
	}
}

// Tasks whose short phrases coincide are named apart on a page.
func TestPhrasesNameEveryTaskApart(t *testing.T) {
	tasks := []string{
		"Enter data, such as demographic characteristics, into computer.",
		"Enter data into the billing system, such as charges.",
		"Schedule medical appointments for patients.",
	}
	got := prompts.Phrases(tasks)
	require.Equal(t, "schedule medical appointments for patients", got[2])
	require.NotEqual(t, got[0], got[1])
	for _, p := range got {
		words := strings.Fields(p)
		require.False(t, prompts.IsFunctionWord(words[len(words)-1]), "%q ends on a function word", p)
	}
}

// The lexicon names the concrete technology or human blocker from the
// task's own words, and the kind of blocker fits the task.
func TestLexiconNamesTheConcreteTechnologyOrBlocker(t *testing.T) {
	w := prompts.OfflineWords()
	for _, tc := range []struct {
		task, code, kind, want string
	}{
		{"Transcribe medical reports.", "29-2072.00", "tool", "speech recognition"},
		{"Schedule medical appointments for patients.", "29-2072.00", "tool", "scheduling assistants"},
		{"Assign the patient to diagnosis-related groups (DRGs), using appropriate computer software.", "29-2072.00", "tool", "computer-assisted coding (ICD-10)"},
		{"Compile and maintain patients' medical records.", "29-2072.00", "tool", "EHR search and retrieval"},
		{"Post medical insurance billings.", "29-2072.00", "tool", "billing software and robotic process automation (RPA)"},
		{"Scan patients' health records into electronic formats.", "29-2072.00", "tool", "OCR and document capture"},
		{"Write and debug code for the payroll system.", "15-1252.00", "tool", "code assistants"},
		{"Translate documents from Spanish into English.", "27-3091.00", "tool", "machine translation"},
		{"Lay and align bricks, blocks, or tiles to build or repair structures.", "47-2021.00", "hands", "hands-on building work on site"},
		{"Repair and maintain hydraulic systems.", "49-3042.00", "hands", "hands-on repair"},
		{"Counsel students with emotional problems.", "25-2057.00", "presence", "a relationship built on trust"},
		{"Negotiate contracts with suppliers.", "11-3061.00", "judgment", "negotiation"},
		{"Compose original music, such as popular songs.", "27-2041.00", "judgment", "creative judgment and authorship"},
		{"Analyze operations to evaluate performance of a company or its staff to determine areas of program improvement.", "11-1011.00", "tool", "data analysis software"},
		// The examples after "such as" are what is sold, not what the
		// seller installs.
		{"Sell products requiring extensive technical expertise and support for installation and use, such as material handling equipment, numerical-control machinery, or computer systems.", "41-9031.00", "presence", "winning a buyer's trust"},
		{"Analyze log files or other digital information to identify the perpetrators of network intrusions.", "15-1299.06", "tool", "data analysis software"},
		{"Perform clerical duties, such as scheduling exams or special procedures, keeping records, or archiving computerized images.", "31-9092.00", "tool", "scheduling assistants"},
		{"Direct the preparation and submission of regulatory agency applications.", "11-9199.01", "tool", "automated compliance checks against the rules"},
		{"Process loan applications.", "43-4131.00", "tool", "OCR form capture"},
		{"Answer questions and provide technical assistance and information to contractors or the public.", "13-1041.00", "tool", "chat assistants over the knowledge base"},
		{"View images of checked bags and cargo, using remote screening equipment.", "33-9093.00", "tool", "computer vision"},
		{"Train users to use new or modified equipment.", "15-1252.00", "presence", "teaching in person"},
		{"Use computer software to generate new images.", "27-1024.00", "tool", "image generation and editing software"},
		{"Key information into computer equipment to create layouts for client or supervisor.", "27-1024.00", "tool", "OCR and automated data entry"},
		{"Observe or examine patients to detect symptoms that may require medical attention.", "31-1131.00", "presence", "care in person at the patient's side"},
		{"Change bed linens or make beds.", "31-1131.00", "hands", "hands-on handling of materials"},
		{"Supply, collect, or empty bedpans.", "31-1131.00", "hands", "physical cleaning on site"},
		{"Diagnose illnesses of patients.", "29-1215.00", "judgment", "clinical accountability"},
		{"Prescribe or recommend drugs, medical devices, or other forms of treatment.", "29-1141.00", "tool", "AI writing and document tools"},
		{"Read from scripts or books to narrate passages.", "27-2011.00", "tool", "AI writing and document tools"},
		{"Obtain information needed to complete legal documents, such as death certificates.", "39-4031.00", "tool", "AI document generation"},
		// Staff, personnel, employees and workers are decisions about
		// people only beside a decision: hiring, evaluating, assigning.
		{"Perform personnel functions, such as selection, training, or evaluation.", "11-1021.00", "judgment", "accountability for decisions about people"},
		{"Perform managerial duties such as hiring and training employees and overseeing facility needs or requirements.", "13-1081.00", "judgment", "accountable supervision of people"},
		{"Monitor sales staff performance to ensure that goals are met.", "41-1012.00", "judgment", "accountable supervision of people"},
		{"Develop or conduct employee regulatory training.", "13-1041.07", "presence", "teaching in person"},
		{"Explain assembly procedures or techniques to other workers.", "51-2022.00", "presence", "teaching in person"},
		{"Brief workers on radiation levels in work areas.", "19-4051.02", "presence", "teaching in person"},
		{"Pass sliver strands through openings in floors to workers on floors below who wind slivers onto tubes.", "51-6091.00", "hands", "hands-on handling of materials"},
		{"Transfer supplies or equipment between storage and work areas, by hand or using hand trucks.", "35-9021.00", "hands", "hands-on handling of materials"},
		{"Clean service or seating areas.", "35-9011.00", "hands", "physical cleaning on site"},
		{"Inspect guest rooms, public areas, and grounds for cleanliness and appearance.", "11-9081.00", "hands", "physical inspection and testing on site"},
		{"Observe meters and gauges to verify and record temperatures, pressures, and press-cycle times.", "51-9041.00", "hands", "physical inspection and testing on site"},
		{"Turn rheostats to obtain specified temperatures in electric furnaces where glass is melted.", "51-6091.00", "hands", "setting and tending machines by hand"},
		{"Mix food, liquid formulas, medications, or food supplements according to instructions, prescriptions, and knowledge of an animal species.", "39-2021.00", "hands", "mixing and measuring by hand"},
		{"Conduct visual field tests to measure field of vision.", "29-2057.00", "hands", "hands-on clinical examination"},
		{"Collect fares or vouchers from passengers, and make change or issue receipts as necessary.", "53-3054.00", "presence", "presence with clients face to face"},
		{"Refer patients to specialists or community resources.", "29-1171.00", "tool", "referral management software"},
		{"Provide patients with information about the inheritance of conditions such as cardiovascular disease.", "29-9092.00", "tool", "chat assistants over the knowledge base"},
		{"Secure entrances and exits by locking doors and gates.", "33-9032.00", "judgment", "accountability for people's safety"},
		{"Secure boats to docks with mooring lines, and cast off lines to enable departure.", "53-5022.00", "hands", "hands-on handling of materials"},
		{"Comb, brush, and spray hair or wigs to set style.", "39-5012.00", "hands", "hands-on personal care"},
		{"Operate on patients to remove, repair, or improve functioning of diseased or injured body parts and systems.", "29-1215.00", "hands", "hands-on clinical work"},
		{"Perform emergency resuscitations on patients.", "29-1214.00", "hands", "hands-on clinical work"},
		{"Stand watches on vessels during specified periods while vessels are under way.", "53-5021.00", "presence", "being there in person"},
		{"Press buttons, pull levers, or depress pedals to start and operate cutting and slicing machines.", "51-9032.00", "hands", "setting and tending machines by hand"},
		{"Restrain animals during exams or procedures.", "31-9096.00", "hands", "physical restraint by hand"},
		{"Cover roofs or exterior walls of structures with slate, asphalt, aluminum, wood, gravel, gypsum, or fiberglass.", "47-2181.00", "hands", "hands-on building work on site"},
		// Maintaining records, knowledge or ties is not maintenance on site.
		{"Maintain an inventory of parts for emergency repairs.", "15-1244.00", "judgment", "accountability for accurate records"},
		{"Maintain records of equipment maintenance work or repairs.", "49-2011.00", "judgment", "accountability for accurate records"},
		{"Maintain knowledge of current firefighting practices by participating in drills and by attending seminars.", "33-2011.00", "judgment", "a professional's own expertise"},
		{"Maintain relationships with customs brokers in other ports to expedite clearing of cargo.", "13-1041.08", "presence", "a relationship built on trust"},
		{"Maintain equipment in good working order.", "49-9071.00", "hands", "physical maintenance on site"},
	} {
		var got prompts.Term
		if tc.kind == "tool" {
			got = w.Tool(tc.task, tc.code)
		} else {
			got = w.Blocker(tc.task, tc.code)
		}
		require.Equal(t, tc.kind, got.Kind, tc.task)
		require.Equal(t, tc.want, got.Words, tc.task)
	}
	require.True(t, w.Blocker("Ponder the meaning of it all.", "27-2041.00").Default, "no stem matches: the default, not counted as named")
	// A sentence may call a tool a language model only if it is built on one.
	require.True(t, w.Tool("Translate documents from Spanish into English.", "27-3091.00").LanguageModel)
	require.True(t, w.Tool("Ponder the meaning of it all.", "27-2041.00").LanguageModel, "the default: AI writing and document tools")
	require.False(t, w.Tool("Scan patients' health records into electronic formats.", "29-2072.00").LanguageModel)
	require.False(t, w.Tool("Process loan applications.", "43-4131.00").LanguageModel)
}

// Every rationale frame reads back to itself from a page, names the term
// its class is about, and only hands frames speak of hands.
func TestRationaleFrames(t *testing.T) {
	w := prompts.OfflineWords()
	data := map[string]any{"Phrase": "schedule medical appointments", "Tool": "scheduling assistants", "Blocker": "care in person"}
	keys := []string{"high", "high E1", "high E2", "mid", "low", "little", "none", "none hands", "none presence", "none judgment"}
	seen := 0
	for _, key := range keys {
		frames := w.Frames(key)
		require.NotEmpty(t, frames, key)
		for _, f := range frames {
			seen++
			s := w.Rationale(f, data)
			require.Equal(t, f, w.FrameOf(s), "frame %d (%s) must read back: %s", f, key, s)
			require.Contains(t, strings.ToLower(s), "schedule medical appointments", s)
			switch {
			case strings.HasPrefix(key, "high"):
				require.Contains(t, strings.ToLower(s), "scheduling assistants", s)
			case strings.HasPrefix(key, "none"):
				require.Contains(t, strings.ToLower(s), "care in person", s)
			default:
				require.Contains(t, strings.ToLower(s), "scheduling assistants", s)
				require.Contains(t, strings.ToLower(s), "care in person", s)
			}
			if key != "none hands" {
				require.NotContains(t, strings.ReplaceAll(s, "hands-on", ""), "hands", "only a hands blocker may be said to need hands: %s", s)
			}
			first := strings.TrimPrefix(s, "“")
			require.Equal(t, strings.ToUpper(first[:1]), first[:1], "a sentence starts with a capital: %s", s)
		}
	}
	require.Equal(t, seen, len(w.Frames(keys...)), "every frame has one of the known keys")
	require.Equal(t, -1, w.FrameOf("Task 19021 scores 96 % (E1) on the panel's votes."))
}

// Summaries agree in number and say a task stays with people only when it
// scores under 60.
func TestSummariesAgree(t *testing.T) {
	w := prompts.OfflineWords()
	base := map[string]any{"Title": "Data Entry Keyers", "Headline": 25, "Band": "low", "Top": "enter data", "Second": "verify data",
		"Bottom": "operate machines", "TopScore": 45, "BottomScore": 5, "TopTool": "OCR", "BottomBlocker": "hands-on work",
		"Exposed": 1, "Tasks": 20, "Their": "their", "Plural": true}
	for n := range uint64(2) {
		s := w.Summary("low", n, base)
		require.NotContains(t, s, "1 of 20 tasks are", s)
		require.NotContains(t, s, "their time", "one task: its time")
		require.NotContains(t, s, "Most of the work", "a claim about most of the work that one task's blocker does not bear out")
	}
	// "Half or more", not "mostly": a task counts from 50 %.
	require.Contains(t, w.Summary("low", 1, base), "Only 1 of 20 tasks could lose half or more of its time to AI")
	mid := map[string]any{}
	for k, v := range base {
		mid[k] = v
	}
	mid["Headline"], mid["Exposed"] = 45, 9
	require.Contains(t, w.Summary("mid", 0, mid), "9 of 20 tasks could lose half or more of their time to it")
	high := map[string]any{}
	for k, v := range base {
		high[k] = v
	}
	high["Headline"], high["BottomScore"], high["Bottom"] = 85, 70, "file records"
	for n := range uint64(2) {
		s := w.Summary("high", n, high)
		require.NotContains(t, s, "stays with people", s)
		require.NotContains(t, s, "remains human", s)
		require.NotContains(t, s, " its ", "a plural title takes their: %s", s)
	}
	require.True(t, prompts.IsPlural("Medical Records Specialists"))
	require.True(t, prompts.IsPlural("Clergy"))
	require.True(t, prompts.IsPlural("Farmworkers and Laborers, Crop, Nursery, and Greenhouse"))
	require.False(t, prompts.IsPlural("Software Developer"))
	require.True(t, prompts.IsPlural("Tank Car, Truck, and Ship Loaders"))
	require.True(t, prompts.IsPlural("Transportation Vehicle, Equipment and Systems Inspectors, Except Aviation"))
	require.True(t, prompts.IsPlural("Locker Room, Coatroom, and Dressing Room Attendants"))
	require.False(t, prompts.IsPlural("Sales Manager, Retail"))
}

// A verb alone is not evidence: the lexicon names a physical, performing
// or patient blocker, or a tool, only with the words that make it so.
func TestLexiconNeedsEvidenceNotAVerb(t *testing.T) {
	w := prompts.OfflineWords()
	type notNamed struct{ task, code, notWords string }
	// never checks that term never names notWords for a case's task.
	never := func(term func(task, code string) prompts.Term, cases []notNamed) {
		t.Helper()
		for _, tc := range cases {
			require.NotEqual(t, tc.notWords, term(tc.task, tc.code).Words, tc.task)
		}
	}
	never(w.Blocker, []notNamed{
		{"Preside over, or serve on, boards of directors, management committees, or other governing boards.", "11-1011.00", "preparing and serving food by hand"},
		{"Obtain and serve subpoenas.", "23-2011.00", "preparing and serving food by hand"},
		{"Perform tax planning work.", "13-2011.00", "live performance"},
		{"Calculate orbits and determine sizes, shapes, brightness, and motions of different celestial bodies.", "19-2011.00", "hands-on cutting and shaping"},
		{"Appoint individuals to faculty positions.", "11-9033.00", "hands-on handling of materials"},
		{"Monitor functioning of equipment to ensure system operates in conformance with specifications.", "15-1252.00", "operating machinery on site"},
		{"Code patient data.", "29-2072.00", "care in person at the patient's side"},
		{"Act as agent, trustee, guardian, or executor for businesses or individuals.", "23-1011.00", "live performance"},
		{"Research diseases to which animals could be susceptible.", "29-1131.00", "hands-on animal care"},
		{"Mow lawns and trim hedges.", "37-3011.00", "legal accountability"},
		{"Perform personnel functions, such as selection, training, and evaluation of employees.", "11-1021.00", "teaching in person"},
		{"Maintain current electrician's license or identification card to meet governmental regulations.", "47-2111.00", "being there in person"},
		{"Diagnose malfunctioning systems, apparatus, or components, using test equipment and hand tools.", "47-2111.00", "clinical accountability"},
		{"Order tests that could determine the causes of product malfunctions.", "43-4051.00", "clinical accountability"},
		{"Prepare notes and instructions for workers who assemble and prepare final layouts for printing.", "27-1024.00", "teaching in person"},
		{"Lift or assist others to lift patients to move them on or off beds, examination tables, or stretchers.", "31-1131.00", "hands-on clinical examination"},
		// A staff, worker or employee alone is not a decision about people.
		{"Hold or supply tools, parts, equipment, and supplies for other workers.", "49-9098.00", "accountability for decisions about people"},
		{"Monitor engine, machinery, or equipment indicators when vessels are underway, and report abnormalities to appropriate shipboard staff.", "53-5031.00", "accountability for decisions about people"},
		{"Request repair services and wait for repair workers to arrive.", "37-2012.00", "accountability for decisions about people"},
		{"Sort mail that other workers have been unable to sort.", "43-5053.00", "accountability for decisions about people"},
		{"Operate on patients to remove, repair, or improve functioning of diseased or injured body parts and systems.", "29-1215.00", "operating machinery on site"},
		{"Compute deductions for income and social security taxes.", "43-3031.00", "accountability for people's safety"},
		{"Offer advice on the purchase or sale of particular securities.", "41-3031.00", "accountability for people's safety"},
		{"Comb, brush, and spray hair or wigs to set style.", "39-5012.00", "hands-on painting and finishing"},
		{"Tear down, repair, and rebuild faulty assemblies, such as power systems, steering systems, and linkages.", "49-3023.00", "driving or piloting a vehicle"},
		{"Prepare and deliver lectures to undergraduate or graduate students on topics such as programming, data structures, and software design.", "25-1021.00", "physical presence on the route"},
		{"Testify in court cases involving fires, suspected arson, and false alarms.", "33-2021.00", "physical inspection and testing on site"},
		// "plan" is not "plant".
		{"Calculate safe radiation exposure times for personnel using plant contamination readings and prescribed safe levels of radiation.", "19-4051.02", "coordinating people and priorities"},
		// Mixing sound is not handwork.
		{"Mix and edit voices, music, and taped sound effects for live performances and for prerecorded events, using sound mixing boards.", "27-4014.00", "mixing and measuring by hand"},
		{"Separate instruments, vocals, and other sounds, and combine sounds during the mixing or postproduction stage.", "27-4014.00", "hands-on building work on site"},
		{"Examine carrier operating rules, employee qualification guidelines, or carrier training and testing programs for compliance.", "53-6051.07", "teaching in person"},
		{"Call customers to collect payment on delinquent accounts.", "43-4041.00", "presence with clients face to face"},
		{"Calculate, prepare, and issue bills, invoices, account statements, and other financial statements according to established procedures.", "43-3031.00", "setting goals and policy for others to follow"},
		{"Monitor gauges, recording instruments, flowmeters, or products to ensure that specified conditions are maintained.", "51-9011.00", "accountability for accurate records"},
		// "opera" is not "operations" or "operating".
		{"Perform transplantation operations, such as organ transplants, on fetuses, infants, children, and adolescents.", "29-1243.00", "live performance"},
		{"Perform safety checks on equipment before operating.", "47-5043.00", "live performance"},
	})
	require.NotEqual(t, "hands", w.Blocker("Monitor functioning of equipment to ensure system operates in conformance with specifications.", "15-1252.00").Kind)
	// With the evidence, the same verbs still name the blocker.
	require.Equal(t, "preparing and serving food by hand", w.Blocker("Serve food and beverages to guests.", "35-3031.00").Words)
	require.Equal(t, "live performance", w.Blocker("Perform music for live audiences.", "27-2042.00").Words)
	require.Equal(t, "live performance", w.Blocker("Act in stage or film productions.", "27-2011.00").Words)
	require.Equal(t, "hands-on animal care", w.Blocker("Feed and water animals.", "39-2021.00").Words)
	require.Equal(t, "hands-on cutting and shaping", w.Blocker("Cut and shape stone to fit.", "47-2022.00").Words)
	require.Equal(t, "inventory and ordering software", w.Tool("Order supplies and materials.", "43-6014.00").Words)
	never(w.Tool, []notNamed{
		{"Order, interpret, and evaluate diagnostic tests to identify and assess patient's condition.", "29-1141.00", "inventory and ordering software"},
		{"Work with individuals, groups, and families to plan and implement programs designed to address their needs.", "29-1141.00", "CAD and simulation software"},
		{"Make presentations to legislative and other groups regarding policies, programs, or budgets.", "11-1011.00", "accounting software"},
		{"Calculate safe radiation exposure times for personnel using plant contamination readings.", "19-4051.02", "planning and project-management software"},
		{"Create simulations or models of radio frequency identification device (RFID) systems to provide information for selection.", "17-2072.01", "chat assistants over the knowledge base"},
		{"Read bills of lading to determine cargo details.", "53-3032.00", "billing software and robotic process automation (RPA)"},
		// A word inside another is not the word: costumes, keyboard instruments, key stakeholders, courses of treatment.
		{"Wear character costumes and impersonate characters.", "41-9012.00", "accounting software"},
		{"Mediate discussions between parties to reconcile differences.", "13-1075.00", "accounting software"},
		{"Sing or play musical instruments, such as keyboard or guitar.", "29-1129.02", "OCR and automated data entry"},
		{"Recommend data-driven solutions to key stakeholders.", "15-2051.00", "OCR and automated data entry"},
		{"Identify lawn or plant diseases and recommend courses of treatment.", "37-3012.00", "lesson-planning assistants"},
		// Accounting software is not code; an image archive is not image generation.
		{"Debit, credit, and total accounts on computer spreadsheets and databases, using specialized accounting software.", "43-3031.00", "code assistants"},
		{"Operate computers programmed with accounting software to record, store, and analyze information.", "43-3031.00", "code assistants"},
		{"Maintain archive of images, photos, or previous work products.", "27-1024.00", "image generation and editing software"},
		{"Present live or recorded commentary via broadcast media.", "27-3023.00", "searchable record-keeping software"},
		{"Process prisoners, and prepare and maintain records of prisoner bookings and prisoner status during booking and pre-trial process.", "33-3051.00", "scheduling assistants"},
		{"Offer advice on the purchase or sale of particular securities.", "41-3031.00", "inventory and ordering software"},
		{"Contract with architectural firms to draw up detailed plans for new structures.", "11-9141.00", "contract review software"},
	})
}

// A phrase never ends mid-way: not on an infinitive without its object,
// a list of verbs without theirs, a list cut in two, or "related".
func TestPhraseEndsAtANaturalBoundary(t *testing.T) {
	for _, tc := range []struct{ task, want string }{
		{"Analyze information to determine, recommend, and plan installation of a new system or modification of an existing system.", "analyze information"},
		{"Engage in research activities related to the field of medical genetics or genetic counseling.", "engage in research activities related to the field"},
		{"Engage in research activities related to nursing, such as studies of patient outcomes.", "engage in research activities"},
		{"Stun animals prior to slaughtering, using electric stunners or captive bolt guns, and hang them on conveyors.", "stun animals"},
		{"Preside over, or serve on, boards of directors, management committees, or other governing boards.",
			"preside over, or serve on, boards of directors, management committees, or other governing boards"},
		{"Prepare rooms, sterile instruments, equipment, and supplies, and hand them to surgeons.", "prepare rooms"},
		{"Check to ensure that completed roofs are watertight.", "check to ensure that completed roofs are watertight"},
		// A list is cut only once its "and" or "or" has come.
		{"Complete contract forms, prepare change of address records, or issue service discontinuance orders, using computers.", "complete contract forms"},
		{"Review financial statements, sales or activity reports, or other performance data to measure productivity or goal achievement or to identify areas needing cost reduction or program improvement.", "review financial statements"},
		{"Greet guests, escort them to their seats, and present them with menus and wine lists.", "greet guests"},
		{"Resolve complex, severe exposure claims, using high service oriented file handling.", "resolve complex, severe exposure claims"},
		{"Direct, supervise and evaluate work activities of medical, nursing, technical, clerical, service, maintenance, and other personnel.", "direct, supervise and evaluate work activities"},
		{"Consult with, or serve as, technical liaison between business, industry, government, and union officials.", "consult with, or serve as, technical liaison"},
		// A list of modifiers keeps the noun they share.
		{"Administer local, inhalation, intravenous, or other anesthetics.", "administer local, inhalation, intravenous, or other anesthetics"},
		{"Weld components in flat, vertical, or overhead positions.", "weld components"},
		{"Prepare and analyze organ, tissue, and cell samples to identify toxicity, bacteria, or microorganisms or to study cell structure.", "prepare and analyze organ, tissue, and cell samples"},
		{"Compile statistical, financial, accounting, or auditing reports and tables pertaining to such matters as cash receipts, expenditures, accounts payable and receivable, and profits and losses.", "compile statistical, financial, accounting, or auditing reports"},
		{"Supervise undergraduate or graduate teaching, internship, and research work.", "supervise undergraduate or graduate teaching, internship, and research work"},
		{"Meet with federal, state, and local agencies to coordinate activities.", "meet with federal, state, and local agencies"},
		{"Direct or coordinate activities of businesses involved with buying or selling investment products or financial services.", "direct or coordinate activities of businesses"},
		// A modifier that shares its noun with the next keeps it.
		{"Install, adjust, or repair hydraulic or electromagnetic automatic lift mechanisms used to raise and lower automobile windows, seats, and tops.", "install, adjust, or repair hydraulic or electromagnetic automatic lift mechanisms"},
		{"Serve as a liaison between the university and other governmental and educational agencies.", "serve as a liaison between the university"},
	} {
		require.Equal(t, tc.want, prompts.Phrase(tc.task), tc.task)
	}
}

package gitdiff

// This file mirrors xdl_change_compact and the indent heuristic of
// xdiff/xdiffi.c.

const (
	maxIndent = 200 // MAX_INDENT
	maxBlanks = 20  // MAX_BLANKS

	startOfFilePenalty              = 1   // START_OF_FILE_PENALTY
	endOfFilePenalty                = 21  // END_OF_FILE_PENALTY
	totalBlankWeight                = -30 // TOTAL_BLANK_WEIGHT
	postBlankWeight                 = 6   // POST_BLANK_WEIGHT
	relativeIndentPenalty           = -4  // RELATIVE_INDENT_PENALTY
	relativeIndentWithBlankPenalty  = 10  // RELATIVE_INDENT_WITH_BLANK_PENALTY
	relativeOutdentPenalty          = 24  // RELATIVE_OUTDENT_PENALTY
	relativeOutdentWithBlankPenalty = 17  // RELATIVE_OUTDENT_WITH_BLANK_PENALTY
	relativeDedentPenalty           = 23  // RELATIVE_DEDENT_PENALTY
	relativeDedentWithBlankPenalty  = 17  // RELATIVE_DEDENT_WITH_BLANK_PENALTY
	indentWeight                    = 60  // INDENT_WEIGHT
	indentHeuristicMaxSliding       = 100 // INDENT_HEURISTIC_MAX_SLIDING
)

// getIndent mirrors get_indent: the indentation of a line (TAB = 8
// columns), -1 for a blank line, clamped at maxIndent. Whitespace is git's
// isspace(): space, \t, \n and \r.
func getIndent(rec []byte) int {
	ret := 0
	for _, c := range rec {
		switch c {
		case ' ':
			ret++
		case '\t':
			ret += 8 - ret%8
		case '\n', '\r':
			// other whitespace: ignored
		default:
			return ret
		}
		if ret >= maxIndent {
			return maxIndent
		}
	}
	return -1
}

// splitMeasurement mirrors struct split_measurement.
type splitMeasurement struct {
	endOfFile  bool
	indent     int
	preBlank   int
	preIndent  int
	postBlank  int
	postIndent int
}

// splitScore mirrors struct split_score.
type splitScore struct {
	effectiveIndent int
	penalty         int
}

// measureSplit mirrors measure_split.
func measureSplit(f *xdfile, split int) splitMeasurement {
	var m splitMeasurement
	if split >= f.nrec {
		m.endOfFile = true
		m.indent = -1
	} else {
		m.indent = getIndent(f.rec(split))
	}

	m.preIndent = -1
	for i := split - 1; i >= 0; i-- {
		m.preIndent = getIndent(f.rec(i))
		if m.preIndent != -1 {
			break
		}
		m.preBlank++
		if m.preBlank == maxBlanks {
			m.preIndent = 0
			break
		}
	}

	m.postIndent = -1
	for i := split + 1; i < f.nrec; i++ {
		m.postIndent = getIndent(f.rec(i))
		if m.postIndent != -1 {
			break
		}
		m.postBlank++
		if m.postBlank == maxBlanks {
			m.postIndent = 0
			break
		}
	}
	return m
}

// scoreAddSplit mirrors score_add_split.
func scoreAddSplit(m *splitMeasurement, s *splitScore) {
	if m.preIndent == -1 && m.preBlank == 0 {
		s.penalty += startOfFilePenalty
	}
	if m.endOfFile {
		s.penalty += endOfFilePenalty
	}

	postBlank := 0
	if m.indent == -1 {
		postBlank = 1 + m.postBlank
	}
	totalBlank := m.preBlank + postBlank

	s.penalty += totalBlankWeight * totalBlank
	s.penalty += postBlankWeight * postBlank

	indent := m.indent
	if indent == -1 {
		indent = m.postIndent
	}
	anyBlanks := totalBlank != 0

	s.effectiveIndent += indent

	switch {
	case indent == -1:
	case m.preIndent == -1:
	case indent > m.preIndent:
		if anyBlanks {
			s.penalty += relativeIndentWithBlankPenalty
		} else {
			s.penalty += relativeIndentPenalty
		}
	case indent == m.preIndent:
	default:
		if m.postIndent != -1 && m.postIndent > indent {
			if anyBlanks {
				s.penalty += relativeOutdentWithBlankPenalty
			} else {
				s.penalty += relativeOutdentPenalty
			}
		} else {
			if anyBlanks {
				s.penalty += relativeDedentWithBlankPenalty
			} else {
				s.penalty += relativeDedentPenalty
			}
		}
	}
}

// scoreCmp mirrors score_cmp.
func scoreCmp(s1, s2 *splitScore) int {
	cmpIndents := 0
	if s1.effectiveIndent > s2.effectiveIndent {
		cmpIndents = 1
	} else if s1.effectiveIndent < s2.effectiveIndent {
		cmpIndents = -1
	}
	return indentWeight*cmpIndents + (s1.penalty - s2.penalty)
}

// group mirrors struct xdlgroup: records [start, end) are changed.
type group struct {
	start, end int
}

// In the helpers below f.rchg[i+1] is the changed flag of record i.

func groupInit(f *xdfile, g *group) {
	g.start, g.end = 0, 0
	for f.rchg[g.end+1] {
		g.end++
	}
}

// groupNext mirrors group_next; it reports false at the end of the file.
func groupNext(f *xdfile, g *group) bool {
	if g.end == f.nrec {
		return false
	}
	g.start = g.end + 1
	g.end = g.start
	for f.rchg[g.end+1] {
		g.end++
	}
	return true
}

// groupPrevious mirrors group_previous.
func groupPrevious(f *xdfile, g *group) bool {
	if g.start == 0 {
		return false
	}
	g.end = g.start - 1
	g.start = g.end
	for f.rchg[g.start] {
		g.start--
	}
	return true
}

// groupSlideDown mirrors group_slide_down.
func groupSlideDown(f *xdfile, g *group) bool {
	if g.end < f.nrec && f.ha[g.start] == f.ha[g.end] {
		f.rchg[g.start+1] = false
		g.start++
		f.rchg[g.end+1] = true
		g.end++
		for f.rchg[g.end+1] {
			g.end++
		}
		return true
	}
	return false
}

// groupSlideUp mirrors group_slide_up.
func groupSlideUp(f *xdfile, g *group) bool {
	if g.start > 0 && f.ha[g.start-1] == f.ha[g.end-1] {
		g.start--
		f.rchg[g.start+1] = true
		g.end--
		f.rchg[g.end+1] = false
		for f.rchg[g.start] {
			g.start--
		}
		return true
	}
	return false
}

// changeCompact mirrors xdl_change_compact with XDF_INDENT_HEURISTIC:
// slide each group of changes in f as far up and down as possible,
// merging with neighbours, then settle it on the best position.
func changeCompact(f, fo *xdfile) {
	var g, gOther group
	groupInit(f, &g)
	groupInit(fo, &gOther)

	for {
		if g.end != g.start {
			var groupsize, earliestEnd, endMatchingOther int
			for {
				groupsize = g.end - g.start
				endMatchingOther = -1

				// Shift the group backward as much as possible.
				for groupSlideUp(f, &g) {
					if !groupPrevious(fo, &gOther) {
						panic("gitdiff: group sync broken sliding up")
					}
				}
				earliestEnd = g.end
				if gOther.end > gOther.start {
					endMatchingOther = g.end
				}

				// Now shift it forward as far as possible.
				for groupSlideDown(f, &g) {
					if !groupNext(fo, &gOther) {
						panic("gitdiff: group sync broken sliding down")
					}
					if gOther.end > gOther.start {
						endMatchingOther = g.end
					}
				}
				if groupsize == g.end-g.start {
					break
				}
			}

			switch {
			case g.end == earliestEnd:
				// No shifting was possible.
			case endMatchingOther != -1:
				// Align with the last group of changes in the other
				// file that this group can line up with.
				for gOther.end == gOther.start {
					if !groupSlideUp(f, &g) {
						panic("gitdiff: match disappeared")
					}
					if !groupPrevious(fo, &gOther) {
						panic("gitdiff: group sync broken sliding to match")
					}
				}
			default:
				// Indent heuristic: pick the shift with the lowest
				// badness score.
				bestShift := -1
				var bestScore splitScore
				shift := earliestEnd
				if g.end-groupsize-1 > shift {
					shift = g.end - groupsize - 1
				}
				if g.end-indentHeuristicMaxSliding > shift {
					shift = g.end - indentHeuristicMaxSliding
				}
				for ; shift <= g.end; shift++ {
					var score splitScore
					m := measureSplit(f, shift)
					scoreAddSplit(&m, &score)
					m = measureSplit(f, shift-groupsize)
					scoreAddSplit(&m, &score)
					if bestShift == -1 || scoreCmp(&score, &bestScore) <= 0 {
						bestScore = score
						bestShift = shift
					}
				}
				for g.end > bestShift {
					if !groupSlideUp(f, &g) {
						panic("gitdiff: best shift unreached")
					}
					if !groupPrevious(fo, &gOther) {
						panic("gitdiff: group sync broken sliding to blank line")
					}
				}
			}
		}

		// Move past the just-processed group.
		if !groupNext(f, &g) {
			break
		}
		if !groupNext(fo, &gOther) {
			panic("gitdiff: group sync broken moving to next group")
		}
	}
	if groupNext(fo, &gOther) {
		panic("gitdiff: group sync broken at end of file")
	}
}

package batch

// delimiters are the delimiters Sniff chooses among, in order of preference.
var delimiters = [...]rune{',', ';', '\t', '|'}

// sniffRecords is how many records Sniff compares with the header.
const sniffRecords = 50

// Sniff chooses the delimiter of a CSV file from its first bytes: the one
// of , ; tab | that splits the header row into the most columns among
// those that split every following record (up to sniffRecords) into as many,
// counting outside quotes only. When none does, it takes the one that
// splits the header most; with none in the header, ','. complete says head
// is the whole file, so its last record is not cut short.
func Sniff(head []byte, complete bool) rune {
	var (
		counts  [len(delimiters)]int // in the current record
		header  [len(delimiters)]int
		steady  = [len(delimiters)]bool{true, true, true, true}
		quoted  bool
		records int
	)
	end := func() {
		if records == 0 {
			header = counts
		} else {
			for i := range counts {
				if counts[i] != header[i] {
					steady[i] = false
				}
			}
		}
		records++
		counts = [len(delimiters)]int{}
	}
	empty := true // the current line is empty so far
scan:
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if !empty {
				end()
			}
			empty = true
			if records > sniffRecords {
				break scan
			}
			continue
		case b == '\r':
			continue
		default:
			for i, d := range delimiters {
				if rune(b) == d {
					counts[i]++
				}
			}
		}
		empty = false
	}
	if complete && !empty && !quoted {
		end()
	}
	if records == 0 {
		header = counts // one unfinished line: judge it alone
	}
	best, bestSteady := -1, false
	for i := range delimiters {
		if header[i] == 0 {
			continue
		}
		better := best < 0 ||
			(steady[i] && !bestSteady) ||
			(steady[i] == bestSteady && header[i] > header[best])
		if better {
			best, bestSteady = i, steady[i]
		}
	}
	if best < 0 {
		return ','
	}
	return delimiters[best]
}

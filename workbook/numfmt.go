package workbook

import "strconv"

// isBuiltinDateFormat reports whether a built-in number format id shows a
// date or time: 14-22 and 45-47 in every locale.
func isBuiltinDateFormat(id string) bool {
	n, err := strconv.Atoi(id)
	if err != nil {
		return false
	}
	return (n >= 14 && n <= 22) || (n >= 45 && n <= 47)
}

// isDateFormat reports whether a custom format code shows a date or time:
// whether it has a y, m, d, h or s token outside quoted text, brackets
// ([Red], [$-409]; [h] elapsed time counts) and escaped characters.
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++ // the next character is literal, padding or fill
		case '[':
			j := i + 1
			for j < len(code) && code[j] != ']' {
				j++
			}
			switch inner := code[i+1 : min(j, len(code))]; inner {
			case "h", "hh", "m", "mm", "s", "ss", "H", "HH", "M", "MM", "S", "SS":
				return true
			}
			i = j
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

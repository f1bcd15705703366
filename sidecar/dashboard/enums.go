package dashboard

import (
	"strings"
)

// parseEnum reads ?name= as one of an enum's values by its short name
// ("open" for TARGET_STATUS_OPEN); empty means unspecified (0).
func parseEnum(v, name, prefix string, values map[string]int32) (int32, error) {
	if v == "" {
		return 0, nil
	}
	n, ok := values[prefix+strings.ToUpper(v)]
	if !ok || n == 0 {
		var names []string
		for k, n := range values {
			if n != 0 {
				names = append(names, strings.ToLower(strings.TrimPrefix(k, prefix)))
			}
		}
		return 0, badRequest("%s=%q: want one of %s", name, v, strings.Join(sortStrings(names), ", "))
	}
	return n, nil
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

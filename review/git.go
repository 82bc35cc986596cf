package review

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}

package npmvendor

import "testing"

func TestPinManifest(t *testing.T) {
	pinned := map[string]string{"axios": "1.7.9", "lodash": "4.17.21", "@slack/webhook": "7.0.2", "ms": "2.1.3", "qs": "6.13.0"}
	tests := []struct {
		name, give, want string
		wantChanged      bool
	}{
		{
			name:        "block mapping with comments, quotes and blanks",
			give:        "description: x # keep\ndependencies:   # npm\n  axios: latest   # pinned on lock\n  lodash: \"^4\"\n  '@slack/webhook':\n  ms: ~\n  qs: 6.13.0\nsecrets: [A]\n",
			want:        "description: x # keep\ndependencies:   # npm\n  axios: 1.7.9   # pinned on lock\n  lodash: \"4.17.21\"\n  '@slack/webhook': 7.0.2\n  ms: 2.1.3\n  qs: 6.13.0\nsecrets: [A]\n",
			wantChanged: true,
		},
		{
			name:        "flow mapping",
			give:        "trigger: post-login\ndependencies: {axios: ^1.7.0, ms: 'latest'}\n",
			want:        "trigger: post-login\ndependencies: {axios: 1.7.9, ms: '2.1.3'}\n",
			wantChanged: true,
		},
		{name: "already pinned", give: "dependencies:\n  axios: 1.7.9\n", want: "dependencies:\n  axios: 1.7.9\n"},
		{name: "no dependencies", give: "description: é\n", want: "description: é\n"},
		{name: "non-ASCII before the value", give: "dependencies: {lodash: '*'} # é\n", want: "dependencies: {lodash: '4.17.21'} # é\n", wantChanged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed, err := PinManifest([]byte(tt.give), pinned)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || changed != tt.wantChanged {
				t.Errorf("got (changed %v)\n%s\nwant (changed %v)\n%s", changed, got, tt.wantChanged, tt.want)
			}
		})
	}
}

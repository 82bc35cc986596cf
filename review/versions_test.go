package review

import (
	"reflect"
	"testing"
	"time"

	"github.com/actionsd/actionsd/gitstore"
)

func TestModuleVersions(t *testing.T) {
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := &State{
		Snap: &gitstore.Snapshot{Actions: map[string]*gitstore.Action{
			"b-action": {Modules: map[string]gitstore.ModulePin{"logger": {Version: 1}}},
			"a-action": {Modules: map[string]gitstore.ModulePin{"logger": {Version: 1}}},
			"c-action": {Modules: map[string]gitstore.ModulePin{"logger": {Version: 2}, "other": {Version: 3}}},
		}},
		Versions: map[string]map[int]*VersionInfo{"logger": {
			3: {Number: 3, Recorded: true, Tree: "t3", RecordCommit: "c3"},
			1: {Number: 1, Recorded: true, Tree: "t1", Tag: "modules/logger/v1", TagCommit: "c1", TagTree: "t1",
				TagDate: date, TagAuthor: "Ann", TagMessage: "\n  logger v1\n\nthe first one\n"},
			2: {Number: 2, Tag: "modules/logger/v2", TagCommit: "c2", TagTree: "t2", Pending: true},
		}},
	}
	want := []VersionRow{
		{Version: 1, Status: "published", Tag: "modules/logger/v1", Commit: "c1", Tree: "t1", Date: date, Author: "Ann", Message: "logger v1", PinnedBy: []string{"a-action", "b-action"}},
		{Version: 2, Status: "pending", Tag: "modules/logger/v2", Commit: "c2", Tree: "t2", PinnedBy: []string{"c-action"}},
		{Version: 3, Status: "recorded", Commit: "c3", Tree: "t3", Message: "recorded in actionsd.lock; not tagged yet", PinnedBy: []string{}},
	}
	if got := st.ModuleVersions("logger"); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := st.ModuleVersions("none"); got == nil || len(got) != 0 {
		t.Errorf("no versions: got %#v, want an empty list (JSON [])", got)
	}
}

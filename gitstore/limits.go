package gitstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Limits bound what reading a repository may cost: every file of an action or module folder is
// held in memory (and compiled), so a commit past a limit is refused with a problem that names the
// file or folder, its size and the limit, and the setting that raises it; the generation that
// serves keeps serving. A size is checked from the object header (or the file's stat) before the
// file is read, so a file over its limit is never read at all.
//
// A zero field takes its default (DefaultLimits); a negative one means no limit.
type Limits struct {
	FileSize     int64 // one file of an action or module folder, in bytes
	FolderSize   int64 // the files of one action or module folder (or one module version) together
	SourceSize   int64 // every action and module (drafts and published versions) read together
	Files        int   // files in one action or module folder, at any depth
	Depth        int   // folders nested below an action or module folder
	Actions      int   // folders under actions/
	Modules      int   // folders under modules/ (the drafts)
	ManifestSize int64 // triggers.yaml, action.yaml, module.yaml and the repository's .npmrc
	LockSize     int64 // actionsd.lock
}

// DefaultLimits are generous: far above what Auth0 accepts (100 kB of code per action, 100
// modules), low enough that one commit cannot take the daemon's memory.
var DefaultLimits = Limits{
	FileSize:     5 << 20,
	FolderSize:   20 << 20,
	SourceSize:   256 << 20,
	Files:        1000,
	Depth:        32,
	Actions:      1000,
	Modules:      1000,
	ManifestSize: 1 << 20,
	LockSize:     32 << 20,
}

// The settings that raise each limit, as problems name them: the serve flag and the config key.
const (
	settingFileSize     = "--max-file-size or repo_limits.max_file_size"
	settingFolderSize   = "--max-folder-size or repo_limits.max_folder_size"
	settingSourceSize   = "--max-source-size or repo_limits.max_source_size"
	settingFiles        = "--max-files or repo_limits.max_files"
	settingDepth        = "--max-depth or repo_limits.max_depth"
	settingActions      = "--max-actions or repo_limits.max_actions"
	settingModules      = "--max-modules or repo_limits.max_modules"
	settingManifestSize = "--max-manifest-size or repo_limits.max_manifest_size"
	settingLockSize     = "--max-lock-size or repo_limits.max_lock_size"
)

// WithDefaults fills the zero fields from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	pick64 := func(v *int64, def int64) {
		if *v == 0 {
			*v = def
		}
	}
	pick := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	pick64(&l.FileSize, d.FileSize)
	pick64(&l.FolderSize, d.FolderSize)
	pick64(&l.SourceSize, d.SourceSize)
	pick(&l.Files, d.Files)
	pick(&l.Depth, d.Depth)
	pick(&l.Actions, d.Actions)
	pick(&l.Modules, d.Modules)
	pick64(&l.ManifestSize, d.ManifestSize)
	pick64(&l.LockSize, d.LockSize)
	return l
}

// over reports whether n passes the limit max (negative: none).
func over(n, max int64) bool { return max >= 0 && n > max }

// overLimit is the message of a size past its limit.
func overLimit(size, limit int64, what, setting string) string {
	return fmt.Sprintf("%s is over the limit of %s for %s (raise it with %s)", FormatSize(size), FormatSize(limit), what, setting)
}

// FormatSize writes a byte count for people: "512 B", "5 MiB", "1.5 GiB".
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	s := fmt.Sprintf("%.1f", float64(n)/float64(div))
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + " " + string("KMGTP"[exp]) + "iB"
}

// TooLargeError is a file that is not read because its size is over a limit.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s, over the limit of %s", FormatSize(e.Size), FormatSize(e.Limit))
}

// ReadFileLimit reads name from fsys when it is at most limit bytes (negative: any size), checking
// its size before reading it (from the git object's header for a TreeFS); a larger file is a
// *TooLargeError (in an *fs.PathError) and is not read.
func ReadFileLimit(fsys fs.FS, name string, limit int64) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	return readLimited(fsys, name, info.Size(), limit)
}

// readLimited reads name, whose size was size when listed, when that is at most limit; a file
// that grew since (a working tree) is read no further than the limit.
func readLimited(fsys fs.FS, name string, size, limit int64) ([]byte, error) {
	if over(size, limit) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Size: size, Limit: limit}}
	}
	if t, ok := fsys.(*TreeFS); ok { // git objects do not change: read exactly size bytes
		return t.ReadFile(name)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit >= 0 {
		r = io.LimitReader(f, limit+1)
	}
	data := make([]byte, 0, size+1) // +1: the read that finds the end needs no new buffer
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if over(int64(len(data)), limit) { // it grew since it was listed
		size := int64(len(data))
		if info, err := f.Stat(); err == nil && info.Size() > size {
			size = info.Size()
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Size: size, Limit: limit}}
	}
	return data, nil
}

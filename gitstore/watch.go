package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// Watch calls changed whenever a ref of a local repository (a path or file:// URL) may have moved:
// a branch or tag written, deleted or packed. It blocks until ctx ends and returns nil then; for a
// remote repository it returns at once (remotes are polled or signalled by webhooks). changed must
// not block: it is a signal, not data (the reconciler collapses bursts).
func (s *Store) Watch(ctx context.Context, changed func()) error {
	if s.localPath == "" {
		return nil
	}
	gitDir, err := localGitDir(s.localPath)
	if err != nil {
		return fmt.Errorf("watch %s: %w", s.localPath, err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", s.localPath, err)
	}
	defer w.Close()
	if err := w.Add(gitDir); err != nil {
		return fmt.Errorf("watch %s: %w", gitDir, err)
	}
	refsDir := filepath.Join(gitDir, "refs")
	addTree := func(root string) {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				if err := w.Add(p); err != nil {
					s.log.Warn("watch: cannot watch a refs folder", zap.String("path", p), zap.Error(err))
				}
			}
			return nil
		})
	}
	addTree(refsDir)
	s.log.Info("watching the repository's refs", zap.String("git_dir", gitDir))
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("watch error; signalling a sync", zap.Error(err))
			changed()
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !refEvent(gitDir, ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					addTree(ev.Name) // a new refs/tags/modules/<name>/ folder
				}
			}
			changed()
		}
	}
}

// refEvent reports whether ev can move a ref: anything below refs/ or packed-refs, but lock files.
func refEvent(gitDir string, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || strings.HasSuffix(ev.Name, ".lock") {
		return false
	}
	rel, err := filepath.Rel(gitDir, ev.Name)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	return rel == "packed-refs" || rel == "refs" || strings.HasPrefix(rel, "refs/")
}

// localGitDir finds the folder that holds the refs of the repository at path: <path>/.git of a
// working tree (following a "gitdir:" file and a worktree's commondir), or path itself when bare.
func localGitDir(path string) (string, error) {
	dir := filepath.Join(path, ".git")
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir = path
	case err != nil:
		return "", err
	case !info.IsDir():
		data, err := os.ReadFile(dir)
		if err != nil {
			return "", err
		}
		line := strings.TrimSpace(string(data))
		if !strings.HasPrefix(line, "gitdir:") {
			return "", fmt.Errorf("%s: not a gitdir file", dir)
		}
		dir = strings.TrimSpace(strings.TrimPrefix(line, "gitdir:"))
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(path, dir)
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "commondir")); err == nil {
		common := strings.TrimSpace(string(data))
		if !filepath.IsAbs(common) {
			common = filepath.Join(dir, common)
		}
		dir = common
	}
	if _, err := os.Stat(filepath.Join(dir, "refs")); err != nil {
		return "", fmt.Errorf("not a git repository (no refs folder in %s)", dir)
	}
	return filepath.Clean(dir), nil
}

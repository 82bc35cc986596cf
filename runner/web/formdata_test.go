package web

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFetchFormData: fetch sends a FormData body as multipart/form-data, as Node's undici does
// (a marketplace action that posts new FormData() to Salesforce sent nothing): a loopback server
// parses the parts with Go's multipart reader and finds every field, file name, content type and
// byte; a Blob body goes as its bytes with its type.
func TestFetchFormData(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		if ct != "multipart/form-data" {
			body, _ := io.ReadAll(r.Body)
			io.WriteString(w, ct+" "+string(body))
			return
		}
		if !strings.HasPrefix(params["boundary"], "----formdata-undici-0") {
			http.Error(w, "boundary "+params["boundary"], 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			b, _ := io.ReadAll(p)
			got = append(got, p.FormName()+"|"+p.FileName()+"|"+p.Header.Get("Content-Type")+"|"+string(b))
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	vm, w := newGlobals(t, "127.0.0.1")
	for _, name := range LazyNames {
		vm.Set(name, w.Get(name))
	}
	vm.Set("URL_", srv.URL)
	res := vm.Await(vm.Run(`(async () => {
  const fd = new FormData();
  fd.append('grant_type', 'password');
  fd.append('note', 'two\nlines é');
  fd.append('file', new File(['{"a":1}'], 'data.json', { type: 'application/json' }));
  fd.append('raw', new Blob([new Uint8Array([0, 1, 254, 255])]));
  const r = await fetch(URL_ + '/form', { method: 'POST', body: fd });
  const b = await fetch(URL_ + '/blob', { method: 'POST', body: new Blob(['blob body'], { type: 'text/x-test' }) });
  return (await r.text()) + ' ' + (await b.text());
})()`))
	if res.String() != "ok text/x-test blob body" {
		t.Errorf("answers %q", res.String())
	}
	want := []string{
		"grant_type|||password",
		"note|||two\r\nlines é",
		"file|data.json|application/json|{\"a\":1}",
		"raw|blob|application/octet-stream|\x00\x01\xfe\xff",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parts:\n%q\nwant\n%q", got, want)
	}
}

package node

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/dop251/goja"
)

// maxInflated bounds what one zlib call may produce: a small compressed input can expand a
// thousandfold.
const maxInflated = 64 << 20

// zlibNatives adds inflate(bytes, format) and deflate(bytes, format, level) for node/zlib.js;
// formats are "zlib", "gzip", "raw" and, for inflate, "unzip" (zlib or gzip, by header).
func (v *Modules) zlibNatives(n *goja.Object) {
	n.Set("inflate", func(call goja.FunctionCall) goja.Value {
		data := v.bytesArg(call, 0)
		format := call.Argument(1).String()
		out, err := inflate(data, format)
		if err != nil {
			code, errno := "Z_DATA_ERROR", -3
			var ze *zlibError
			if errors.As(err, &ze) {
				code, errno = ze.code, ze.errno
			}
			e := v.in.NewError(err.Error())
			e.Set("code", code)
			e.Set("errno", errno)
			panic(e)
		}
		return v.newBytes(out)
	})
	n.Set("deflate", func(call goja.FunctionCall) goja.Value {
		data := v.bytesArg(call, 0)
		format := call.Argument(1).String()
		level := flate.DefaultCompression
		if l := call.Argument(2); !goja.IsUndefined(l) && !goja.IsNull(l) {
			level = int(l.ToInteger())
		}
		var buf bytes.Buffer
		var w io.WriteCloser
		var err error
		switch format {
		case "gzip":
			var gw *gzip.Writer
			gw, err = gzip.NewWriterLevel(&buf, level)
			if err == nil {
				gw.OS = 3 // Unix, as zlib on Linux writes
				w = gw
			}
		case "raw":
			w, err = flate.NewWriter(&buf, level)
		default:
			w, err = zlib.NewWriterLevel(&buf, level)
		}
		if err != nil {
			v.throwf("zlib: %v", err)
		}
		w.Write(data)
		w.Close()
		return v.newBytes(buf.Bytes())
	})
}

// zlibError is an inflate error with zlib's code, where it is not Z_DATA_ERROR.
type zlibError struct {
	msg   string
	code  string
	errno int
}

func (e *zlibError) Error() string { return e.msg }

// errTruncated is zlib's error for input that ends inside the stream.
var errTruncated = &zlibError{msg: "unexpected end of file", code: "Z_BUF_ERROR", errno: -5}

func inflate(data []byte, format string) ([]byte, error) {
	if format == "unzip" {
		format = "zlib"
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			format = "gzip"
		}
	}
	var r io.Reader
	var err error
	switch format {
	case "gzip":
		if len(data) >= 2 && (data[0] != 0x1f || data[1] != 0x8b) {
			return nil, fmt.Errorf("incorrect header check") // zlib checks the magic before the length
		}
		var gz *gzip.Reader
		gz, err = gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			gz.Multistream(true)
			r = gz
		}
	case "raw":
		r = flate.NewReader(bytes.NewReader(data))
	default:
		r, err = zlib.NewReader(bytes.NewReader(data))
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return nil, errTruncated
	}
	if err != nil {
		return nil, fmt.Errorf("incorrect header check")
	}
	out, err := io.ReadAll(io.LimitReader(r, maxInflated+1))
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("invalid compressed data: %v", err)
	}
	if len(out) > maxInflated {
		return nil, fmt.Errorf("inflated data exceeds %d bytes", maxInflated)
	}
	return out, nil
}

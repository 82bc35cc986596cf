package bridges

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/actionsd/actionsd/runner/wire"
)

// decodeZitadelBody fills in from body as json.Unmarshal would, a member of the wrong type being
// a *ShapeError that names it, but reads only the members the event uses: it checks the body
// once (json.Valid) and then scans it (eachMember, eachElement), where json.Unmarshal decoded
// every member of Zitadel's context by reflection, the largest part of the bridge's cost
// (BenchmarkZitadelVsExecute).
func decodeZitadelBody(body []byte, in *zitadelBody) error {
	if !json.Valid(body) {
		return &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	var err error
	set := func(e error) {
		if err == nil {
			err = e
		}
	}
	ok := eachRawMember(body, func(key, v []byte) bool {
		switch string(key) {
		case "userinfo":
			in.UserInfo = nil
			set(jsonObject(v, "userinfo", func(k []byte, v []byte) error {
				if in.UserInfo == nil {
					in.UserInfo = &struct {
						Picture string `json:"picture"`
					}{}
				}
				if string(k) == "picture" {
					return jsonString(v, "userinfo.picture", &in.UserInfo.Picture)
				}
				return nil
			}))
		case "user":
			in.User = nil
			set(jsonObject(v, "user", func(k []byte, v []byte) error {
				if in.User == nil {
					in.User = &zitadelUser{}
				}
				return decodeZitadelUser(in.User, k, v)
			}))
		case "user_metadata":
			in.UserMetadata = in.UserMetadata[:0]
			set(jsonArray(v, "user_metadata", func(i int, v []byte) error {
				field := "user_metadata[" + strconv.Itoa(i) + "]"
				var m zitadelMetadataInBody
				err := jsonObject(v, field, func(k []byte, v []byte) error {
					switch string(k) {
					case "key":
						return jsonString(v, field+".key", &m.Key)
					case "value":
						return jsonString(v, field+".value", &m.Value)
					}
					return nil
				})
				in.UserMetadata = append(in.UserMetadata, m)
				return err
			}))
		case "org":
			in.Org = nil
			set(jsonObject(v, "org", func(k []byte, v []byte) error {
				if in.Org == nil {
					in.Org = &struct {
						ID            string `json:"id"`
						Name          string `json:"name"`
						PrimaryDomain string `json:"primary_domain"`
					}{}
				}
				switch string(k) {
				case "id":
					return jsonString(v, "org.id", &in.Org.ID)
				case "name":
					return jsonString(v, "org.name", &in.Org.Name)
				case "primary_domain":
					return jsonString(v, "org.primary_domain", &in.Org.PrimaryDomain)
				}
				return nil
			}))
		case "user_grants":
			in.UserGrants = in.UserGrants[:0]
			set(jsonArray(v, "user_grants", func(i int, v []byte) error {
				field := "user_grants[" + strconv.Itoa(i) + "]"
				var g struct {
					Roles []string `json:"roles"`
				}
				err := jsonObject(v, field, func(k []byte, v []byte) error {
					if string(k) != "roles" {
						return nil
					}
					return jsonArray(v, field+".roles", func(j int, v []byte) error {
						var r string
						err := jsonString(v, field+".roles["+strconv.Itoa(j)+"]", &r)
						g.Roles = append(g.Roles, r)
						return err
					})
				})
				in.UserGrants = append(in.UserGrants, g)
				return err
			}))
		case "application":
			in.Application = nil
			set(jsonObject(v, "application", func(k []byte, v []byte) error {
				if in.Application == nil {
					in.Application = &struct {
						ClientID string `json:"client_id"`
					}{}
				}
				if string(k) == "client_id" {
					return jsonString(v, "application.client_id", &in.Application.ClientID)
				}
				return nil
			}))
		}
		return true
	})
	if !ok {
		return &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	return err
}

func decodeZitadelUser(u *zitadelUser, k []byte, v []byte) error {
	switch string(k) {
	case "id":
		return jsonString(v, "user.id", &u.ID)
	case "creation_date":
		return jsonString(v, "user.creation_date", &u.CreationDate)
	case "change_date":
		return jsonString(v, "user.change_date", &u.ChangeDate)
	case "username":
		return jsonString(v, "user.username", &u.Username)
	case "preferred_login_name":
		return jsonString(v, "user.preferred_login_name", &u.PreferredLoginName)
	case "machine":
		u.Machine = nil
		return jsonObject(v, "user.machine", func(k []byte, v []byte) error {
			if u.Machine == nil {
				u.Machine = &struct {
					Name string `json:"name"`
				}{}
			}
			if string(k) == "name" {
				return jsonString(v, "user.machine.name", &u.Machine.Name)
			}
			return nil
		})
	case "human":
		u.Human = nil
		return jsonObject(v, "user.human", func(k []byte, v []byte) error {
			if u.Human == nil {
				u.Human = &zitadelHuman{}
			}
			h := u.Human
			switch string(k) {
			case "first_name":
				return jsonString(v, "user.human.first_name", &h.FirstName)
			case "last_name":
				return jsonString(v, "user.human.last_name", &h.LastName)
			case "nick_name":
				return jsonString(v, "user.human.nick_name", &h.NickName)
			case "display_name":
				return jsonString(v, "user.human.display_name", &h.DisplayName)
			case "preferred_language":
				return jsonString(v, "user.human.preferred_language", &h.PreferredLanguage)
			case "email":
				return jsonString(v, "user.human.email", &h.Email)
			case "is_email_verified":
				return jsonBool(v, "user.human.is_email_verified", &h.IsEmailVerified)
			case "phone":
				return jsonString(v, "user.human.phone", &h.Phone)
			case "is_phone_verified":
				return jsonBool(v, "user.human.is_phone_verified", &h.IsPhoneVerified)
			}
			return nil
		})
	}
	return nil
}

var jsonNull = []byte("null")

// jsonString decodes a string member (null leaves *dst as it is, as json.Unmarshal does).
func jsonString(v []byte, field string, dst *string) error {
	switch {
	case bytes.Equal(v, jsonNull):
		return nil
	case len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0:
		*dst = string(v[1 : len(v)-1])
		return nil
	case len(v) >= 2 && v[0] == '"':
		if json.Unmarshal(v, dst) == nil {
			return nil
		}
	}
	return &ShapeError{Field: field, Want: "a string"}
}

func jsonBool(v []byte, field string, dst *bool) error {
	switch string(v) {
	case "null":
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return &ShapeError{Field: field, Want: "a bool"}
	}
	return nil
}

// jsonObject calls fn with each member of the object v (null: none); fn's first error stops it.
func jsonObject(v []byte, field string, fn func(k []byte, v []byte) error) error {
	if bytes.Equal(v, jsonNull) {
		return nil
	}
	if len(v) == 0 || v[0] != '{' {
		return &ShapeError{Field: field, Want: "an object"}
	}
	var err error
	eachRawMember(v, func(k, v []byte) bool {
		err = fn(k, v)
		return err == nil
	})
	return err
}

// jsonArray calls fn with each element of the array v (null: none); fn's first error stops it.
func jsonArray(v []byte, field string, fn func(i int, v []byte) error) error {
	if bytes.Equal(v, jsonNull) {
		return nil
	}
	if len(v) == 0 || v[0] != '[' {
		return &ShapeError{Field: field, Want: "an array"}
	}
	var err error
	eachElement(v, func(i int, v []byte) {
		if err == nil {
			err = fn(i, v)
		}
	})
	return err
}

// eachElement calls fn with each element of arr, a valid JSON array, in order.
func eachElement(arr []byte, fn func(i int, v []byte)) bool {
	i := wire.SkipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	i = wire.SkipSpace(arr, i+1)
	n := 0
	for i < len(arr) && arr[i] != ']' {
		if arr[i] == ',' {
			i = wire.SkipSpace(arr, i+1)
			continue
		}
		end := wire.SkipValue(arr, i)
		if end == i || end >= len(arr) {
			return false // no value, or the array does not close
		}
		fn(n, arr[i:end])
		n++
		i = wire.SkipSpace(arr, end)
	}
	return i < len(arr)
}

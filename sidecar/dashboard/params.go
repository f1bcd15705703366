package dashboard

import (
	"encoding/base64"
	"net/url"
	"strconv"

	"github.com/cosmos/cosmos-sdk/types/query"
)

// DefaultPageSize and MaxPageSize bound every listed table: a page is one paged
// query of at most MaxPageSize rows, never a walk over everything.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100
)

// pageParams are a table's paging state in the URL: either a cursor (the
// previous page's next_key, base64url) or an offset, plus the page size.
type pageParams struct {
	Key    []byte
	Offset uint64
	Limit  uint64
}

func parsePage(q url.Values, prefix string) (pageParams, error) {
	p := pageParams{Limit: DefaultPageSize}
	if s := q.Get(prefix + "limit"); s != "" {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n == 0 || n > MaxPageSize {
			return p, badRequest("%slimit=%q: want a number from 1 to %d", prefix, s, MaxPageSize)
		}
		p.Limit = n
	}
	if s := q.Get(prefix + "offset"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return p, badRequest("%soffset=%q: want a non-negative number", prefix, s)
		}
		p.Offset = n
	}
	if s := q.Get(prefix + "key"); s != "" {
		k, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(k) == 0 {
			return p, badRequest("%skey=%q: not a page cursor", prefix, s)
		}
		p.Key = k
	}
	return p, nil
}

// request is the SDK page request: the cursor when there is one (O(page) on the
// node), the offset otherwise.
func (p pageParams) request(countTotal bool) *query.PageRequest {
	if len(p.Key) > 0 {
		return &query.PageRequest{Key: p.Key, Limit: p.Limit}
	}
	return &query.PageRequest{Offset: p.Offset, Limit: p.Limit, CountTotal: countTotal && p.Offset == 0}
}

// Pager is what a template needs to draw next/prev links.
type Pager struct {
	From, To uint64 // 1-based row numbers shown
	Total    uint64 // 0: unknown
	Prev     string // URL or ""
	Next     string
}

// pager builds the links: next follows the node's cursor, prev steps back by
// offset (cursors only go forward).
func pager(u *url.URL, prefix string, p pageParams, rows int, res *query.PageResponse) Pager {
	pg := Pager{From: p.Offset + 1, To: p.Offset + uint64(rows)}
	if rows == 0 {
		pg.From = p.Offset
	}
	if res != nil {
		pg.Total = res.Total
		if len(res.NextKey) > 0 {
			q := u.Query()
			q.Set(prefix+"key", base64.RawURLEncoding.EncodeToString(res.NextKey))
			q.Set(prefix+"offset", strconv.FormatUint(p.Offset+uint64(rows), 10))
			q.Del("format")
			pg.Next = "?" + q.Encode()
		}
	}
	if p.Offset > 0 {
		q := u.Query()
		q.Del(prefix + "key")
		q.Del("format")
		if p.Offset > p.Limit {
			q.Set(prefix+"offset", strconv.FormatUint(p.Offset-p.Limit, 10))
		} else {
			q.Del(prefix + "offset")
		}
		pg.Prev = "?" + q.Encode()
	}
	return pg
}

func parseUint(q url.Values, name string, def uint64) (uint64, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, badRequest("%s=%q: want a non-negative number", name, s)
	}
	return n, nil
}
